"""The phone desk: what a call to the number gets, and the text that follows it.

Until the voice flows exist, every call ends in a text: a missed call (VOICE_MODE=missed-call,
or a called number in MISSED_CALL_NUMBERS) is rejected unanswered, so it costs no one anything;
otherwise the caller hears a short answer, Welsh first, then English. Either way the caller is
texted the welcome's first text through the inbound desk, exactly as if they had texted in
(opt-out, the loop guard and their record behave as for a text), once per CallSid and at most
once per `InboundDesk.call_window`. A withheld number gets nothing, as there is no one to text.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.channels.addresses import Address, AddressError, parse_twilio_address
from bot.core.inbound import InboundDesk, InboundMessage
from bot.engine import texts as say
from bot.flowspec.model import Language

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
    #: Reject the call unanswered (a missed call); otherwise say `spoken`, then hang up.
    missed: bool
    #: (language, words) in the order they are said: Welsh first.
    spoken: tuple[tuple[Language, str], ...] = ()
    #: Whether a text to the caller was taken in (not whether one will go: STOP still wins).
    texted: bool = False


class CallDesk:
    def __init__(
        self, *, inbound: InboundDesk, voice_mode: str, missed_call_numbers: frozenset[str]
    ) -> None:
        self.inbound = inbound
        self.voice_mode = voice_mode
        self.missed_call_numbers = missed_call_numbers

    def answer(self, call: IncomingCall, *, is_test: bool = False) -> CallAnswer:
        missed = self.voice_mode == "missed-call" or call.called in self.missed_call_numbers
        texted = self._text_caller(call, is_test=is_test)
        log.info("call_answered sid=%s missed=%s texted=%s", call.call_sid, missed, texted)
        if missed:
            return CallAnswer(missed=True, texted=texted)
        languages: tuple[Language, ...] = ("cy", "en")
        spoken = tuple((language, say.CALL_ANSWERED.in_(language)) for language in languages)
        return CallAnswer(missed=False, spoken=spoken, texted=texted)

    def _text_caller(self, call: IncomingCall, *, is_test: bool) -> bool:
        if call.status.strip().lower() not in RINGING:
            return False
        if call.caller.strip().lower() in WITHHELD:
            return False
        try:
            caller = parse_twilio_address(call.caller)
        except AddressError:
            return False
        if caller.channel != "sms":
            return False
        message = InboundMessage(call.call_sid, Address("sms", caller.number), "", call=True)
        result = self.inbound.receive(message, is_test=is_test)
        return not result.duplicate
