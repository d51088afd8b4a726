"""A caller's recording, end to end: the fake Twilio posts the signed recording-status callback
to the app; the worker fetches the audio over HTTP, seals it, checks the sealed copy opens to
the same bytes, stores it and deletes it at the fake. Twilio failing, or Redis losing the job,
leaves the recording waiting, and the sweep tries it again a few minutes later. Nothing of the
audio, and no number, is ever logged.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Iterator

import pytest
from redis import Redis
from sqlmodel import select

from bot.channels.fake_twilio import FakeTwilio
from bot.core.recordings import RETRY_AFTER, open_audio
from bot.runtime.container import Container
from bot.runtime.crypto import Vault, VaultError
from bot.store.models import Recording, RecordingDeletion
from bot.store.recordings import request_twilio_deletion
from tests.conftest import TEST_AUTH_TOKEN, make_container
from tests.delivery.support import AppServer, Harness, MovableClock
from tests.helpers import SOME_AUDIO, add_caller, new_sid

CALLER = "+447700900123"
ACCOUNT = "AC" + "0" * 32


def recording(services: Container, sid: str) -> Recording:
    with services.db.session() as session:
        found = session.exec(select(Recording).where(Recording.recording_sid == sid)).first()
    assert found is not None
    return found


def deletions(services: Container) -> list[RecordingDeletion]:
    with services.db.session() as session:
        return list(session.exec(select(RecordingDeletion)))


@pytest.fixture
def started(
    sqlite_url: str,
    make_harness: Callable[..., Harness],
    app_server: AppServer,
    clock: MovableClock,
) -> tuple[Harness, str]:
    """The worker's services on Redis and the fake, and the callback URL of the app serving
    them, where the fake's signed callbacks land."""
    harness = app_server.serve(make_harness, sqlite_url, clock)
    return harness, app_server.url + "/twilio/voice/recording"


pytestmark = pytest.mark.redis


def test_a_recording_is_fetched_sealed_verified_stored_and_deleted_at_twilio(
    started: tuple[Harness, str], fake: FakeTwilio
) -> None:
    harness, callback = started
    caller, call_sid = add_caller(harness.services, CALLER)

    sid = fake.make_recording(call_sid, SOME_AUDIO, 21, callback)

    assert fake.recording(sid).callback_status == 204
    assert recording(harness.services, sid).status == "waiting"
    harness.run_worker()
    row = recording(harness.services, sid)
    assert (row.status, row.participant_id, row.duration_seconds) == ("stored", caller, 21)
    assert row.content_type == "audio/mpeg"
    assert row.audio_encrypted is not None
    assert open_audio(harness.services.vault, row.audio_encrypted) == SOME_AUDIO
    assert row.fetched_at is not None
    assert row.deleted_at_twilio is not None
    assert (row.fetch_attempts, fake.recording(sid).fetches) == (1, 1)
    assert fake.deleted_recordings == [sid]
    assert deletions(harness.services) == []


def test_the_stored_copy_is_sealed_not_the_audio_or_its_base64(
    started: tuple[Harness, str], fake: FakeTwilio
) -> None:
    harness, callback = started
    _caller, call_sid = add_caller(harness.services, CALLER)
    sid = fake.make_recording(call_sid, SOME_AUDIO, 5, callback)
    harness.run_worker()

    sealed = recording(harness.services, sid).audio_encrypted or ""

    assert sealed.startswith("gAAAAA")  # a Fernet token under DATA_KEY
    assert base64.b64encode(SOME_AUDIO).decode() not in sealed
    with pytest.raises(VaultError):
        open_audio(Vault("another-key-0123456789"), sealed)


def test_a_failed_fetch_waits_and_the_sweep_tries_it_again_a_few_minutes_later(
    started: tuple[Harness, str], fake: FakeTwilio, clock: MovableClock
) -> None:
    harness, callback = started
    _caller, call_sid = add_caller(harness.services, CALLER)
    fake.fail_next_recording_fetch()

    sid = fake.make_recording(call_sid, SOME_AUDIO, 9, callback)
    harness.run_worker()

    row = recording(harness.services, sid)
    assert (row.status, row.fetch_attempts, row.audio_encrypted) == ("waiting", 1, None)
    assert fake.deleted_recordings == []  # never deleted at Twilio before it is copied here
    clock.advance(minutes=1)
    assert harness.sweep()["recordings"] == 0  # not tried again at once
    clock.advance(seconds=RETRY_AFTER.total_seconds())
    assert harness.sweep()["recordings"] == 1
    harness.run_worker()
    row = recording(harness.services, sid)
    assert (row.status, row.fetch_attempts) == ("stored", 2)
    assert fake.deleted_recordings == [sid]


def test_a_fetch_redis_lost_is_queued_again_by_the_sweep(
    started: tuple[Harness, str], fake: FakeTwilio, redis_db: Redis
) -> None:
    harness, callback = started
    _caller, call_sid = add_caller(harness.services, CALLER)
    sid = fake.make_recording(call_sid, SOME_AUDIO, 9, callback)
    redis_db.flushdb()  # a restart that came back empty
    assert harness.queued() == 0

    assert harness.sweep()["recordings"] == 1
    harness.run_worker()

    assert recording(harness.services, sid).status == "stored"
    assert fake.deleted_recordings == [sid]


