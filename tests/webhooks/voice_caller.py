"""A caller on the voice routes, as Twilio would be: each signed request goes to the URL the
last TwiML named (a <Gather>'s action, a <Record>'s action or the <Redirect> after it)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask.testing import FlaskClient

from tests.helpers import new_sid, signed_post

#: A phone in Ofcom's drama range.
CALLER = "+447700900321"
OUR_NUMBER = "+447700900999"


@dataclass
class Heard:
    """One TwiML answer: the words said (language, text), what it then waits for, and where."""

    said: list[tuple[str, str]]
    listen: str  # key, recording or nothing
    action: str = ""
    silent: str = ""

    @property
    def words(self) -> str:
        return " ".join(text for _, text in self.said)


def hear(body: bytes) -> Heard:
    root = ET.fromstring(body)
    assert root.tag == "Response"
    verbs = list(root)
    said: list[tuple[str, str]] = []
    for verb in verbs:
        inside = list(verb) if verb.tag == "Gather" else [verb]
        for say in inside:
            if say.tag == "Say":
                said.append((say.get("language", "")[:2], say.text or ""))
    tags = [verb.tag for verb in verbs]
    if "Gather" in tags:
        gather = verbs[tags.index("Gather")]
        return Heard(said, "key", gather.get("action", ""))
    if "Record" in tags:
        record = verbs[tags.index("Record")]
        redirect = verbs[tags.index("Redirect")].text or ""
        return Heard(said, "recording", record.get("action", ""), redirect)
    assert tags[-1] == "Hangup", tags
    return Heard(said, "nothing")


@dataclass
class Caller:
    client: FlaskClient
    number: str = CALLER
    sid: str = field(default_factory=lambda: new_sid("CA"))
    last: Heard | None = None

    def ring(self) -> Heard:
        return self._post("/twilio/voice", {"CallStatus": "ringing"})

    def press(self, key: str) -> Heard:
        """A key (or "" for silence) at a step that waits for one."""
        assert self.last is not None
        assert self.last.listen == "key", self.last
        return self._post(self.last.action, {"Digits": key, "CallStatus": "in-progress"})

    def record(self, recording_sid: str | None = None, key: str = "#") -> Heard:
        """An own-words answer, ended by `key` (# to keep it, 1 to skip)."""
        assert self.last is not None
        assert self.last.listen == "recording", self.last
        params = {
            "RecordingSid": recording_sid or new_sid("RE"),
            "RecordingUrl": "https://api.twilio.com/recording",
            "RecordingDuration": "9",
            "Digits": key,
            "CallStatus": "in-progress",
        }
        return self._post(self.last.action, params)

    def say_nothing(self) -> Heard:
        """Silence where a recording was asked for: Twilio follows the <Redirect>."""
        assert self.last is not None
        assert self.last.listen == "recording", self.last
        return self._post(self.last.silent, {"CallStatus": "in-progress"})

    def hang_up(self, duration: int) -> int:
        params = self._params({"CallStatus": "completed", "CallDuration": str(duration)})
        return signed_post(self.client, "/twilio/voice/status", params).status_code

    def _post(self, url: str, extra: dict[str, str]) -> Heard:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        response = signed_post(self.client, path, self._params(extra))
        assert response.status_code == 200, response.data
        self.last = hear(response.data)
        return self.last

    def _params(self, extra: dict[str, str]) -> dict[str, str]:
        return {
            "CallSid": self.sid,
            "AccountSid": "AC" + "0" * 32,
            "From": self.number,
            "To": OUR_NUMBER,
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
            **extra,
        }
