"""Who a message is from: channel (sms or whatsapp) and the number in E.164 form."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from phonenumbers import ValidationResult

CHANNELS = ("sms", "whatsapp")


IS_POSSIBLE = ValidationResult.IS_POSSIBLE


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
