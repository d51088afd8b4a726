"""Callers' recordings at Twilio: fetching the audio and deleting Twilio's copy, over REST.

`GET /2010-04-01/Accounts/{AccountSid}/Recordings/{RecordingSid}.mp3` gives the audio and
`DELETE .../Recordings/{RecordingSid}.json` deletes it (204), with HTTP basic auth as the
account. The address is always built from the RecordingSid and the API base (the fake Twilio's
in tests and the embedded run), never taken from a callback's RecordingUrl, so nothing a
request says can send these credentials anywhere else.

Errors say only the HTTP status and what to do (try again later, or give up): never a URL,
a body or an exception's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

import requests

TWILIO_API = "https://api.twilio.com"
API_VERSION = "2010-04-01"
#: Seconds to wait to connect and for each read of the audio.
DEFAULT_TIMEOUT_S = 30.0
#: Far longer than any answer a caller records (about four hours of Twilio's 32 kbit/s MP3).
MAX_AUDIO_BYTES = 64 * 1024 * 1024
#: What a recording's audio is served as; anything else (an HTML error page) is not audio.
AUDIO_TYPE = re.compile(r"audio/[a-z0-9.+-]{1,24}")
RECORDING_SID = re.compile(r"RE[0-9a-fA-F]{32}")


@dataclass(frozen=True)
class RecordingAudio:
    audio: bytes
    content_type: str


class MediaError(Exception):
    """Twilio did not give or delete the recording. `gone`: it has no such recording (404),
    so trying again will not help; otherwise try again later."""

    def __init__(self, message: str, *, status: int | None = None, gone: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.gone = gone


class RecordingMedia(Protocol):
    """Recordings at Twilio; the recording desk (bot/core/recordings.py) depends on this alone."""

    def fetch(self, recording_sid: str) -> RecordingAudio: ...

    def delete(self, recording_sid: str) -> bool:
        """Delete Twilio's copy: True if it had one, False if it had none (already deleted)."""
        ...


class UnconfiguredMedia:
    """Stands in for Twilio when no account is set: recordings wait, never vanish."""

    def fetch(self, recording_sid: str) -> RecordingAudio:
        raise MediaError("Twilio is not configured: set TWILIO_ACCOUNT_SID")

    def delete(self, recording_sid: str) -> bool:
        raise MediaError("Twilio is not configured: set TWILIO_ACCOUNT_SID")


class TwilioMedia:
    """Twilio's Recording resource, or a fake of it at `api_url` (tests, the embedded run)."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        api_url: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self._account_sid = account_sid
        self._base = (api_url or TWILIO_API).rstrip("/")
        self._timeout = timeout
        self._http = requests.Session()
        self._http.auth = (account_sid, auth_token)
        # A fake is local and must never be reached through a proxy from the environment.
        self._http.trust_env = not api_url

    def _url(self, recording_sid: str, suffix: str) -> str:
        if not RECORDING_SID.fullmatch(recording_sid):
            raise MediaError("not a RecordingSid", gone=True)
        account = f"/{API_VERSION}/Accounts/{self._account_sid}"
        return f"{self._base}{account}/Recordings/{recording_sid}.{suffix}"

    def fetch(self, recording_sid: str) -> RecordingAudio:
        """The audio as MP3. Raises MediaError (gone for a 404)."""
        url = self._url(recording_sid, "mp3")
        try:
            with self._http.get(url, timeout=self._timeout, stream=True) as response:
                _check(response, "fetch")
                content_type = response.headers.get("Content-Type", "audio/mpeg")
                content_type = content_type.split(";", 1)[0].strip().lower()
                if not AUDIO_TYPE.fullmatch(content_type):
                    raise MediaError("Twilio's answer was not audio", status=response.status_code)
                audio = _read_at_most(response, MAX_AUDIO_BYTES)
        except requests.RequestException as error:
            raise MediaError(f"could not reach Twilio: {type(error).__name__}") from None
        if not audio:
            raise MediaError("Twilio gave no audio", status=200)
        return RecordingAudio(audio, content_type)

    def delete(self, recording_sid: str) -> bool:
        """Delete Twilio's copy; a 404 means there is none left, which is what was wanted."""
        url = self._url(recording_sid, "json")
        try:
            response = self._http.delete(url, timeout=self._timeout)
        except requests.RequestException as error:
            raise MediaError(f"could not reach Twilio: {type(error).__name__}") from None
        if response.status_code == 404:
            return False
        _check(response, "delete")
        return True


def _check(response: requests.Response, what: str) -> None:
    status = response.status_code
    if status == 404:
        raise MediaError(f"Twilio has no such recording to {what}", status=status, gone=True)
    if not 200 <= status < 300:
        raise MediaError(f"Twilio refused to {what} the recording: HTTP {status}", status=status)


def _read_at_most(response: requests.Response, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(chunk_size=64 * 1024):
        size += len(chunk)
        if size > limit:
            raise MediaError("the recording is larger than any answer could be")
        chunks.append(chunk)
    return b"".join(chunks)
