"""How a message to a resident is addressed on Twilio: from which sender, with which callback.

A Messaging Service, when configured, picks the sender itself; otherwise SMS and WhatsApp each
have their own number. The rate limit is kept per sender, since that is what Twilio limits.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.channels.addresses import Address
from bot.channels.sender import OutboundSms


@dataclass(frozen=True)
class TwilioRoutes:
    from_sms: str = ""
    from_whatsapp: str = ""
    messaging_service_sid: str = ""
    #: The service's public URL: Twilio posts delivery statuses to PUBLIC_URL/twilio/status.
    public_url: str = ""

    def text(self, address: Address, body: str) -> OutboundSms:
        return self._outbound(address, body=body)

    def template(self, address: Address, content_sid: str) -> OutboundSms:
        return self._outbound(address, content_sid=content_sid, content_variables={})

    def rate_key(self, address: Address) -> str:
        """The sender a send counts against (Twilio's limits are per sender)."""
        return self.messaging_service_sid or self._from(address) or "default"

    def _outbound(self, address: Address, **content: object) -> OutboundSms:
        return OutboundSms(
            to=address.twilio,
            from_=self._from(address),
            messaging_service_sid=self.messaging_service_sid or None,
            status_callback=self.public_url.rstrip("/") + "/twilio/status",
            **content,  # type: ignore[arg-type]
        )

    def _from(self, address: Address) -> str | None:
        if self.messaging_service_sid:
            return None
        if address.channel == "whatsapp":
            return self.from_whatsapp or None
        return self.from_sms or None
