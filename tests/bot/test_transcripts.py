"""Golden conversations: every file in tests/data/transcripts/ replayed twice, through the
real service (SQLite, the inbound desk) and through the pure engine (`bot.engine.step` with a
fixed clock and the state handed from turn to turn, no database).

Each file is one behaviour: what a resident sends, the exact reply they get (`expect`, null for
silence), optionally what the engine decided on that turn (`outputs`) and what is `stored`
afterwards. `pytest --update-golden` rewrites the `expect` values from the replies actually
sent and the `outputs` from what the engine actually did, leaving comments and everything else
alone, so the diff shows reviewers exactly how residents' experience changed.

Format: `title`; optional `number` (default +447700900123) and `channel` (sms or whatsapp);
`turns`, a list of `{send, expect, outputs?}` or `{wait: {hours: N}}`; optional `stored`:
`participants`, one entry per resident on that number and channel, oldest first, each checking
only the facts it names: language, consent, hear_back, opted_out, partner_code, closed,
answers (list of {step, kind, text, value?}) and open_questions (list of texts).

`outputs` lists the engine's outputs (bot/engine/events.py) for that turn, in order: each entry
is an output's name, `SendText`, or a one-key mapping that also checks the fields it names,
`{SaveAnswer: {kind: fear}}`. `--update-golden` writes names only, and leaves a turn's
`outputs` untouched while they still hold, so field checks written by hand survive.
`expect` is checked on both replays; `outputs` only on the engine's (the service carries them
out, it does not report them) and `stored` only on the service's.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import typing
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import event
from sqlmodel import Session, col, select

import bot.runtime.container
from bot import engine as flow_engine
from bot.channels.addresses import parse_address
from bot.core.inbound import InboundMessage
from bot.engine.events import (
    EraseParticipant,
    FlowStarted,
    Inbound,
    OptIn,
    Output,
    SaveAnswer,
    SendText,
    Turn,
)
from bot.engine.state import SessionState
from bot.flowspec.loading import load_library
from bot.flowspec.model import FlowLibrary
from bot.runtime.config import load_settings
from bot.runtime.container import Container
from bot.runtime.crypto import Vault
from bot.store.answers import list_answers, list_questions
from bot.store.models import Answer, Participant
from tests.conftest import make_container, settings_for
from tests.helpers import new_sid

TRANSCRIPTS = Path(__file__).resolve().parents[1] / "data" / "transcripts"
START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
DEFAULT_NUMBER = "+447700900123"
PARTICIPANT_FACTS = ("language", "consent", "hear_back", "opted_out", "partner_code")
#: Every output the engine can produce, by the name a transcript's `outputs` uses.
OUTPUT_TYPES = {kind.__name__: kind for kind in typing.get_args(Output)}


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
        assert keys <= set(turn) <= {"send", "expect", "outputs"}, f"{where}: needs send, expect"
        assert turn.get("expect") is None or isinstance(turn["expect"], str), where
        if "outputs" in turn:
            _check_outputs_format(where, turn["outputs"])


def _check_outputs_format(where: str, entries: Any) -> None:
    assert isinstance(entries, list), f"{where}: outputs must be a list, e.g. [SendText]"
    for entry in entries:
        name, wanted = next(iter(entry.items())) if isinstance(entry, dict) else (entry, {})
        assert not isinstance(entry, dict) or len(entry) == 1, f"{where}: one output a mapping"
        assert name in OUTPUT_TYPES, f"{where}: unknown output {name!r} (see bot/engine/events.py)"
        assert isinstance(wanted, dict), f"{where}: {name} needs fields, e.g. {{kind: fear}}"
        known = {field.name for field in dataclasses.fields(OUTPUT_TYPES[name])}
        assert set(wanted) <= known, f"{where}: {name} has no field {sorted(set(wanted) - known)}"


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


@functools.cache
def _engine_settings() -> tuple[FlowLibrary, timedelta]:
    """The flows and resume delay the service gets from settings_for, for the engine replay."""
    settings = load_settings(settings_for("sqlite://"), environ={})
    library = _library(settings.flows_path, settings.default_flow)
    return library, timedelta(hours=settings.resume_after_hours)


def _replay_engine(data: dict[str, Any]) -> list[Turn]:
    """The transcript through `bot.engine.step` alone: same clock, each turn's state handed on.

    The one thing the service adds is storage: after EraseParticipant nothing is kept, so the
    next message is first contact (state None), as it is for the service.
    """
    library, resume_after = _engine_settings()
    clock = FakeClock()
    state: SessionState | None = None
    turns: list[Turn] = []
    for item in data["turns"]:
        if "wait" in item:
            clock.advance(**item["wait"])
            continue
        turn = flow_engine.step(
            library, state, Inbound(item["send"]), now=clock(), resume_after=resume_after
        )
        erased = any(isinstance(output, EraseParticipant) for output in turn.outputs)
        state = None if erased else turn.state
        turns.append(turn)
        clock.advance(minutes=1)
    return turns


def _output_fields(output: Output) -> dict[str, Any]:
    return {field.name: getattr(output, field.name) for field in dataclasses.fields(output)}


def _outputs_as_written(outputs: tuple[Output, ...], golden: list[Any] | None) -> list[Any]:
    """`outputs` in the shape of the golden entries: a name, or {name: the fields it checks}.

    Comparing like with like lets pytest's diff point at the one output or field that moved.
    """
    written: list[Any] = []
    for index, output in enumerate(outputs):
        name = type(output).__name__
        entry = golden[index] if golden is not None and index < len(golden) else None
        if isinstance(entry, dict) and name in entry and isinstance(entry[name], dict):
            fields = _output_fields(output)
            checked = {key: fields.get(key, "<no such field>") for key in entry[name]}
            written.append({name: checked})
        else:
            written.append(name)
    return written


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


def _outputs_node(
    node: yaml.MappingNode,
) -> tuple[yaml.Node, yaml.Node] | None:
    return next(((k, v) for k, v in node.value if k.value == "outputs"), None)


def _content_end(node: yaml.Node) -> int:
    """Where a value's own text ends. A block collection's end mark lies past the comments
    that follow it, so the end of its last item is used instead: rewriting keeps them."""
    if isinstance(node, yaml.ScalarNode) or node.flow_style or not node.value:
        return node.end_mark.index
    last = node.value[-1]
    return _content_end(last[1] if isinstance(node, yaml.MappingNode) else last)


def _render_outputs(entries: list[Any]) -> str:
    """One flow-style line: `[FlowStarted, {SaveAnswer: {kind: fear}}, SendText]`."""
    dumped = yaml.safe_dump(
        entries, default_flow_style=True, allow_unicode=True, sort_keys=False, width=1_000_000
    )
    return dumped.strip()


def rewrite_outputs(text: str, outputs: list[tuple[Output, ...]]) -> str:
    """`text` with each turn's `outputs` set to what the engine did; nothing else changes.

    A turn whose `outputs` still hold is left exactly as written (field checks included); one
    that differs gets names only, and a turn without `outputs` gets them on the line after its
    `expect` (after any comment on that line).
    """
    edits: list[tuple[int, int, str]] = []
    turns = list(_turn_nodes(text))
    assert len(turns) == len(outputs)
    data_turns = [turn for turn in yaml.safe_load(text)["turns"] if "wait" not in turn]
    for node, actual, data in zip(turns, outputs, data_turns, strict=True):
        golden = data.get("outputs")
        if golden is not None and _outputs_as_written(actual, golden) == golden:
            continue
        rendered = _render_outputs(_outputs_as_written(actual, None))
        found = _outputs_node(node)
        if found is not None:
            key, value = found
            edits.append((key.end_mark.index + 1, _content_end(value), f" {rendered}"))
            continue
        pairs = {key.value: (key, value) for key, value in node.value}
        key, value = pairs["expect"] if "expect" in pairs else pairs["send"]
        end = _content_end(value)
        if end > 0 and text[end - 1] != "\n":  # the rest of the value's line stays with it
            newline = text.find("\n", end)
            end = len(text) if newline == -1 else newline + 1
        line = f"{' ' * key.start_mark.column}outputs: {rendered}\n"
        edits.append((end, end, line if text[end - 1] == "\n" else f"\n{line}"))
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def test_rewrite_outputs_keeps_everything_else() -> None:
    before = (
        "title: t\nturns:\n"
        "  - send: a\n    expect: x  # kept\n"
        "  - wait: {hours: 13}\n"
        "  - send: b\n    expect: |-\n      two\n      lines\n"
        "  # about c\n"
        "  - send: c\n    expect: y\n    outputs: [SendText]\n"
        "  - send: d\n    expect: z\n    outputs:\n      - {SaveAnswer: {kind: fear}}\n"
        "      - SendText\n"
        "  # about e\n"
        "  - send: e\n    expect: null\n    outputs: [OptOut]\n"
        "stored: {participants: []}"
    )
    save = SaveAnswer("f", "s", "fear", "text")
    outputs: list[tuple[Output, ...]] = [
        (FlowStarted("welcome"), SendText("x")),
        (SendText("two\nlines"),),
        (SendText("y"),),
        (save, SendText("z")),
        (OptIn(), SendText("back")),
    ]
    after = rewrite_outputs(before, outputs)
    assert after == (
        "title: t\nturns:\n"
        "  - send: a\n    expect: x  # kept\n    outputs: [FlowStarted, SendText]\n"
        "  - wait: {hours: 13}\n"
        "  - send: b\n    expect: |-\n      two\n      lines\n    outputs: [SendText]\n"
        "  # about c\n"
        "  - send: c\n    expect: y\n    outputs: [SendText]\n"
        "  - send: d\n    expect: z\n    outputs:\n      - {SaveAnswer: {kind: fear}}\n"
        "      - SendText\n"
        "  # about e\n"
        "  - send: e\n    expect: null\n    outputs: [OptIn, SendText]\n"
        "stored: {participants: []}"
    )
    assert rewrite_outputs(after, outputs) == after
    wrong = after.replace("{kind: fear}", "{kind: hope}")
    assert "outputs: [SaveAnswer, SendText]\n  # about e" in rewrite_outputs(wrong, outputs)


def test_outputs_as_written_checks_only_the_named_fields() -> None:
    save = SaveAnswer("energy-data", "worries", "fear", "Mistakes")
    actual = (save, SendText("Thank you."))
    golden = [{"SaveAnswer": {"kind": "fear", "step_id": "worries"}}, "SendText"]
    assert _outputs_as_written(actual, golden) == golden
    assert _outputs_as_written(actual, ["SaveAnswer"]) == ["SaveAnswer", "SendText"]
    assert _outputs_as_written(actual, [{"SaveAnswer": {"kind": "hope"}}]) == [
        {"SaveAnswer": {"kind": "fear"}},
        "SendText",
    ]


def _write(path: Path, text: str) -> None:
    """Replace the file in one step, so a test reading it meanwhile sees old or new, whole."""
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


# --- The golden tests ----------------------------------------------------------------------


def _sent(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [turn for turn in data["turns"] if "send" in turn]


@pytest.mark.parametrize("path", _transcripts(), ids=lambda path: path.stem)
def test_transcript(
    path: Path, transcript_services: Container, request: pytest.FixtureRequest
) -> None:
    """Through the service: the replies and what is stored. Under --update-golden this test
    also replays the engine and rewrites `expect` and `outputs` in one write."""
    services = transcript_services
    updating = bool(request.config.getoption("--update-golden"))
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    _check_format(path, data, updating)
    clock = FakeClock()
    services.inbound.clock = clock
    replies = _replay(services, clock, data)
    if updating:
        engine_turns = _replay_engine(data)
        assert [turn.reply for turn in engine_turns] == replies, "engine and service differ"
        rewritten = rewrite_expects(text, replies)
        rewritten = rewrite_outputs(rewritten, [turn.outputs for turn in engine_turns])
        turns = yaml.safe_load(rewritten)["turns"]
        assert [turn["expect"] for turn in turns if "send" in turn] == replies
        if rewritten != text:
            _write(path, rewritten)
    sent = _sent(data)
    actual = [{"send": t["send"], "reply": r} for t, r in zip(sent, replies, strict=True)]
    golden = [{"send": t["send"], "reply": t.get("expect")} for t in sent]
    if not updating:
        assert actual == golden, f"{path.name}: replies differ (see `turns`)"
    if "stored" in data:
        assert _stored(services, data) == data["stored"]["participants"]


@pytest.mark.parametrize("path", _transcripts(), ids=lambda path: path.stem)
def test_transcript_on_the_pure_engine(path: Path, request: pytest.FixtureRequest) -> None:
    """The same transcript through `bot.engine.step` alone: the replies and the outputs."""
    if request.config.getoption("--update-golden"):
        pytest.skip("--update-golden: test_transcript rewrites this file from both replays")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    _check_format(path, data, updating=False)
    turns = _replay_engine(data)
    sent = _sent(data)
    actual = [
        {"send": t["send"], "reply": turn.reply}
        | ({"outputs": _outputs_as_written(turn.outputs, t["outputs"])} if "outputs" in t else {})
        for t, turn in zip(sent, turns, strict=True)
    ]
    golden = [
        {"send": t["send"], "reply": t.get("expect")}
        | ({"outputs": t["outputs"]} if "outputs" in t else {})
        for t in sent
    ]
    assert actual == golden, f"{path.name}: the engine's replies or outputs differ"


def test_there_are_transcripts() -> None:
    assert len(_transcripts()) >= 20
