"""Who a message is from: channel (sms or whatsapp) and the number in E.164 form.

Two readers: `parse_twilio_address` for what Twilio sends (exactly E.164, or `whatsapp:` and
E.164, nothing else), and the forgiving `parse_address` for numbers people type (an officer's
`07700 900123`, the terminal chat).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import ValidationResult

CHANNELS = ("sms", "whatsapp")


IS_POSSIBLE = ValidationResult.IS_POSSIBLE
#: Twilio's own form of an address: "+" and 8 to 15 ASCII digits, the first not 0, for SMS
#: (E.164), or the same after "whatsapp:". `\Z`, not `$`, so a trailing newline is refused too.
TWILIO_ADDRESS = re.compile(r"(?P<whatsapp>whatsapp:)?(?P<number>\+[1-9][0-9]{7,14})\Z")
#: What a refused `From` is told: the rule, never the value it was sent.
TWILIO_RULE = "From must be + and 8 to 15 digits (E.164), or whatsapp: and that"


class AddressError(ValueError):
    """The sender is not a phone number we can reply to."""


@dataclass(frozen=True)
class Address:
    channel: str
    number: str

    @property
    def twilio(self) -> str:
        """The address as Twilio writes it: '+447...' or 'whatsapp:+447...'."""
        return f"whatsapp:{self.number}" if self.channel == "whatsapp" else self.number


def parse_address(raw: str, default_region: str = "GB") -> Address:
    """'whatsapp:+447700900123' -> Address('whatsapp', '+447700900123'); rejects non-numbers."""
    value = raw.strip()
    channel = "sms"
    if value.lower().startswith("whatsapp:"):
        channel, value = "whatsapp", value.split(":", 1)[1].strip()
    if not value or len(value) > 32:
        raise AddressError("From is not a phone number")
    try:
        parsed = phonenumbers.parse(value, default_region)
    except phonenumbers.NumberParseException as error:
        raise AddressError("From is not a phone number") from error
    # A number that could only be dialled locally (12345) is no one's full number.
    if phonenumbers.is_possible_number_with_reason(parsed) != IS_POSSIBLE:
        raise AddressError("From is not a possible phone number")
    return Address(channel, phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


def parse_twilio_address(raw: str) -> Address:
    """'+447700900123' or 'whatsapp:+447700900123' exactly, as Twilio writes a sender; anything
    else (messenger:..., sms:..., 12345, a local number, spaces) is not an SMS number to answer."""
    matched = TWILIO_ADDRESS.match(raw)
    if matched is None:
        raise AddressError(TWILIO_RULE)
    number = matched["number"]
    if not phonenumbers.is_possible_number(phonenumbers.parse(number)):
        raise AddressError(TWILIO_RULE)
    return Address("whatsapp" if matched["whatsapp"] else "sms", number)
