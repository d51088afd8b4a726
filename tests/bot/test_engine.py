"""The engine as a pure function: no database, no clock, the same answer for the same input.

It runs on the fixture flows (tests/data/flows), not the shipped ones, so that rewording a
product text cannot break a test of how the engine behaves.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest

from bot.engine import step
from bot.engine import texts as system_texts
from bot.engine.events import FlowEnded, Inbound, QueueQuestion, SendText, Timeout, Turn
from bot.engine.state import SessionState
from bot.flowspec.loading import load_library
from bot.flowspec.model import FlowLibrary, SayStep
from tests.conftest import FIXTURE_FLOWS

START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
#: Language, then NEXT through every explanation: the resident is then at the consent step.
TO_CONSENT = ("2", "next", "next", "next", "next", "next", "next", "next")


@pytest.fixture(scope="module")
def library() -> FlowLibrary:
    return load_library(FIXTURE_FLOWS, "energy-data")


def play(
    library: FlowLibrary, *texts: str, state: SessionState | None = None, now: datetime = START
) -> tuple[SessionState, list[Turn]]:
    """Send `texts` a minute apart; the last state and every turn."""
    turns = []
    for text in texts:
        turn = step(library, state, Inbound(text), now=now)
        state, now = turn.state, now + timedelta(minutes=1)
        turns.append(turn)
    assert state is not None
    return state, turns


def say_text(library: FlowLibrary, step_id: str) -> str:
    current = library.flow("energy-data").step(step_id)
    assert isinstance(current, SayStep)
    return current.text.en


def test_same_input_same_output(library: FlowLibrary) -> None:
    first_state, first_turns = play(library, *TO_CONSENT, "yes", "2", "Mistakes")
    second_state, second_turns = play(library, *TO_CONSENT, "yes", "2", "Mistakes")
    assert first_turns == second_turns
    assert first_state == second_state
    assert first_state.step_id == "hopes-after"


def test_step_leaves_the_given_state_alone(library: FlowLibrary) -> None:
    state, _ = play(library, *TO_CONSENT)
    before = copy.deepcopy(state.to_json())
    again = step(library, state, Inbound("yes"), now=START + timedelta(hours=1))
    assert state.to_json() == before
    assert again == step(library, state, Inbound("yes"), now=START + timedelta(hours=1))
    assert (again.state.step_id, again.state.consent) == ("view", True)


def test_state_survives_a_json_round_trip(library: FlowLibrary) -> None:
    state, _ = play(library, *TO_CONSENT, "yes", "2")
    assert SessionState.from_json(state.to_json()) == state


def test_reminder_sends_reminder_and_prompt_once(library: FlowLibrary) -> None:
    state, _ = play(library, "2", "next")
    assert state.step_id == "smart-meters"
    reminded = step(library, state, Timeout("reminder", "smart-meters"), now=START)
    expected = f"{system_texts.REMINDER.en}\n{say_text(library, 'smart-meters')}"
    assert reminded.outputs == (SendText(expected),)
    assert reminded.state == state.but(reminded=True)
    again = step(library, reminded.state, Timeout("reminder", "smart-meters"), now=START)
    assert again.outputs == ()
    assert again.state == reminded.state


def test_a_reply_after_a_reminder_is_an_answer_not_a_welcome_back(library: FlowLibrary) -> None:
    state, _ = play(library, "2", "next")
    reminded = step(library, state, Timeout("reminder", "smart-meters"), now=START).state
    later = START + timedelta(hours=30)
    turn = step(library, reminded, Inbound("ok"), now=later)
    assert turn.reply == say_text(library, "algorithm")
    assert (turn.state.step_id, turn.state.reminded) == ("algorithm", False)


@pytest.mark.parametrize("kind", ["reminder", "expiry"])
def test_a_timer_for_a_step_the_resident_has_left_does_nothing(
    library: FlowLibrary, kind: str
) -> None:
    state, _ = play(library, "2", "next", "next")
    assert state.step_id == "algorithm"
    turn = step(library, state, Timeout(kind, "smart-meters"), now=START)  # type: ignore[arg-type]
    assert turn == Turn(state, ())


def test_a_timer_after_the_end_does_nothing(library: FlowLibrary) -> None:
    state, _ = play(library, *TO_CONSENT, "no")
    assert state.status == "completed"
    turn = step(library, state, Timeout("reminder", state.step_id), now=START)
    assert turn == Turn(state, ())


def test_expiry_ends_the_flow_and_the_next_message_resumes(library: FlowLibrary) -> None:
    state, _ = play(library, "2", "next")
    expired = step(library, state, Timeout("expiry", "smart-meters"), now=START)
    assert expired.outputs == (FlowEnded("energy-data", "expired"),)
    assert expired.reply is None
    assert (expired.state.status, expired.state.step_id) == ("expired", "smart-meters")
    later = START + timedelta(days=3)
    back = step(library, expired.state, Inbound("hello?"), now=later)
    assert back.reply == (f"{system_texts.WELCOME_BACK.en}\n{say_text(library, 'smart-meters')}")
    assert (back.state.status, back.state.step_id) == ("active", "smart-meters")


def test_a_timer_needs_a_conversation(library: FlowLibrary) -> None:
    with pytest.raises(ValueError, match="no conversation"):
        step(library, None, Timeout("reminder", "plan"), now=START)


def test_start_after_stop_at_the_end_welcomes_back(library: FlowLibrary) -> None:
    """A resident who finished, texted STOP, then START, must get an answer, not an error."""
    answers = ("yes", "1", "Warm homes", "Mistakes", "Nothing", "no", "yes")
    state, turns = play(library, *TO_CONSENT, *answers, "STOP")
    assert turns[-2].state.status == "completed"
    assert state.opted_out
    turn = step(library, state, Inbound("START"), now=START + timedelta(days=1))
    assert turn.reply is not None
    assert turn.reply.startswith(system_texts.OPTED_IN.en)
    assert system_texts.ENDED.en in turn.reply
    assert not turn.state.opted_out
    assert turn.state.status == "completed"


def test_a_follow_up_to_an_faq_answer_reaches_an_officer(library: FlowLibrary) -> None:
    """'Did that answer it?' answered with another question: that question must not be lost."""
    state, turns = play(library, "2", "next", "ASK is it free?")
    assert turns[-1].reply is not None
    assert turns[-1].reply.endswith("Did that answer it? 1 Yes 2 No")
    follow_up = "But who pays for the boiler check?"
    turn = step(library, state, Inbound(follow_up), now=START + timedelta(hours=1))
    queued = [output.text for output in turn.outputs if isinstance(output, QueueQuestion)]
    assert any(follow_up in text for text in queued), queued


def test_a_state_from_before_a_flow_changed_restarts_that_flow(library: FlowLibrary) -> None:
    """A step removed from the flow file while a resident was on it must not break them."""
    state, _turns = play(library, *TO_CONSENT[:4])
    stale = state.but(step_id="a-step-since-deleted", choices={"view": "yes"})
    turn = step(library, stale, Inbound("REPEAT"), now=START + timedelta(hours=1))
    first = library.flow(state.flow_id).first_step()
    assert (turn.state.flow_id, turn.state.step_id) == (state.flow_id, first.id)
    assert turn.state.language == state.language
    assert turn.reply == first.text.in_(state.language or "en")
