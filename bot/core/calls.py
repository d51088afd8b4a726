"""The phone desk: what a call to the number gets, and any text that follows it.

A missed call (VOICE_MODE=missed-call, or a called number in MISSED_CALL_NUMBERS) is rejected
unanswered, so it costs no one anything, and the caller is texted the welcome's first text
through the inbound desk, exactly as if they had texted in (opt-out, the loop guard and their
record behave as for a text), once per CallSid and at most once per `InboundDesk.call_window`.
Otherwise the call goes through the voice flow (bot/core/call_flow.py), and a caller the call
gave up on (silence, wrong keys) is offered the conversation by text the same way. A withheld
number is told the call needs their number, as there is no one to keep a place for or text.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.channels.addresses import Address, AddressError, parse_twilio_address
from bot.core.call_flow import CallFlow, CallTurn
from bot.core.inbound import InboundDesk, InboundMessage
from bot.engine import texts as say

log = logging.getLogger(__name__)

#: What Twilio puts in From when the caller withheld their number (it is not a number to text).
WITHHELD = {"", "anonymous", "restricted", "unknown", "unavailable", "private", "+266696687"}
#: The CallStatus of an incoming call's first request; anything else is no new call.
RINGING = {"", "ringing"}


@dataclass(frozen=True)
class IncomingCall:
    """Twilio's incoming-call webhook, as sent (the signature already checked)."""

    call_sid: str
    #: From: the caller's number, or a word when they withheld it.
    caller: str
    #: To: our number that was called.
    called: str
    status: str = "ringing"


@dataclass(frozen=True)
class CallAnswer:
    #: Reject the call unanswered (a missed call); otherwise say and wait as `turn` says.
    missed: bool
    turn: CallTurn | None = None
    #: Whether a text to the caller was taken in (not whether one will go: STOP still wins).
    texted: bool = False


class CallDesk:
    def __init__(
        self,
        *,
        inbound: InboundDesk,
        flow: CallFlow,
        voice_mode: str,
        missed_call_numbers: frozenset[str],
    ) -> None:
        self.inbound = inbound
        self.flow = flow
        self.voice_mode = voice_mode
        self.missed_call_numbers = missed_call_numbers

    def answer(self, call: IncomingCall, *, is_test: bool = False) -> CallAnswer:
        """An incoming call: rejected and texted when missed, else the voice flow's first words."""
        missed = self.voice_mode == "missed-call" or call.called in self.missed_call_numbers
        if missed:
            ringing = call.status.strip().lower() in RINGING
            texted = ringing and self._text_caller(call, is_test=is_test)
            log.info("call_missed sid=%s texted=%s", call.call_sid, texted)
            return CallAnswer(missed=True, texted=texted)
        number = _number(call.caller)
        if number is None:
            withheld = CallTurn(
                (("cy", say.VOICE_WITHHELD.cy), ("en", say.VOICE_WITHHELD.en)), "nothing", 1
            )
            return CallAnswer(missed=False, turn=withheld)
        log.info("call_answered sid=%s", call.call_sid)
        started = self.flow.start(call.call_sid, number, is_test=is_test)
        return CallAnswer(missed=False, turn=started)

    def press(
        self, call: IncomingCall, turn: int, key: str, misses: int, *, is_test: bool = False
    ) -> CallTurn:
        """A key (or silence) on a call through the voice flow. `is_test`: a simulated caller
        (bot/core/call_simulator.py), left out of every figure."""
        number = _number(call.caller)
        if number is None:
            return CallTurn(
                (("cy", say.VOICE_GOODBYE.cy), ("en", say.VOICE_GOODBYE.en)), "nothing", turn + 1
            )
        answered = self.flow.press(call.call_sid, number, turn, key, misses, is_test=is_test)
        if answered.offer_text:
            self._text_caller(call, is_test=is_test)
        return answered

    def recorded(
        self,
        call: IncomingCall,
        turn: int,
        recording_sid: str,
        key: str,
        *,
        is_test: bool = False,
    ) -> CallTurn:
        number = _number(call.caller)
        if number is None:
            self.flow.recordings.discard(call.call_sid, recording_sid)
            return CallTurn(
                (("cy", say.VOICE_GOODBYE.cy), ("en", say.VOICE_GOODBYE.en)), "nothing", turn + 1
            )
        return self.flow.recorded(call.call_sid, number, turn, recording_sid, key, is_test=is_test)

    def _text_caller(self, call: IncomingCall, *, is_test: bool) -> bool:
        """The welcome's first text to the caller, through the inbound desk: once per CallSid."""
        number = _number(call.caller)
        if number is None:
            return False
        message = InboundMessage(call.call_sid, Address("sms", number), "", call=True)
        result = self.inbound.receive(message, is_test=is_test)
        return not result.duplicate


def _number(caller: str) -> str | None:
    """The caller's number, if they showed one we could text (not withheld, not WhatsApp)."""
    if caller.strip().lower() in WITHHELD:
        return None
    try:
        address = parse_twilio_address(caller)
    except AddressError:
        return None
    return address.number if address.channel == "sms" else None
