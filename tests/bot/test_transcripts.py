"""Golden conversations: every file in tests/data/transcripts/ replayed through the real service.

Each file is one behaviour: what a resident sends, the exact reply they get (`expect`, null for
silence) and, optionally, what is `stored` afterwards. `pytest --update-golden` rewrites only the
`expect` values from the replies actually sent, leaving comments and everything else alone, so
the diff shows reviewers exactly how residents' experience changed.

Format: `title`; optional `number` (default +447700900123) and `channel` (sms or whatsapp);
`turns`, a list of `{send, expect}` or `{wait: {hours: N}}`; optional `stored`:
`participants`, one entry per resident on that number and channel, oldest first, each checking
only the facts it names: language, consent, hear_back, opted_out, partner_code, closed,
answers (list of {step, kind, text, value?}) and open_questions (list of texts).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import event
from sqlmodel import Session, col, select

import bot.runtime.container
from bot.channels.addresses import parse_address
from bot.core.inbound import InboundMessage
from bot.flowspec.loading import load_library
from bot.flowspec.model import FlowLibrary
from bot.runtime.container import Container
from bot.runtime.crypto import Vault
from bot.store.answers import list_answers, list_questions
from bot.store.models import Answer, Participant
from tests.conftest import make_container
from tests.helpers import new_sid

TRANSCRIPTS = Path(__file__).resolve().parents[1] / "data" / "transcripts"
START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
DEFAULT_NUMBER = "+447700900123"
PARTICIPANT_FACTS = ("language", "consent", "hear_back", "opted_out", "partner_code")


class FakeClock:
    """Starts at START; the transcript moves it on (a minute per message, or a `wait`)."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


#: SQL compiled once for every test's database: the schema is the same, only the file differs.
_COMPILED_SQL: dict[Any, Any] = {}


@functools.cache
def _library(flows_dir: Path, default_flow: str) -> FlowLibrary:
    return load_library(flows_dir, default_flow)


@pytest.fixture
def transcript_services(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Container]:
    """The real services on SQLite, made quick: flows parsed and SQL compiled once, no fsync."""
    monkeypatch.setattr(bot.runtime.container, "load_library", _library)
    built = make_container(sqlite_url)
    engine = built.db.engine
    event.listen(engine, "connect", _no_fsync)
    built.db.engine = engine.execution_options(compiled_cache=_COMPILED_SQL)
    yield built
    engine.dispose()


def _no_fsync(connection: Any, _record: Any) -> None:
    connection.execute("PRAGMA synchronous=OFF")


def _transcripts() -> list[Path]:
    return sorted(TRANSCRIPTS.glob("*.yaml"))


def _check_format(path: Path, data: Any, updating: bool) -> None:
    """Fail early and plainly on a malformed file, e.g. `send: yes` that YAML read as True."""
    assert isinstance(data, dict), f"{path.name}: not a mapping"
    assert set(data) <= {"title", "number", "channel", "turns", "stored"}, path.name
    assert isinstance(data.get("title"), str), f"{path.name}: needs a title"
    assert data.get("channel", "sms") in {"sms", "whatsapp"}, f"{path.name}: bad channel"
    assert data.get("turns"), f"{path.name}: needs turns"
    for number, turn in enumerate(data["turns"], start=1):
        where = f"{path.name}: turn {number}"
        if isinstance(turn, dict) and set(turn) == {"wait"}:
            assert isinstance(turn["wait"], dict), f"{where}: wait needs e.g. {{hours: 13}}"
            continue
        assert isinstance(turn, dict), f"{where}: must be {{send, expect}} or {{wait}}"
        assert isinstance(turn.get("send"), str), f"{where}: quote send (YAML reads yes as true)"
        keys = {"send"} if updating else {"send", "expect"}
        assert keys <= set(turn) <= {"send", "expect"}, f"{where}: needs send and expect"
        assert turn.get("expect") is None or isinstance(turn["expect"], str), where


def _address(data: dict[str, Any]) -> str:
    number = str(data.get("number", DEFAULT_NUMBER))
    if data.get("channel") == "whatsapp" and not number.startswith("whatsapp:"):
        number = f"whatsapp:{number}"
    return number


def _replay(services: Container, clock: FakeClock, data: dict[str, Any]) -> list[str | None]:
    sender = parse_address(_address(data))
    replies: list[str | None] = []
    for turn in data["turns"]:
        if "wait" in turn:
            clock.advance(**turn["wait"])
            continue
        message = InboundMessage(message_sid=new_sid(), sender=sender, body=turn["send"])
        replies.append(services.inbound.receive(message).reply)
        clock.advance(minutes=1)
    return replies


def _answer_facts(vault: Vault, answer: Answer) -> dict[str, Any]:
    facts = {"step": answer.step_id, "kind": answer.kind, "text": vault.open(answer.text_encrypted)}
    return facts | ({"value": answer.value} if answer.value is not None else {})


def _participant_facts(
    session: Session, vault: Vault, participant: Participant, wanted: dict[str, Any]
) -> dict[str, Any]:
    pid = participant.id
    assert pid is not None
    facts: dict[str, Any] = {}
    for name in wanted:
        if name in PARTICIPANT_FACTS:
            facts[name] = getattr(participant, name)
        elif name == "closed":
            facts[name] = participant.closed_at is not None
        elif name == "answers":
            facts[name] = [_answer_facts(vault, answer) for answer in list_answers(session, pid)]
        elif name == "open_questions":
            facts[name] = [
                vault.open(question.text_encrypted)
                for question in list_questions(session, pid)
                if question.status == "open"
            ]
        else:
            raise AssertionError(f"stored: unknown participant fact {name!r}")
    return facts