def test_a_failed_delete_at_twilio_is_kept_and_tried_again(
    started: tuple[Harness, str], fake: FakeTwilio, clock: MovableClock
) -> None:
    harness, callback = started
    _caller, call_sid = add_caller(harness.services, CALLER)
    fake.fail_next_recording_delete()

    sid = fake.make_recording(call_sid, SOME_AUDIO, 9, callback)
    harness.run_worker()

    row = recording(harness.services, sid)
    assert (row.status, row.deleted_at_twilio) == ("stored", None)
    [deletion] = deletions(harness.services)
    assert (deletion.recording_sid, deletion.attempts) == (sid, 1)
    clock.advance(seconds=RETRY_AFTER.total_seconds() + 1)
    assert harness.sweep()["recording_deletions"] == 1
    harness.run_worker()
    assert recording(harness.services, sid).deleted_at_twilio is not None
    assert fake.deleted_recordings == [sid]
    assert deletions(harness.services) == []


def test_a_recording_twilio_no_longer_has_is_marked_failed_not_retried(
    started: tuple[Harness, str], fake: FakeTwilio, clock: MovableClock
) -> None:
    harness, callback = started
    _caller, call_sid = add_caller(harness.services, CALLER)
    fake.fail_next_recording_fetch(status=404)

    sid = fake.make_recording(call_sid, SOME_AUDIO, 9, callback)
    harness.run_worker()

    assert recording(harness.services, sid).status == "failed"
    clock.advance(hours=1)
    assert harness.sweep()["recordings"] == 0


def test_a_404_on_delete_counts_as_deleted(started: tuple[Harness, str], fake: FakeTwilio) -> None:
    harness, _callback = started
    with harness.services.db.session() as session:
        deletion_id = request_twilio_deletion(session, new_sid("RE"), harness.services.clock())

    assert harness.services.recordings.delete_at_twilio(deletion_id) == "already_gone"
    assert deletions(harness.services) == []


def test_a_callback_repeated_after_the_fetch_fetches_nothing_again(
    started: tuple[Harness, str], fake: FakeTwilio
) -> None:
    harness, callback = started
    _caller, call_sid = add_caller(harness.services, CALLER)
    sid = fake.make_recording(call_sid, SOME_AUDIO, 9, callback)
    harness.run_worker()

    fake.make_recording(call_sid, SOME_AUDIO, 9, callback, sid=sid)  # Twilio's retry
    harness.run_worker()

    assert fake.recording(sid).callback_status == 204
    assert (fake.recording(sid).fetches, recording(harness.services, sid).fetch_attempts) == (1, 1)


def test_nothing_of_the_audio_or_the_number_is_logged(
    started: tuple[Harness, str], fake: FakeTwilio, caplog: pytest.LogCaptureFixture
) -> None:
    harness, callback = started
    caplog.set_level(logging.DEBUG)
    _caller, call_sid = add_caller(harness.services, CALLER)
    fake.fail_next_recording_fetch()

    sid = fake.make_recording(call_sid, SOME_AUDIO, 9, callback)
    harness.run_worker()
    harness.services.recordings.fetch(recording(harness.services, sid).id or 0)

    logged = caplog.text
    assert "recording_stored" in logged
    assert "recording_fetch_failed" in logged
    for secret in (
        CALLER,
        CALLER.removeprefix("+44"),
        base64.b64encode(SOME_AUDIO).decode()[:24],
        SOME_AUDIO.hex()[:24],
        repr(SOME_AUDIO)[:24],
        TEST_AUTH_TOKEN,
    ):
        assert secret not in logged


@pytest.fixture
def inline(sqlite_url: str) -> Iterator[tuple[Container, FakeTwilio]]:
    """Services without Redis (the embedded run), on the fake."""
    twilio = FakeTwilio(auth_token=TEST_AUTH_TOKEN)
    twilio.start()
    services = make_container(
        sqlite_url, TWILIO_API_URL=twilio.base_url, TWILIO_AUTH_TOKEN=TEST_AUTH_TOKEN
    )
    yield services, twilio
    services.db.engine.dispose()
    twilio.stop()


def test_without_redis_the_pump_fetches_and_deletes_at_once(
    inline: tuple[Container, FakeTwilio],
) -> None:
    services, twilio = inline
    _caller, call_sid = add_caller(services, CALLER)
    # The fake keeps the recording; the callback goes straight to the desk, as the route would.
    sid = twilio.make_recording(call_sid, SOME_AUDIO, 4, None)
    assert services.recordings.on_status(call_sid, sid, "completed", 4) == "waiting"

    assert services.recordings.run_due() == 1

    assert recording(services, sid).status == "stored"
    assert twilio.deleted_recordings == [sid]
    assert services.recordings.run_due() == 0
