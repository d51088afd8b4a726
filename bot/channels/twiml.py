"""The immediate reply to an inbound text, as TwiML, normalised like every outbox send.

A curly quote or dash pasted into a flow would otherwise turn an instant reply into UCS-2 and
more than double its cost; the outbox normalises before sending, so the reply must as well.
"""

from __future__ import annotations

from twilio.twiml.messaging_response import MessagingResponse

from bot.channels.sms import normalise


def message_reply(text: str | None) -> str:
    """`<Response><Message>…</Message></Response>`, or an empty `<Response/>` for silence."""
    response = MessagingResponse()
    body = normalise(text) if text else ""
    if body:
        response.message(body)
    return str(response)
