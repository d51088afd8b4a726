"""A resident who left recordings: erasure (by text, by an officer, by the retention purge) takes
their calls and recordings with everything else, and deletes at Twilio any copy still there,
even when Twilio or Redis is down at the time; subject access gives them every recording, with
its date, length and step, and the audio itself.
"""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest
from sqlmodel import select

from bot.channels.fake_twilio import FakeTwilio
from bot.core.recordings import RETRY_AFTER
from bot.core.subject_access import export_person
from bot.runtime.queue import QueueUnavailableError
from bot.store.calls import open_call
from bot.store.models import Answer, RecordingDeletion
from bot.store.recordings import attach_recording
from tests.delivery.support import AppServer, Harness, MovableClock
from tests.helpers import SOME_AUDIO, new_sid
from tests.rights.test_erasure import participant_ids, rows_about

pytestmark = pytest.mark.redis

RESIDENT = "+447700900123"
HOPE = "Warmer homes for older people on our street"
#: Language, the explanations, consent, a view, then a hope in their own words.
TO_HOPE = ["hi", "2", *["next"] * 7, "yes", "1", HOPE]
OTHER_AUDIO = b"ID3\x04" + b"\x13\x37" * 300


def resident_with_recordings(
    harness: Harness, fake: FakeTwilio, callback: str
) -> tuple[int, str, str]:
    """A resident who gave a hope by text and then two answers by voice on a call: the first
    fetched (sealed here, deleted at Twilio) and tied to the hope, the second still waiting at
    Twilio. Their participant id and the two RecordingSids."""
    harness.texts(RESIDENT, *TO_HOPE)
    [participant_id] = participant_ids(harness.services, RESIDENT)
    services = harness.services
    with services.db.session() as session:
        hope = session.exec(select(Answer).where(Answer.kind == "hope")).one()
        call_sid = new_sid("CA")
        open_call(session, call_sid, participant_id, "energy-data", services.clock())
    fetched = fake.make_recording(call_sid, SOME_AUDIO, 12, callback)
    harness.run_worker()
    with services.db.session() as session:
        attach_recording(
            session,
            recording_sid=fetched,
            participant_id=participant_id,
            call_id=None,
            answer_id=hope.id,
            duration_seconds=12,
            now=services.clock(),
        )
    waiting = fake.make_recording(call_sid, OTHER_AUDIO, 30, callback)
    assert fake.deleted_recordings == [fetched]
    return participant_id, fetched, waiting


@pytest.fixture
def started(
    sqlite_url: str,
    make_harness: Callable[..., Harness],
    app_server: AppServer,
    clock: MovableClock,
) -> tuple[Harness, str]:
    harness = app_server.serve(make_harness, sqlite_url, clock)
    return harness, app_server.url + "/twilio/voice/recording"


def pending_deletions(harness: Harness) -> list[RecordingDeletion]:
    with harness.services.db.session() as session:
        return list(session.exec(select(RecordingDeletion)))


def test_delete_by_text_erases_their_calls_and_recordings_and_twilios_copy(
    started: tuple[Harness, str], fake: FakeTwilio
) -> None:
    harness, callback = started
    participant_id, fetched, waiting = resident_with_recordings(harness, fake, callback)
    assert {"calls", "recordings"} <= set(rows_about(harness.services, [participant_id]))

    harness.texts(RESIDENT, "DELETE", "YES")

    assert rows_about(harness.services, [participant_id]) == {}
    [deletion] = pending_deletions(harness)  # the SID alone, until Twilio confirms
    assert deletion.recording_sid == waiting
    harness.run_worker()
    assert fake.deleted_recordings == [fetched, waiting]
    assert fake.recording(waiting).fetches == 0  # never copied here after the erasure
    assert pending_deletions(harness) == []


def test_an_officers_erasure_stands_when_twilio_is_down_and_the_delete_is_retried(
    started: tuple[Harness, str], fake: FakeTwilio, clock: MovableClock
) -> None:
    harness, callback = started
    participant_id, _fetched, waiting = resident_with_recordings(harness, fake, callback)
    fake.fail_next_recording_delete()

    erased = harness.services.rights.erase_number(RESIDENT, user_id=None, reason="asked_by_phone")
    harness.run_worker()

    assert erased.participants == 1
    assert rows_about(harness.services, [participant_id]) == {}
    [deletion] = pending_deletions(harness)
    assert (deletion.recording_sid, deletion.attempts) == (waiting, 1)
    assert waiting not in fake.deleted_recordings
    clock.advance(seconds=RETRY_AFTER.total_seconds() + 1)
    assert harness.sweep()["recording_deletions"] == 1
    harness.run_worker()
    assert waiting in fake.deleted_recordings
    assert pending_deletions(harness) == []


def test_an_erasure_stands_when_redis_is_down_and_the_sweep_queues_the_delete(
    started: tuple[Harness, str], fake: FakeTwilio, monkeypatch: pytest.MonkeyPatch
) -> None:
    harness, callback = started
    participant_id, _fetched, waiting = resident_with_recordings(harness, fake, callback)

    def redis_down(_deletion_id: int) -> None:
        raise QueueUnavailableError("Redis did not answer")

    with monkeypatch.context() as patched:
        patched.setattr(harness.services.queue, "enqueue_recording_deletion", redis_down)
        harness.services.rights.erase_number(RESIDENT, user_id=None, reason="asked_by_phone")

    assert rows_about(harness.services, [participant_id]) == {}
    assert harness.sweep()["recording_deletions"] == 1
    harness.run_worker()
    assert waiting in fake.deleted_recordings


def test_the_retention_purge_erases_recordings_and_twilios_copy(
    started: tuple[Harness, str], fake: FakeTwilio, clock: MovableClock
) -> None:
    harness, callback = started
    participant_id, _fetched, waiting = resident_with_recordings(harness, fake, callback)
    clock.advance(days=harness.settings.retention_days + 1)

    report = harness.services.sweep.purge()
    harness.run_worker()

    assert report is not None
    assert report.rows["recordings"] == 2
    assert report.rows["calls"] == 1
    assert rows_about(harness.services, [participant_id]) == {}
    assert waiting in fake.deleted_recordings


def test_subject_access_gives_each_recording_with_its_step_length_and_audio(
    started: tuple[Harness, str], fake: FakeTwilio
) -> None:
    harness, callback = started
    resident_with_recordings(harness, fake, callback)
    services = harness.services

    document = export_person(
        services.db,
        services.vault,
        RESIDENT,
        clock=services.clock,
        retention_days=services.settings.retention_days,
    )

    [person] = document["participants"]
    [call] = person["calls"]
    assert (call["flow_id"], call["status"]) == ("energy-data", "in-progress")
    assert call["started_at"].endswith("Z")
    fetched, waiting = person["recordings"]
    assert (fetched["flow_id"], fetched["step_id"], fetched["duration_seconds"]) == (
        "energy-data",
        "hopes",
        12,
    )
    assert (fetched["status"], fetched["content_type"]) == ("stored", "audio/mpeg")
    assert fetched["at"].endswith("Z")
    assert base64.b64decode(fetched["audio_base64"]) == SOME_AUDIO
    assert (waiting["step_id"], waiting["status"], waiting["audio_base64"]) == (
        None,
        "waiting",
        None,
    )
    assert any("'recordings'" in note for note in document["notes"])
    assert any("'recordings'" in note for note in document["notes_cy"])
