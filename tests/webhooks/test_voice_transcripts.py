"""Golden calls: every file in tests/data/voice_transcripts/ replayed through the real service
(SQLite and PostgreSQL), as Twilio would make the call: signed requests to the URL each TwiML
answer names, and every answer compared, exactly, with what the file says the caller hears.

Each file is one behaviour. Format: `title`; optional `number` (default +447700900321; a word
such as `anonymous` is a withheld number); optional `before`, texts the number sends by SMS
first (through POST /twilio/messages, e.g. ["hi", "1"] or ["STOP"]); `turns`, each one thing
the caller does and what they then hear:

- `{ring: true}`: a call to our number (each ring is a new call, with a CallSid of its own);
- `{press: "2"}`: a key (quoted: YAML reads 2 as a number) where the call waits for one;
- `{silence: true}`: no key where one is waited for, or no words where a recording is;
- `{record: true}`: an own-words answer recorded, ended with #;
- `{skip: true}`: 1 pressed during a recording, to skip the question.

`expect` is what the TwiML answer says and does, in full: `said`, each `<Say>` in order as
"cy: words" or "en: words" (each checked to be in that language's voice), and `then`, what
follows: `key` (a one-key `<Gather>` around the words), `recording` (`<Record>` after them,
then a `<Redirect>` for silence) or `hangup`. Every other attribute and verb is checked here
against the one shape each of those has, so the file says everything the caller gets.

Optional `stored`, checked once the call is over, names only the facts it checks: `caller`
(the number's voice participant: language, consent, hear_back, opted_out; null for none),
`answers` (the caller's, oldest first: step, kind, value when there is one, and whether a
recording carries it), `recordings` (how many of this number's, by status), `calls` (how many)
and `texted` (whether a text to the number waits in the outbox, as the offer to go on by text
does).

`pytest --update-golden` rewrites each turn's `expect` from what was actually said, leaving
comments and everything else alone (a comment inside an `expect` goes with it), so the diff
shows reviewers how a call changed.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from flask.testing import FlaskClient
from sqlmodel import col, select

from bot.channels.twiml import (
    KEY_WAIT_SECONDS,
    MOST_RECORDING_SECONDS,
    RECORD_WAIT_SECONDS,
)
from bot.runtime.container import Container
from bot.store.models import Answer, Call, OutboxMessage, Participant, Recording
from tests.conftest import TEST_PUBLIC_URL
from tests.helpers import inbound_params, new_sid, signed_post
from tests.webhooks.voice_caller import CALLER, OUR_NUMBER

TRANSCRIPTS = Path(__file__).resolve().parents[1] / "data" / "voice_transcripts"
ACTIONS = ("ring", "press", "silence", "record", "skip")
#: The voice each language is said in (Amazon Polly through Twilio).
VOICES = {"cy": ("cy-GB", "Polly.Gwyneth"), "en": ("en-GB", "Polly.Amy")}
CALLER_FACTS = ("language", "consent", "hear_back", "opted_out")
STORED_FACTS = {"caller", "answers", "recordings", "calls", "texted"}
BASE = TEST_PUBLIC_URL + "/twilio/voice"


def _transcripts() -> list[Path]:
    return sorted(TRANSCRIPTS.glob("*.yaml"))


# --- Reading a file -------------------------------------------------------------------------


def _check_format(path: Path, data: Any, updating: bool) -> None:
    """Fail early and plainly on a malformed file, e.g. `press: 1` that YAML read as a number."""
    name = path.name
    assert isinstance(data, dict), f"{name}: not a mapping"
    assert set(data) <= {"title", "number", "before", "turns", "stored"}, name
    assert isinstance(data.get("title"), str), f"{name}: needs a title"
    assert isinstance(data.get("number", CALLER), str), f"{name}: quote the number"
    before = data.get("before", [])
    assert isinstance(before, list), f"{name}: before is a list of texts"
    assert all(isinstance(text, str) for text in before), f"{name}: quote before's texts"
    assert data.get("turns"), f"{name}: needs turns"
    assert next(iter(data["turns"][0]), None) == "ring", f"{name}: a call starts with a ring"
    for number, turn in enumerate(data["turns"], start=1):
        where = f"{name}: turn {number}"
        assert isinstance(turn, dict), f"{where}: must be e.g. {{press: '1', expect: ...}}"
        actions = [key for key in turn if key in ACTIONS]
        assert len(actions) == 1, f"{where}: one of {', '.join(ACTIONS)}"
        allowed = {actions[0], "expect"}
        assert set(turn) <= allowed, f"{where}: unknown keys {sorted(set(turn) - allowed)}"
        assert updating or "expect" in turn, f"{where}: needs expect"
        if actions[0] == "press":
            key = turn["press"]
            assert isinstance(key, str), f"{where}: quote press (YAML reads 1 as a number)"
            assert len(key) == 1, f"{where}: one key"
            assert key in "0123456789*#", f"{where}: a key of a phone keypad"
        else:
            assert turn[actions[0]] is True, f"{where}: write {actions[0]}: true"
        if turn.get("expect") is not None:
            _check_expect_format(where, turn["expect"])
    stored = data.get("stored", {})
    assert isinstance(stored, dict), f"{name}: stored is a mapping"
    assert set(stored) <= STORED_FACTS, f"{name}: stored knows only {sorted(STORED_FACTS)}"
    caller = stored.get("caller")
    assert caller is None or set(caller) <= set(CALLER_FACTS), f"{name}: caller facts"


def _check_expect_format(where: str, expect: Any) -> None:
    assert isinstance(expect, dict), f"{where}: expect is {{said: [...], then: ...}}"
    assert set(expect) == {"said", "then"}, f"{where}: expect needs said and then"
    assert expect["then"] in {"key", "recording", "hangup"}, f"{where}: then"
    for line in expect["said"]:
        assert isinstance(line, str), f"{where}: quote each said line"
        assert line[:4] in {"cy: ", "en: "}, f"{where}: said lines start cy: or en:"


# --- Reading the TwiML ----------------------------------------------------------------------


class TwimlShapeError(AssertionError):
    pass


def _expect(condition: bool, what: str) -> None:
    if not condition:
        raise TwimlShapeError(what)


def _said(verbs: list[ET.Element]) -> list[str]:
    said = []
    for verb in verbs:
        _expect(verb.tag == "Say" and not list(verb), f"only <Say> here, not <{verb.tag}>")
        languages = [
            lang
            for lang, voice in VOICES.items()
            if dict(verb.attrib) == dict(zip(("language", "voice"), voice, strict=True))
        ]
        _expect(len(languages) == 1, f"a <Say> in neither voice: {verb.attrib}")
        said.append(f"{languages[0]}: {verb.text or ''}")
    _expect(bool(said), "nothing said")
    return said


def _url(url: str, route: str, *fields: str) -> dict[str, str]:
    """The query of `url`, which must be `route` under our public URL with these number fields."""
    parts = urlsplit(url)
    _expect(f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{BASE}{route}", url)
    found = {name: values[0] for name, values in parse_qs(parts.query).items()}
    _expect(sorted(found) == sorted(fields), f"{url}: expected fields {sorted(fields)}")
    _expect(all(value.isdigit() for value in found.values()), url)
    return found


def read_twiml(body: bytes) -> tuple[dict[str, Any], dict[str, str]]:
    """The answer as a file writes it ({said, then}) and where the caller goes next; fails on
    anything in the TwiML the compact form would not say."""
    root = ET.fromstring(body)
    _expect(root.tag == "Response" and not root.attrib, "not a bare <Response>")
    verbs = list(root)
    tags = [verb.tag for verb in verbs]
    if tags == ["Gather"]:
        gather = verbs[0]
        attributes = dict(gather.attrib)
        action = attributes.pop("action", "")
        _expect(
            attributes
            == {
                "actionOnEmptyResult": "true",
                "input": "dtmf",
                "method": "POST",
                "numDigits": "1",
                "timeout": str(KEY_WAIT_SECONDS),
            },
            f"<Gather {gather.attrib}>",
        )
        _url(action, "/gather", "turn", "misses")
        return {"said": _said(list(gather)), "then": "key"}, {"key": action}
    if tags[-2:] == ["Record", "Redirect"]:
        record, redirect = verbs[-2:]
        attributes = dict(record.attrib)
        action = attributes.pop("action", "")
        _expect(
            attributes
            == {
                "finishOnKey": "#1",
                "maxLength": str(MOST_RECORDING_SECONDS),
                "method": "POST",
                "playBeep": "true",
                "recordingStatusCallback": f"{BASE}/recording",
                "recordingStatusCallbackEvent": "completed absent",
                "recordingStatusCallbackMethod": "POST",
                "timeout": str(RECORD_WAIT_SECONDS),
            },
            f"<Record {record.attrib}>",
        )
        _expect(dict(redirect.attrib) == {"method": "POST"}, f"<Redirect {redirect.attrib}>")
        silent = redirect.text or ""
        turn = _url(action, "/record", "turn")["turn"]
        again = _url(silent, "/gather", "turn", "misses")
        _expect(again["turn"] == turn, f"{silent}: not the recording's turn")
        said = _said(verbs[:-2])
        return {"said": said, "then": "recording"}, {"record": action, "silence": silent}
    _expect(tags[-1:] == ["Hangup"] and not list(verbs[-1]), f"no <Hangup/> after {tags}")
    _expect(not verbs[-1].attrib, "<Hangup> with attributes")
    return {"said": _said(verbs[:-1]), "then": "hangup"}, {}


def test_read_twiml_refuses_what_the_compact_form_would_not_say() -> None:
    key = (
        f'<Response><Gather action="{BASE}/gather?turn=2&amp;misses=0"'
        ' actionOnEmptyResult="true" input="dtmf" method="POST" numDigits="1"'
        f' timeout="{KEY_WAIT_SECONDS}">'
        '<Say language="cy-GB" voice="Polly.Gwyneth">Helo</Say></Gather></Response>'
    )
    expect, next_urls = read_twiml(key.encode())
    assert expect == {"said": ["cy: Helo"], "then": "key"}
    assert next_urls == {"key": f"{BASE}/gather?turn=2&misses=0"}
    wrong = [
        key.replace("Polly.Gwyneth", "Polly.Amy"),  # Welsh words in the English voice
        key.replace('timeout="', 'finishOnKey="" timeout="'),
        key.replace("</Gather>", "</Gather><Hangup/>"),
        key.replace("/gather?", "/record?"),
        key.replace("sgwrs.example.test", "elsewhere.example"),
        "<Response><Say>Hi</Say></Response>",
        "<Response><Reject/></Response>",
    ]
    for body in wrong:
        with pytest.raises(TwimlShapeError):
            read_twiml(body.encode())


# --- Making the call ------------------------------------------------------------------------


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _params(sid: str, number: str, extra: dict[str, str]) -> dict[str, str]:
    return {
        "CallSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": number,
        "To": OUR_NUMBER,
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
        **extra,
    }


def _request(turn: dict[str, Any], next_urls: dict[str, str], where: str) -> tuple[str, dict]:
    """Where Twilio would post for this turn of the caller's, and the fields it adds."""
    action = next(key for key in turn if key in ACTIONS)
    in_progress = {"CallStatus": "in-progress"}
    recording = {
        "RecordingSid": new_sid("RE"),
        "RecordingUrl": "https://api.twilio.com/2010-04-01/Recordings/RE",
        "RecordingDuration": "9",
    }
    if action == "press":
        assert "key" in next_urls, f"{where}: the call was not waiting for a key"
        return next_urls["key"], in_progress | {"Digits": turn["press"]}
    if action == "silence":  # no Digits: Twilio sends none for an empty <Gather>
        assert next_urls, f"{where}: the call had hung up"
        return next_urls.get("key") or next_urls["silence"], in_progress
    assert "record" in next_urls, f"{where}: the call was not recording"
    key = "#" if action == "record" else "1"
    return next_urls["record"], in_progress | recording | {"Digits": key}


