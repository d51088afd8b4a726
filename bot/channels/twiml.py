"""The immediate reply to an inbound text, and the answer to a phone call, as TwiML.

A curly quote or dash pasted into a flow would otherwise turn an instant reply into UCS-2 and
more than double its cost; the outbox normalises before sending, so the reply must as well.
"""

from __future__ import annotations

from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

from bot.channels.sms import normalise

#: Amazon Polly's standard voices through Twilio's <Say>: Welsh, and British English.
VOICES: dict[str, tuple[str, str]] = {
    "cy": ("cy-GB", "Polly.Gwyneth"),
    "en": ("en-GB", "Polly.Amy"),
}


def message_reply(text: str | None) -> str:
    """`<Response><Message>…</Message></Response>`, or an empty `<Response/>` for silence."""
    response = MessagingResponse()
    body = normalise(text) if text else ""
    if body:
        response.message(body)
    return str(response)


def reject_call() -> str:
    """`<Response><Reject reason="busy"/></Response>`: as the first verb, Twilio neither answers
    nor bills the call, and the caller hears a busy tone rather than "not in service"."""
    response = VoiceResponse()
    response.reject(reason="busy")
    return str(response)


def spoken_reply(parts: list[tuple[str, str]]) -> str:
    """Each (language, words) said in turn in that language's voice, then `<Hangup/>`."""
    response = VoiceResponse()
    for language, words in parts:
        code, voice = VOICES[language]
        response.say(words, voice=voice, language=code)
    response.hangup()
    return str(response)
