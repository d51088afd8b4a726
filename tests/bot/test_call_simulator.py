"""The simulators' phone call (bot/core/call_simulator.py): the real call desk as a test caller,
with typed words in place of a recorded answer, kept as the answer's text."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.core.call_simulator import (
    CallSimulator,
    Played,
    SimulatedCall,
    SimulatorError,
    new_call_sid,
)
from bot.engine import texts as say
from bot.runtime.container import Container
from bot.store.models import Answer, Call, Participant, Recording, RecordingDeletion
from tests.conftest import make_container
from tests.webhooks.voice_caller import CALLER

#: From the language question (English) through the explanations to consent, and a yes to it.
TO_VIEW = ["2", *["1"] * 7, "1"]


def play(services: Container, keys: list[str]) -> tuple[CallSimulator, SimulatedCall, Played]:
    simulator = CallSimulator(services.calls)
    call = SimulatedCall(new_call_sid(), CALLER)
    played = simulator.ring(call)
    for key in keys:
        played = simulator.press(call, played, key)
    return simulator, call, played


def rows(services: Container, model: type) -> list:
    with services.db.session() as session:
        return list(session.exec(select(model)))


def test_a_simulated_call_keeps_typed_answers_as_their_text(services: Container) -> None:
    simulator, call, played = play(services, [])
    assert [language for language, _ in played.said] == ["cy", "en"]
    assert played.listen == "key"
    for key in TO_VIEW:
        played = simulator.press(call, played, key)
    played = simulator.press(call, played, "1")  # their view: yes
    assert played.listen == "recording"
    assert {language for language, _ in played.said} == {"en"}
    played = simulator.answer(call, played, "  Cheaper bills for everyone  ")  # hopes
    played = simulator.answer(call, played, "1")  # worries: skipped
    again = simulator.answer(call, played, "")  # silence: the question again
    assert again.said[0] == ("en", say.VOICE_MISSED.en)
    assert (again.listen, again.misses) == ("recording", 1)
    played = simulator.answer(call, again, "Clearer letters please")  # feedback
    played = simulator.answer(call, played, "1")  # no question
    played = simulator.press(call, played, "1")  # hear back: yes
    assert played.ended

    answers = {answer.step_id: answer for answer in rows(services, Answer)}
    vault = services.vault
    assert vault.open(answers["hopes"].text_encrypted) == "Cheaper bills for everyone"
    assert vault.open(answers["feedback"].text_encrypted) == "Clearer letters please"
    assert answers["hopes"].words  # indexed for search like any answer
    assert answers["worries"].kind == "skipped"
    simulated = [r for r in rows(services, Recording) if r.status == "simulated"]
    assert {r.answer_id for r in simulated} == {answers["hopes"].id, answers["feedback"].id}
    assert all(r.audio_encrypted is None and r.deleted_at_twilio for r in simulated)
    assert all(r.duration_seconds >= 1 for r in simulated)
    deletions = {d.recording_sid for d in rows(services, RecordingDeletion)}
    assert not deletions & {r.recording_sid for r in simulated}  # nothing to delete at Twilio
    [participant] = rows(services, Participant)
    assert (participant.channel, participant.is_test, participant.language) == ("voice", True, "en")
    [row] = rows(services, Call)
    assert (row.call_sid, row.status) == (call.call_sid, "completed")
    assert row.duration_seconds is not None


def test_an_answer_sent_twice_keeps_one_recording_and_one_answer(services: Container) -> None:
    simulator, call, played = play(services, [*TO_VIEW, "1"])
    first = simulator.answer(call, played, "Warm homes")
    second = simulator.answer(call, played, "Warm homes")
    assert second.listen == first.listen == "recording"
    assert len(rows(services, Recording)) == 1
    assert [a.step_id for a in rows(services, Answer) if a.kind != "choice"] == ["hopes"]


def test_a_call_that_gives_up_offers_a_text_to_the_test_caller(services: Container) -> None:
    simulator, call, played = play(services, ["2"])
    for _ in range(3):
        played = simulator.press(call, played, "")
    assert played.ended
    assert played.texted
    assert played.said == (("en", say.VOICE_GOODBYE_TEXT.en),)
    assert all(p.is_test for p in rows(services, Participant))


def test_a_number_a_real_caller_uses_is_never_simulated(services: Container) -> None:
    real = services.calls.flow
    real.press(new_call_sid(), CALLER, 1, "2", 0)  # a real caller chose English
    with pytest.raises(SimulatorError, match="not test data"):
        CallSimulator(services.calls).ring(SimulatedCall(new_call_sid(), CALLER))
    [participant] = rows(services, Participant)
    assert not participant.is_test


def test_a_move_the_call_is_not_waiting_for_is_refused(services: Container) -> None:
    simulator, call, played = play(services, [])
    with pytest.raises(SimulatorError, match="one key"):
        simulator.press(call, played, "12")
    with pytest.raises(SimulatorError, match="not waiting for an answer"):
        simulator.answer(call, played, "hello")
    assert rows(services, Participant) == []


def test_in_missed_call_mode_the_call_is_rejected_and_texted(sqlite_url: str) -> None:
    services = make_container(sqlite_url, VOICE_MODE="missed-call")
    try:
        played = CallSimulator(services.calls).ring(SimulatedCall(new_call_sid(), CALLER))
        assert (played.missed, played.texted, played.ended) == (True, True, True)
        [participant] = rows(services, Participant)
        assert (participant.channel, participant.is_test) == ("sms", True)
    finally:
        services.db.engine.dispose()