def replay(client: FlaskClient, data: dict[str, Any]) -> list[dict[str, Any]]:
    """What the caller heard at each turn, in the files' compact form."""
    number = str(data.get("number", CALLER))
    for text in data.get("before", []):
        texted = signed_post(client, "/twilio/messages", inbound_params(number, text))
        assert texted.status_code == 200, f"before: {text!r} got {texted.status_code}"
    heard: list[dict[str, Any]] = []
    sid, next_urls = "", {}
    for index, turn in enumerate(data["turns"], start=1):
        where = f"turn {index}"
        if "ring" in turn:
            sid, url, extra = new_sid("CA"), BASE, {"CallStatus": "ringing"}
        else:
            url, extra = _request(turn, next_urls, where)
        response = signed_post(client, _path(url), _params(sid, number, extra))
        assert response.status_code == 200, f"{where}: {response.status_code} {response.data!r}"
        assert response.mimetype == "text/xml", where
        expect, next_urls = read_twiml(response.data)
        if next_urls:  # the next callback names a later turn, so it is never taken as a retry
            turn_now = int(parse_qs(urlsplit(url).query).get("turn", ["0"])[0])
            turn_next = int(parse_qs(urlsplit(next(iter(next_urls.values()))).query)["turn"][0])
            assert turn_next > turn_now, f"{where}: turn {turn_now} answered as {turn_next}"
        heard.append(expect)
    return heard


