"""A resident who answered on a phone call, in their own voice, and then asks to be erased: by
DELETE in a text from the same phone, or through an officer. The call is made the real way
(the fake Twilio dials the app over HTTP and follows its TwiML, every request signed; each
recording posts its signed status callback and the worker fetches it), on SQLite and
PostgreSQL. Erasure is by number, across channels: the caller's participant, calls, answers
and recordings go with any texts, and Twilio's copies are deleted, including one still
waiting there and one whose status arrives after the erasure.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import select

from bot.channels.fake_twilio import FakeCallSession, FakeTwilio
from bot.engine import texts as say
from bot.store.models import Answer, Call, Participant, Recording, RecordingDeletion
from tests.delivery.support import SMS_FROM, AppServer, Harness, MovableClock
from tests.helpers import SOME_AUDIO
from tests.rights.test_erasure import participant_ids, rows_about
from tests.webhooks.support import count_rows

pytestmark = pytest.mark.redis

RESIDENT = "+447700900123"
#: The language, the explanations and consent, then "should the council do this: yes".
TO_HOPES = ["2", *["1"] * 7, "1", "1"]
HOPE = SOME_AUDIO + b"hopes"
FEEDBACK = SOME_AUDIO + b"feedback"


@pytest.fixture(params=["sqlite", "postgresql"])
def started(
    request: pytest.FixtureRequest,
    make_harness: Callable[..., Harness],
    app_server: AppServer,
    clock: MovableClock,
) -> Harness:
    database_url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    return app_server.serve(make_harness, database_url, clock, VOICE_MODE="flow")


def dial(fake: FakeTwilio, app_server: AppServer) -> FakeCallSession:
    return fake.dial(app_server.url + "/twilio/voice", RESIDENT, SMS_FROM)


def caller_with_recordings(
    harness: Harness, fake: FakeTwilio, app_server: AppServer
) -> tuple[int, FakeCallSession]:
    """A caller who gave consent, said a hope (fetched, sealed here and deleted at Twilio),
    skipped the worries (deleted at Twilio unheard) and gave feedback that Twilio still holds
    (its fetch not yet run), then rang off. Their participant id and the call."""
    call = dial(fake, app_server)
    for key in TO_HOPES:
        call.press(key)
    assert call.waiting == "recording"
    call.speak(HOPE, 12)
    call.skip_recording()
    harness.run_worker()
    call.speak(FEEDBACK, 20)
    assert call.hang_up(140) == 204
    hope, skipped, feedback = call.recordings
    assert sorted(fake.deleted_recordings) == sorted([hope, skipped])
    [caller] = participant_ids(harness.services, RESIDENT)
    with harness.services.db.session() as session:
        rows = {r.recording_sid: r for r in session.exec(select(Recording))}
        voiced = {a.step_id: a.id for a in session.exec(select(Answer))}
        participant = session.get(Participant, caller)
    assert participant is not None
    assert participant.channel == "voice"
    assert (rows[hope].status, rows[hope].answer_id) == ("stored", voiced["hopes"])
    assert (rows[feedback].status, rows[feedback].answer_id) == ("waiting", voiced["feedback"])
    assert rows[skipped].status == "skipped"
    assert {"participants", "calls", "answers", "recordings", "messages"} <= set(
        rows_about(harness.services, [caller])
    )
    return caller, call


def still_at_twilio(fake: FakeTwilio) -> list[str]:
    deleted = set(fake.deleted_recordings)
    return [recording.sid for recording in fake.recordings if recording.sid not in deleted]


def assert_nothing_left(harness: Harness, fake: FakeTwilio, call: FakeCallSession) -> None:
    """Nothing about the number is held here, and Twilio holds none of the call's audio."""
    services = harness.services
    assert participant_ids(services, RESIDENT) == []
    for model in (Participant, Call, Answer, Recording):
        assert count_rows(services, model) == 0, model.__name__
    harness.run_worker()
    assert still_at_twilio(fake) == []
    assert set(call.recordings) <= set(fake.deleted_recordings)
    assert count_rows(services, RecordingDeletion) == 0  # Twilio confirmed each delete


def test_delete_by_text_from_the_same_phone_erases_the_caller_and_twilios_copies(
    started: Harness, fake: FakeTwilio, app_server: AppServer
) -> None:
    harness = started
    caller, call = caller_with_recordings(harness, fake, app_server)
    _hope, _skipped, feedback = call.recordings

    asked, erased = harness.texts(RESIDENT, "DELETE", "YES")

    assert asked is not None
    assert asked.startswith(say.ERASE_CONFIRM.cy)  # no language chosen by text: Welsh first
    assert asked.endswith(say.ERASE_CONFIRM.en)
    assert erased == say.ERASED.en
    assert rows_about(harness.services, [caller]) == {}
    assert_nothing_left(harness, fake, call)
    assert fake.recording(feedback).fetches == 0  # never copied here once they were erased


def test_an_officers_erasure_takes_the_caller_and_twilios_copies(
    started: Harness, fake: FakeTwilio, app_server: AppServer
) -> None:
    harness = started
    caller, call = caller_with_recordings(harness, fake, app_server)

    erased = harness.services.rights.erase_number(RESIDENT, user_id=None, reason="asked_by_phone")

    assert erased.participants == 1
    assert rows_about(harness.services, [caller]) == {}
    assert_nothing_left(harness, fake, call)


def test_a_caller_erased_during_the_call_leaves_nothing_of_what_follows(
    started: Harness, fake: FakeTwilio, app_server: AppServer
) -> None:
    """Erased by an officer while still on the line: the answer they go on to record is not
    kept, its status callback finds no caller and only deletes it at Twilio, and the call's
    end finds no call."""
    harness = started
    call = dial(fake, app_server)
    for key in TO_HOPES:
        call.press(key)
    harness.services.rights.erase_number(RESIDENT, user_id=None, reason="asked_by_phone")

    call.speak(HOPE, 12)

    assert call.waiting == "nothing"
    assert call.hang_up(60) == 204
    assert_nothing_left(harness, fake, call)