def _stored(services: Container, data: dict[str, Any]) -> list[dict[str, Any]]:
    """What the database holds about each resident who used this number, oldest first."""
    sender = parse_address(_address(data))
    wanted = data["stored"]["participants"]
    with services.db.session() as session:
        participants = session.exec(
            select(Participant)
            .where(Participant.number_hash == services.vault.hash_number(sender.number))
            .where(Participant.channel == sender.channel)
            .order_by(col(Participant.id))
        ).all()
        return [
            _participant_facts(session, services.vault, participant, wanted[i])
            if i < len(wanted)
            else {"unexpected participant": participant.id}
            for i, participant in enumerate(participants)
        ]


# --- Rewriting `expect` values in place (--update-golden) ---------------------------------


def _render(value: str | None, indent: int) -> str:
    """A YAML scalar for `value`: a literal block for plain multi-line text, else one line."""
    if value is None:
        return "null"
    lines = value.split("\n")
    plain_lines = all(line == line.strip() and line.isprintable() for line in lines)
    if len(lines) > 1 and plain_lines and lines[0] and lines[-1]:
        return "|-\n" + "\n".join(" " * indent + line if line else "" for line in lines)
    if "\n" in value:  # odd multi-line text: one double-quoted line with escapes
        return yaml.safe_dump(value, default_style='"', allow_unicode=True, width=1_000_000)[:-1]
    dumped = yaml.safe_dump({"k": value}, allow_unicode=True, width=1_000_000)
    return dumped.removeprefix("k: ").removesuffix("\n")


def _turn_nodes(text: str) -> Iterator[yaml.MappingNode]:
    root = yaml.compose(text)
    for key, value in root.value:
        if key.value == "turns":
            for item in value.value:
                if not any(k.value == "wait" for k, _ in item.value):
                    yield item


def rewrite_expects(text: str, replies: list[str | None]) -> str:
    """`text` with each turn's `expect` set to the matching reply; nothing else changes."""
    edits: list[tuple[int, int, str]] = []
    turns = list(_turn_nodes(text))
    assert len(turns) == len(replies)
    for node, reply in zip(turns, replies, strict=True):
        pairs = {key.value: (key, value) for key, value in node.value}
        send_key, send_value = pairs["send"]
        indent = send_key.start_mark.column
        rendered = _render(reply, indent + 2)
        if "expect" not in pairs:  # a new turn: add its expect under its send
            at = send_value.end_mark.index
            line = f"{' ' * indent}expect: {rendered}"
            edits.append((at, at, f"{line}\n" if text[at - 1] == "\n" else f"\n{line}"))
            continue
        key, value = pairs["expect"]
        start, end = value.start_mark.index, value.end_mark.index
        if start == end:  # `expect:` with nothing after it
            start = end = key.end_mark.index + 1
            rendered = f" {rendered}"
        old = text[start:end]
        if old.endswith("\n"):
            rendered += "\n"
        elif "\n" in rendered and text[end:].split("\n", 1)[0].strip():
            raise ValueError(f"line {key.start_mark.line + 1}: move the comment off the line")
        edits.append((start, end, rendered))
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def test_rewrite_expects_keeps_everything_else() -> None:
    before = (
        "title: t\n# why this case matters\nturns:\n"
        '  - send: "yes"\n    expect: old  # kept\n'
        "  - wait: {hours: 13}\n"
        "  - send: a\n    expect: |-\n      old\n      lines\n"
        "  - send: b\n    expect:\n"
        "  - send: c\n"
        "  - send: d\n"
        "stored: {participants: []}\n"
    )
    replies = ["one line", "two\n\nlines", None, "it's: 'quoted'", "ends\n"]
    after = rewrite_expects(before, replies)
    assert after == (
        "title: t\n# why this case matters\nturns:\n"
        '  - send: "yes"\n    expect: one line  # kept\n'
        "  - wait: {hours: 13}\n"
        "  - send: a\n    expect: |-\n      two\n\n      lines\n"
        "  - send: b\n    expect: null\n"
        "  - send: c\n    expect: 'it''s: ''quoted'''\n"
        '  - send: d\n    expect: "ends\\n"\n'
        "stored: {participants: []}\n"
    )
    turns = yaml.safe_load(after)["turns"]
    assert [turn.get("expect") for turn in turns if "send" in turn] == replies


# --- The golden test -----------------------------------------------------------------------


@pytest.mark.parametrize("path", _transcripts(), ids=lambda path: path.stem)
def test_transcript(
    path: Path, transcript_services: Container, request: pytest.FixtureRequest
) -> None:
    services = transcript_services
    updating = bool(request.config.getoption("--update-golden"))
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    _check_format(path, data, updating)
    clock = FakeClock()
    services.inbound.clock = clock
    replies = _replay(services, clock, data)
    if updating:
        rewritten = rewrite_expects(text, replies)
        turns = yaml.safe_load(rewritten)["turns"]
        assert [turn["expect"] for turn in turns if "send" in turn] == replies
        path.write_text(rewritten, encoding="utf-8")
    sent = [turn for turn in data["turns"] if "send" in turn]
    actual = [{"send": t["send"], "reply": r} for t, r in zip(sent, replies, strict=True)]
    golden = [{"send": t["send"], "reply": t.get("expect")} for t in sent]
    if not updating:
        assert actual == golden, f"{path.name}: replies differ (see `turns`)"
    if "stored" in data:
        assert _stored(services, data) == data["stored"]["participants"]


def test_there_are_transcripts() -> None:
    assert len(_transcripts()) >= 20
