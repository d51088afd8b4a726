"""POST /twilio/voice/recording: the recording-status callback's contract, on SQLite and
PostgreSQL.

Signed like every Twilio route (unsigned: 403 and nothing stored); a malformed RecordingSid,
CallSid or status is a 400 with a plain reason; a completed recording of a call Sgwrs holds is
tied to its caller and waits to be fetched, a failed one says so; a repeat does nothing new.
The fetch itself is tests/delivery/test_recordings.py's.
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlmodel import select

from bot.runtime.container import Container
from bot.store.models import Recording, RecordingDeletion
from bot.store.recordings import attach_recording
from tests.conftest import TEST_AUTH_TOKEN
from tests.helpers import add_caller, new_sid, sign, signed_post
from tests.webhooks.support import count_rows, row_counts

PATH = "/twilio/voice/recording"


def recording_params(call_sid: str, sid: str | None = None, **changes: str) -> dict[str, str]:
    """The form fields of Twilio's recording-status callback."""
    sid = sid or new_sid("RE")
    params = {
        "AccountSid": "AC" + "0" * 32,
        "CallSid": call_sid,
        "RecordingSid": sid,
        "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/AC{'0' * 32}/Recordings/{sid}",
        "RecordingStatus": "completed",
        "RecordingDuration": "17",
        "RecordingChannels": "1",
        "RecordingSource": "RecordVerb",
        "ErrorCode": "0",
    }
    params.update(changes)
    return params


def recordings(services: Container) -> list[Recording]:
    with services.db.session() as session:
        return list(session.exec(select(Recording).order_by(Recording.id)))  # type: ignore[arg-type]


def test_a_completed_recording_is_tied_to_its_caller_and_waits_to_be_fetched(
    client: FlaskClient, services: Container
) -> None:
    caller, call_sid = add_caller(services)
    params = recording_params(call_sid)

    response = signed_post(client, PATH, params)

    assert response.status_code == 204
    [row] = recordings(services)
    assert (row.recording_sid, row.participant_id, row.status) == (
        params["RecordingSid"],
        caller,
        "waiting",
    )
    assert row.call_id is not None
    assert (row.duration_seconds, row.answer_id, row.audio_encrypted) == (17, None, None)
    assert services.queue.wake_up.is_set()  # type: ignore[attr-defined]  # the pump looks now


def test_a_repeat_of_the_callback_does_nothing_new(
    client: FlaskClient, services: Container
) -> None:
    _caller, call_sid = add_caller(services)
    params = recording_params(call_sid)
    assert signed_post(client, PATH, params).status_code == 204
    before = row_counts(services)

    again = signed_post(client, PATH, params)

    assert again.status_code == 204
    assert row_counts(services) == before
    [row] = recordings(services)
    assert row.status == "waiting"


def test_the_callback_fills_in_a_recording_the_answer_already_made(
    client: FlaskClient, services: Container
) -> None:
    """The `<Record>` action can save the answer first: the callback keeps its answer and adds
    the call and the length."""
    caller, call_sid = add_caller(services)
    sid = new_sid("RE")
    with services.db.session() as session:
        attach_recording(
            session,
            recording_sid=sid,
            participant_id=caller,
            call_id=None,
            answer_id=None,
            duration_seconds=0,
            now=services.clock(),
        )

    assert signed_post(client, PATH, recording_params(call_sid, sid)).status_code == 204

    [row] = recordings(services)
    assert (row.participant_id, row.duration_seconds, row.status) == (caller, 17, "waiting")
    assert row.call_id is not None


@pytest.mark.parametrize("status", ["failed", "absent"])
def test_a_recording_twilio_could_not_make_is_marked_failed(
    client: FlaskClient, services: Container, status: str
) -> None:
    _caller, call_sid = add_caller(services)

    response = signed_post(client, PATH, recording_params(call_sid, RecordingStatus=status))

    assert response.status_code == 204
    [row] = recordings(services)
    assert row.status == "failed"
    assert not services.queue.wake_up.is_set()  # type: ignore[attr-defined]  # nothing to fetch


def test_in_progress_changes_nothing(client: FlaskClient, services: Container) -> None:
    _caller, call_sid = add_caller(services)
    before = row_counts(services)

    params = recording_params(call_sid, RecordingStatus="in-progress")

    assert signed_post(client, PATH, params).status_code == 204
    assert row_counts(services) == before


def test_a_recording_of_a_call_we_hold_nothing_about_is_kept_only_to_delete_at_twilio(
    client: FlaskClient, services: Container
) -> None:
    """Its caller was erased (or it is no call of ours): nothing about anyone is stored, and
    the audio is not left at Twilio either."""
    params = recording_params(new_sid("CA"))

    response = signed_post(client, PATH, params)

    assert response.status_code == 204
    assert recordings(services) == []
    with services.db.session() as session:
        [deletion] = session.exec(select(RecordingDeletion))
    assert deletion.recording_sid == params["RecordingSid"]


def test_unsigned_or_wrongly_signed_is_refused_and_nothing_is_stored(
    client: FlaskClient, services: Container
) -> None:
    _caller, call_sid = add_caller(services)
    params = recording_params(call_sid)
    before = row_counts(services)

    unsigned = client.post(PATH, data=params)
    wrong = client.post(
        PATH, data=params, headers={"X-Twilio-Signature": sign(PATH, params, "not-the-token")}
    )
    other_path = client.post(
        PATH, data=params, headers={"X-Twilio-Signature": sign("/twilio/voice", params)}
    )

    assert [unsigned.status_code, wrong.status_code, other_path.status_code] == [403, 403, 403]
    assert row_counts(services) == before
    assert signed_post(client, PATH, params, TEST_AUTH_TOKEN).status_code == 204


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("RecordingSid", "", "RecordingSid is missing or malformed"),
        ("RecordingSid", "RE123", "RecordingSid is missing or malformed"),
        ("RecordingSid", "CA" + "0" * 32, "RecordingSid is missing or malformed"),
        ("RecordingSid", "RE" + "g" * 32, "RecordingSid is missing or malformed"),
        ("CallSid", "", "CallSid is missing or malformed"),
        ("CallSid", "CA" + "0" * 31, "CallSid is missing or malformed"),
        ("CallSid", "RE" + "0" * 32, "CallSid is missing or malformed"),
        ("RecordingStatus", "done", "RecordingStatus is missing or unknown"),
        ("RecordingStatus", "", "RecordingStatus is missing or unknown"),
    ],
)
def test_a_malformed_callback_is_a_plain_400_and_nothing_is_stored(
    client: FlaskClient, services: Container, field: str, value: str, reason: str
) -> None:
    _caller, call_sid = add_caller(services)
    before = row_counts(services)

    response = signed_post(client, PATH, recording_params(call_sid, **{field: value}))

    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == f"Bad request: {reason}\n"
    assert row_counts(services) == before


def test_an_odd_duration_reads_as_unknown_rather_than_failing(
    client: FlaskClient, services: Container
) -> None:
    _caller, call_sid = add_caller(services)

    params = recording_params(call_sid, RecordingDuration="-1")

    assert signed_post(client, PATH, params).status_code == 204
    [row] = recordings(services)
    assert row.duration_seconds == 0
    assert count_rows(services, Recording) == 1
