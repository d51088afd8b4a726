"""A call through the voice flow, end to end: the fake Twilio dials the app over HTTP and
follows its TwiML as Twilio does (every request signed), the caller speaks their answers and
skips some, the fake posts each recording's status callback, and the worker fetches each kept
recording, seals it, stores it and deletes it at the fake; skipped ones are deleted unheard."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import select

from bot.channels.fake_twilio import CallError, FakeCallSession, FakeTwilio
from bot.core.recordings import open_audio
from bot.engine import texts as say
from bot.store.models import Answer, Call, Participant, Recording
from tests.delivery.support import SMS_FROM, AppServer, Harness, MovableClock
from tests.helpers import SOME_AUDIO

pytestmark = pytest.mark.redis

CALLER = "+447700900123"
#: From the language question through the explanations and the privacy notice to consent.
TO_CONSENT = ["1"] * 7
HOPE = SOME_AUDIO + b"hopes"
FEEDBACK = SOME_AUDIO + b"feedback"


def dial(
    make_harness: Callable[..., Harness],
    database_url: str,
    app_server: AppServer,
    clock: MovableClock,
    fake: FakeTwilio,
) -> tuple[Harness, FakeCallSession]:
    harness = app_server.serve(make_harness, database_url, clock, VOICE_MODE="flow")
    return harness, fake.dial(app_server.url + "/twilio/voice", CALLER, SMS_FROM)


def recordings(harness: Harness) -> dict[str, Recording]:
    with harness.services.db.session() as session:
        rows = session.exec(select(Recording)).all()
    return {row.recording_sid: row for row in rows}


def answers(harness: Harness) -> dict[str, Answer]:
    with harness.services.db.session() as session:
        return {answer.step_id: answer for answer in session.exec(select(Answer))}


def test_a_whole_call_in_english_with_its_recordings_fetched_and_deleted_at_twilio(
    sqlite_url: str,
    make_harness: Callable[..., Harness],
    app_server: AppServer,
    clock: MovableClock,
    fake: FakeTwilio,
) -> None:
    harness, call = dial(make_harness, sqlite_url, app_server, clock, fake)
    assert call.waiting == "key"
    assert [said.language for said in call.last.said] == ["cy", "en"]
    assert call.last.said[0].voice == "Polly.Gwyneth"

    call.press("2")
    assert {said.language for said in call.last.said} == {"en"}
    assert {said.voice for said in call.last.said} == {"Polly.Amy"}
    assert call.words.endswith(say.VOICE_KEYS.en)
    for key in TO_CONSENT:
        call.press(key)
    assert call.words.endswith(say.VOICE_YES_NO.en)
    call.press("1")  # consent
    call.press("1")  # their view: yes
    assert call.waiting == "recording"
    assert call.last.recording_callback == app_server.url + "/twilio/voice/recording"
    assert call.words.endswith(say.VOICE_RECORD.en)
    call.speak(HOPE, 12)  # hopes
    call.skip_recording()  # worries
    call.speak(FEEDBACK, 20)  # feedback
    call.skip_recording()  # no question
    assert call.waiting == "key"
    call.press("1")  # hear back: yes
    assert call.waiting == "nothing"
    assert call.words.endswith("Goodbye.")
    assert call.hang_up(185) == 204

    hope, worries, feedback, question = call.recordings
    assert all(fake.recording(sid).callback_status == 204 for sid in call.recordings)
    harness.run_worker()
    assert sorted(fake.deleted_recordings) == sorted(call.recordings)
    assert fake.recording(worries).fetches == 0  # skipped: deleted at Twilio unheard
    assert fake.recording(question).fetches == 0
    kept = recordings(harness)
    for sid, audio, seconds in ((hope, HOPE, 12), (feedback, FEEDBACK, 20)):
        row = kept[sid]
        assert (row.status, row.duration_seconds, fake.recording(sid).fetches) == (
            "stored",
            seconds,
            1,
        )
        assert open_audio(harness.services.vault, row.audio_encrypted or "") == audio
        assert row.deleted_at_twilio is not None
    assert (kept[worries].status, kept[question].status) == ("skipped", "skipped")
    by_step = answers(harness)
    assert kept[hope].answer_id == by_step["hopes"].id
    assert kept[feedback].answer_id == by_step["feedback"].id
    assert by_step["worries"].kind == "skipped"
    with harness.services.db.session() as session:
        participant = session.exec(select(Participant)).one()
        assert (participant.channel, participant.language, participant.hear_back) == (
            "voice",
            "en",
            True,
        )
        row = session.exec(select(Call)).one()
        assert (row.call_sid, row.status, row.duration_seconds) == (call.sid, "completed", 185)
    assert fake.messages == []  # nothing was texted: the whole conversation was the call


def test_a_whole_call_in_welsh_on_postgresql(
    pg_url: str,
    make_harness: Callable[..., Harness],
    app_server: AppServer,
    clock: MovableClock,
    fake: FakeTwilio,
) -> None:
    harness, call = dial(make_harness, pg_url, app_server, clock, fake)
    call.press("1")
    for key in [*TO_CONSENT, "1", "2"]:  # to consent, consent, then their view: no
        call.press(key)
    assert call.waiting == "recording"
    assert "beth sy'n eich poeni chi am hyn?" in call.words
    call.silence()  # nothing said: the question again
    assert call.words.startswith(say.VOICE_MISSED.cy)
    assert call.waiting == "recording"
    call.speak(HOPE, 9)  # worries
    call.skip_recording()  # hopes
    call.skip_recording()  # feedback
    call.skip_recording()  # no question
    call.press("2")  # hear back: no
    assert call.waiting == "nothing"
    assert call.hang_up(95) == 204
    heard = {language for language, _ in call.said[2:]}  # after the greeting in both
    assert heard == {"cy"}

    harness.run_worker()
    worries = call.recordings[0]
    assert sorted(fake.deleted_recordings) == sorted(call.recordings)
    row = recordings(harness)[worries]
    assert row.status == "stored"
    assert open_audio(harness.services.vault, row.audio_encrypted or "") == HOPE
    assert row.answer_id == answers(harness)["worries-first"].id
    with harness.services.db.session() as session:
        assert session.exec(select(Participant)).one().language == "cy"


def test_the_fake_follows_only_what_the_twiml_waits_for_and_signs_every_request(
    sqlite_url: str,
    make_harness: Callable[..., Harness],
    app_server: AppServer,
    clock: MovableClock,
    fake: FakeTwilio,
) -> None:
    harness, call = dial(make_harness, sqlite_url, app_server, clock, fake)
    with pytest.raises(CallError, match="not for a recording"):
        call.speak(HOPE, 3)
    call.silence()
    assert call.words.startswith(say.VOICE_MISSED.cy)
    with (
        FakeTwilio(auth_token="not-our-token") as stranger,
        pytest.raises(CallError, match="answered 403"),
    ):
        stranger.dial(app_server.url + "/twilio/voice", CALLER, SMS_FROM)
    assert harness.outbox() == []
