"""Incoming calls: the form Twilio posts to a number's voice webhook when someone rings it.

`FakeTwilio.ring` sends it signed, as Twilio does, and keeps each call with the app's TwiML
answer, so a test can see that a missed call was rejected (never answered, never billed).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from bot.channels.fake_twilio.resources import API_VERSION

_call_numbers = itertools.count(1)


def new_call_sid() -> str:
    return f"CA{next(_call_numbers):032x}"


@dataclass(frozen=True)
class FakeCall:
    sid: str
    from_: str
    to: str
    #: The app's HTTP status and body (TwiML when it answered 200).
    http_status: int
    twiml: str

    @property
    def rejected(self) -> bool:
        """Twilio rejects the call unanswered exactly when <Reject> is the first verb."""
        body = self.twiml.split("<Response>", 1)[-1].lstrip()
        return self.http_status == 200 and body.startswith("<Reject")


def call_params(sid: str, account_sid: str, from_: str, to: str, status: str) -> dict[str, str]:
    """Twilio's incoming-call webhook fields (a subset: the ones that say who, what and where)."""
    return {
        "CallSid": sid,
        "AccountSid": account_sid,
        "From": from_,
        "To": to,
        "Caller": from_,
        "Called": to,
        "CallStatus": status,
        "Direction": "inbound",
        "ApiVersion": API_VERSION,
    }