# --- What is stored -------------------------------------------------------------------------


def _stored(services: Container, data: dict[str, Any]) -> dict[str, Any]:
    """The facts `stored` names, about every participant who used this number (a withheld
    number has none to look up by, so then about everyone)."""
    wanted = data["stored"]
    number = str(data.get("number", CALLER))
    with services.db.session() as session:
        query = select(Participant).order_by(col(Participant.id))
        if number.startswith("+"):
            hashes = services.vault.number_hashes(number)
            query = query.where(col(Participant.number_hash).in_(hashes))
        everyone = list(session.exec(query))
        ids = [p.id for p in everyone]
        callers = [p for p in everyone if p.channel == "voice"]
        facts: dict[str, Any] = {}
        if "caller" in wanted:
            assert len(callers) <= 1, "more than one voice participant for the number"
            shown = wanted["caller"] or {}
            facts["caller"] = (
                {name: getattr(callers[0], name) for name in shown} if callers else None
            )
        recordings = list(
            session.exec(select(Recording).where(col(Recording.participant_id).in_(ids)))
        )
        if "answers" in wanted:
            voiced = {r.answer_id for r in recordings if r.answer_id is not None}
            answers = session.exec(
                select(Answer)
                .where(col(Answer.participant_id).in_([p.id for p in callers]))
                .order_by(col(Answer.id))
            )
            facts["answers"] = [
                {"step": a.step_id, "kind": a.kind}
                | ({"value": a.value} if a.value is not None else {})
                | {"recording": a.id in voiced}
                for a in answers
            ]
        if "recordings" in wanted:
            facts["recordings"] = dict(sorted(Counter(r.status for r in recordings).items()))
        if "calls" in wanted:
            calls = session.exec(select(Call).where(col(Call.participant_id).in_(ids)))
            facts["calls"] = len(list(calls))
        if "texted" in wanted:
            outbox = session.exec(
                select(OutboxMessage).where(col(OutboxMessage.participant_id).in_(ids))
            )
            facts["texted"] = bool(list(outbox))
    return facts


