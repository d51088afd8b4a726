"""Recordings: the audio a `<Record>` made, Twilio's Recording resource and its status callback.

`FakeTwilio.make_recording` keeps one and posts the signed recording-status callback, as Twilio
does when a recording is ready; the server then serves its audio (`GET ….mp3`) and deletes it
(`DELETE ….json`). The store notes each fetch and delete, so a test can see that Sgwrs took
its copy and then left none at Twilio, and it can be told to fail the next fetches or deletes.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, replace

from bot.channels.fake_twilio.resources import API_VERSION

_recording_numbers = itertools.count(1)

#: What Twilio serves a recording's .mp3 as.
MP3 = "audio/mpeg"


def new_recording_sid() -> str:
    return f"RE{next(_recording_numbers):032x}"


@dataclass(frozen=True)
class FakeRecording:
    sid: str
    call_sid: str
    account_sid: str
    audio: bytes
    duration: int
    #: How many times its audio was fetched, and whether it has been deleted.
    fetches: int = 0
    deleted: bool = False
    #: The app's HTTP status for the recording-status callback (None until it is posted).
    callback_status: int | None = None


def recording_callback_params(recording: FakeRecording, status: str) -> dict[str, str]:
    """The form Twilio posts to a `<Record>`'s recordingStatusCallback."""
    uri = f"/{API_VERSION}/Accounts/{recording.account_sid}/Recordings/{recording.sid}"
    return {
        "AccountSid": recording.account_sid,
        "CallSid": recording.call_sid,
        "RecordingSid": recording.sid,
        "RecordingUrl": f"https://api.twilio.com{uri}",
        "RecordingStatus": status,
        "RecordingDuration": str(recording.duration),
        "RecordingChannels": "1",
        "RecordingSource": "RecordVerb",
        "ErrorCode": "0",
    }


class RecordingStore:
    """The recordings made, and the failures to give for the next fetches; one lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._recordings: dict[str, FakeRecording] = {}
        self._fetch_failures: list[int] = []
        self._delete_failures: list[int] = []

    def add(self, recording: FakeRecording) -> None:
        with self._lock:
            self._recordings[recording.sid] = recording

    def get(self, sid: str) -> FakeRecording | None:
        with self._lock:
            return self._recordings.get(sid)

    def set_callback_status(self, sid: str, status: int) -> None:
        with self._lock:
            found = self._recordings[sid]
            self._recordings[sid] = replace(found, callback_status=status)

    def fetch(self, account_sid: str, sid: str) -> tuple[int, bytes | None]:
        """(HTTP status, audio): 200 with the audio, a queued failure's status, or 404."""
        with self._lock:
            if self._fetch_failures:
                return self._fetch_failures.pop(0), None
            found = self._recordings.get(sid)
            if found is None or found.deleted or found.account_sid != account_sid:
                return 404, None
            self._recordings[sid] = replace(found, fetches=found.fetches + 1)
            return 200, found.audio

    def delete(self, account_sid: str, sid: str) -> int:
        """204 when there was a recording to delete, 404 for none, or a queued failure's status."""
        with self._lock:
            if self._delete_failures:
                return self._delete_failures.pop(0)
            found = self._recordings.get(sid)
            if found is None or found.deleted or found.account_sid != account_sid:
                return 404
            self._recordings[sid] = replace(found, deleted=True)
            return 204

    def fail_next_fetches(self, count: int, status: int) -> None:
        with self._lock:
            self._fetch_failures.extend([status] * count)

    def fail_next_deletes(self, count: int, status: int) -> None:
        with self._lock:
            self._delete_failures.extend([status] * count)

    @property
    def recordings(self) -> list[FakeRecording]:
        with self._lock:
            return list(self._recordings.values())

    def clear(self) -> None:
        with self._lock:
            self._recordings.clear()
            self._fetch_failures.clear()
            self._delete_failures.clear()
