"""The same flows on a phone call: every step said with the keys to press (never "Reply NEXT"),
keys read as the replies they stand for, and an own-words answer kept as its recording."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot import engine
from bot.engine.events import Inbound, SaveAnswer, Turn
from bot.engine.state import SessionState
from bot.engine.voice import aloud, key_reply, listens_for, spoken_prompt
from bot.flowspec.loading import load_library
from bot.flowspec.model import FlowLibrary, Text
from tests.conftest import FIXTURE_FLOWS

NOW = datetime(2027, 1, 12, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def library() -> FlowLibrary:
    return load_library(FIXTURE_FLOWS, "energy-data")


def call(library: FlowLibrary, *keys: str) -> tuple[SessionState, list[Turn]]:
    """A caller pressing `keys` (or giving a recording, "RE..."), from a first key that picks
    the language."""
    state: SessionState | None = None
    turns = []
    for key in keys:
        if key.startswith("RE"):
            event = Inbound("", medium="voice", recording=key)
        elif state is None:
            event = Inbound(key, medium="voice")
        else:
            step = library.flow(state.flow_id).step(state.step_id)
            reply = key_reply(step, key)
            assert reply is not None, f"key {key} means nothing at {state.step_id}"
            event = Inbound(reply, medium="voice")
        turn = engine.step(library, state, event, now=NOW)
        state = turn.state
        turns.append(turn)
    assert state is not None
    return state, turns


def test_a_reply_instruction_is_not_said_and_the_keys_are() -> None:
    said = aloud(Text(cy="Mae'n oer. Atebwch NESAF", en="It is cold. Reply NEXT for more"))
    assert (said.cy, said.en) == ("Mae'n oer.", "It is cold.")
    both = aloud(Text(cy="Diolch. Anfonwch GOFYN. Atebwch IE", en="Thanks. Send ASK. Reply YES"))
    assert (both.cy, both.en) == ("Diolch.", "Thanks.")
    whole = aloud(Text(cy="Atebwch NESAF", en="Reply NEXT"))
    assert (whole.cy, whole.en) == ("Atebwch NESAF", "Reply NEXT")  # nothing else to say


def test_the_greeting_is_welsh_first_with_its_key(library: FlowLibrary) -> None:
    welcome = library.flow(library.welcome_flow)
    greeting = spoken_prompt(welcome, welcome.first_step())
    assert greeting.cy.endswith("I barhau yn Gymraeg, pwyswch 1.")
    assert greeting.en.endswith("For English, press 2.")


def test_a_whole_call_in_english_says_keys_and_keeps_recordings(library: FlowLibrary) -> None:
    keys = ["2", *["1"] * 8, "3", "RE01", "1", "RE02", "1", "1"]
    state, turns = call(library, *keys)
    replies = [turn.reply or "" for turn in turns]
    assert state.status == "completed"
    assert state.language == "en"
    assert not any("Reply" in reply or "Send ASK" in reply for reply in replies)
    assert "Press 1 to go on" in replies[0]
    assert "Press 1: Yes. Press 2: No. Press 3: Not sure." in replies[-7]
    assert "press the hash key" in replies[-6]
    saved = [o for turn in turns for o in turn.outputs if isinstance(o, SaveAnswer)]
    spoken = [(a.step_id, a.kind, a.text, a.recording) for a in saved if a.recording]
    assert spoken == [("hopes", "hope", "", "RE01"), ("feedback", "feedback", "", "RE02")]
    assert [a.kind for a in saved if not a.recording] == ["choice", "skipped", "choice"]
    assert replies[-1].endswith("Goodbye.")


def test_a_whole_call_in_welsh_reads_welsh_only(library: FlowLibrary) -> None:
    state, turns = call(library, "1", *["1"] * 8, "1", "RE03", "RE04", "1", "RE05", "2")
    assert state.status == "completed"
    assert state.language == "cy"
    replies = " ".join(turn.reply or "" for turn in turns)
    assert "Pwyswch 1 i barhau" in replies
    assert "Pwyswch 1 am ie, neu 2 am na." in replies
    assert "Press" not in replies
    assert "Atebwch" not in replies


def test_keys_mean_only_what_the_step_offers(library: FlowLibrary) -> None:
    flow = library.flow("energy-data")
    plan, consent, view, hopes = (flow.step(s) for s in ("plan", "consent", "view", "hopes"))
    assert key_reply(plan, "1") == "next"
    assert key_reply(plan, "2") == "simpler"
    assert key_reply(plan, "3") is None
    assert (key_reply(consent, "1"), key_reply(consent, "2"), key_reply(consent, "3")) == (
        "yes",
        "no",
        None,
    )
    assert [key_reply(view, k) for k in "1234"] == ["1", "2", "3", None]
    assert key_reply(hopes, "1") == "skip"
    assert key_reply(hopes, "2") is None
    assert [key_reply(view, k) for k in "09*"] == [None, None, None]  # the call's own keys
    assert listens_for(hopes, ended=False) == "recording"
    assert listens_for(view, ended=False) == "key"
    assert listens_for(view, ended=True) == "nothing"


def test_saying_no_to_keeping_answers_ends_the_call_kindly(library: FlowLibrary) -> None:
    state, _ = call(library, "2", *["1"] * 8, "1")
    assert state.consent is True
    _, declined = call(library, "2", *["1"] * 7, "2")
    assert declined[-1].state.status == "completed"
    assert "We will not keep your answers." in (declined[-1].reply or "")
    assert "Goodbye." in (declined[-1].reply or "")