# --- Rewriting `expect` (--update-golden) ---------------------------------------------------


def _quoted(value: str) -> str:
    """One double-quoted YAML line: apostrophes stay as they are, a newline reads as \\n."""
    dumped = yaml.safe_dump(value, default_style='"', allow_unicode=True, width=1_000_000)
    return dumped.removesuffix("\n").removesuffix("\n...")


def _render_expect(expect: dict[str, Any], indent: int) -> str:
    pad = " " * indent
    lines = [f"{pad}said:"] + [f"{pad}  - {_quoted(line)}" for line in expect["said"]]
    return "\n".join([*lines, f"{pad}then: {expect['then']}"])


def _content_end(node: yaml.Node) -> int:
    """Where a value's own text ends: a block collection's end mark lies past the comments
    after it, so the end of its last item is used, and those comments are kept."""
    if isinstance(node, yaml.ScalarNode) or node.flow_style or not node.value:
        return node.end_mark.index
    last = node.value[-1]
    return _content_end(last[1] if isinstance(node, yaml.MappingNode) else last)


def rewrite_expects(text: str, heard: list[dict[str, Any]]) -> str:
    """`text` with each turn's `expect` set to what was heard; nothing else changes."""
    root = yaml.compose(text)
    turns = next(value for key, value in root.value if key.value == "turns").value
    assert len(turns) == len(heard)
    edits: list[tuple[int, int, str]] = []
    for node, expect in zip(turns, heard, strict=True):
        pairs = {key.value: (key, value) for key, value in node.value}
        first_key = node.value[0][0]
        indent = first_key.start_mark.column
        block = _render_expect(expect, indent + 2)
        if "expect" in pairs:
            key, value = pairs["expect"]
            start, end = key.end_mark.index + 1, _content_end(value)
            edits.append((start, end, "\n" + block))
            continue
        last_value = node.value[-1][1]
        end = _content_end(last_value)
        newline = text.find("\n", end)
        at = len(text) if newline == -1 else newline
        edits.append((at, at, f"\n{' ' * indent}expect:\n{block}"))
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def test_rewrite_expects_keeps_everything_else() -> None:
    before = (
        "title: t\n# why this call matters\nturns:\n"
        "  - ring: true  # kept\n"
        '    expect:\n      said:\n        - "cy: Hen"\n      then: key\n'
        "  # about the key\n"
        '  - press: "1"\n'
        '  - silence: true\n    expect: {said: ["en: old"], then: key}\n'
        "stored: {texted: false}\n"
    )
    heard = [
        {"said": ["cy: Mae'n ddrwg gen i", 'en: Say "yes"'], "then": "key"},
        {"said": ["en: Thanks.\nGo on"], "then": "recording"},
        {"said": ["en: Goodbye."], "then": "hangup"},
    ]
    after = rewrite_expects(before, heard)
    assert after == (
        "title: t\n# why this call matters\nturns:\n"
        "  - ring: true  # kept\n"
        '    expect:\n      said:\n        - "cy: Mae\'n ddrwg gen i"\n'
        '        - "en: Say \\"yes\\""\n      then: key\n'
        "  # about the key\n"
        '  - press: "1"\n'
        '    expect:\n      said:\n        - "en: Thanks.\\nGo on"\n      then: recording\n'
        '  - silence: true\n    expect:\n      said:\n        - "en: Goodbye."\n'
        "      then: hangup\n"
        "stored: {texted: false}\n"
    )
    assert [turn["expect"] for turn in yaml.safe_load(after)["turns"]] == heard
    assert rewrite_expects(after, heard) == after


def _write(path: Path, text: str) -> None:
    """Replace the file in one step, so a test reading it meanwhile sees old or new, whole."""
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


# --- The golden tests -----------------------------------------------------------------------


@pytest.mark.parametrize("path", _transcripts(), ids=lambda path: path.stem)
def test_voice_transcript(
    path: Path,
    client: FlaskClient,
    services: Container,
    database_url: str,
    request: pytest.FixtureRequest,
) -> None:
    """The call through the service: every answer, then what is stored. Under
    --update-golden it runs on SQLite only and rewrites the file's `expect` values."""
    updating = bool(request.config.getoption("--update-golden"))
    if updating and not database_url.startswith("sqlite"):
        pytest.skip("--update-golden rewrites from the SQLite replay")
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    _check_format(path, data, updating)
    heard = replay(client, data)
    if updating:
        rewritten = rewrite_expects(text, heard)
        assert [turn["expect"] for turn in yaml.safe_load(rewritten)["turns"]] == heard
        if rewritten != text:
            _write(path, rewritten)
    else:
        golden = [turn["expect"] for turn in data["turns"]]
        actions = [{k: v for k, v in turn.items() if k != "expect"} for turn in data["turns"]]
        actual = [{"do": a, "expect": e} for a, e in zip(actions, heard, strict=True)]
        expected = [{"do": a, "expect": e} for a, e in zip(actions, golden, strict=True)]
        assert actual == expected, f"{path.name}: what the caller heard differs"
    if "stored" in data:
        assert _stored(services, data) == data["stored"], f"{path.name}: stored"


def test_there_are_voice_transcripts_in_both_languages() -> None:
    paths = _transcripts()
    assert len(paths) >= 10
    said = [
        line
        for path in paths
        for turn in yaml.safe_load(path.read_text(encoding="utf-8"))["turns"]
        for line in (turn.get("expect") or {}).get("said", [])
    ]
    assert any(line.startswith("cy: ") for line in said)
    assert any(line.startswith("en: ") for line in said)


def _heard_in_files() -> list[tuple[str, list[dict[str, Any]]]]:
    return [
        (path.name, yaml.safe_load(path.read_text(encoding="utf-8"))["turns"])
        for path in _transcripts()
    ]


#: What a text tells a resident to do, which means nothing on a call ("Reply NEXT", "Atebwch
#: IE", "Send ASK", "Anfonwch GOFYN"); telling an opted-out caller to text START is not it.
SMS_INSTRUCTION = re.compile(r"\b(Reply|Atebwch|Send|Anfonwch)\b")


def test_no_call_says_what_to_reply_or_send() -> None:
    wrong = [
        f"{name}: {line}"
        for name, turns in _heard_in_files()
        for turn in turns
        for line in (turn.get("expect") or {}).get("said", [])
        if SMS_INSTRUCTION.search(line)
    ]
    assert not wrong


def test_both_languages_welsh_first_and_one_language_once_chosen() -> None:
    """A turn said in both languages says all its Welsh first; once a turn is said in one
    language, every later one is said in that language alone, until * changes it."""
    wrong = []
    for name, turns in _heard_in_files():
        chosen: str | None = None
        for number, turn in enumerate(turns, start=1):
            languages = [line[:2] for line in (turn.get("expect") or {}).get("said", [])]
            if "press" in turn and turn["press"] == "*" and chosen is not None:
                chosen = "cy" if chosen == "en" else "en"
            if chosen is not None and set(languages) != {chosen}:
                wrong.append(f"{name}: turn {number} is not in {chosen} alone: {languages}")
            elif len(set(languages)) > 1 and languages != sorted(languages):
                wrong.append(f"{name}: turn {number} is not Welsh first: {languages}")
            elif len(set(languages)) == 1:
                chosen = languages[0]
    assert not wrong
