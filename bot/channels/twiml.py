"""The immediate reply to an inbound text, and the answer to a phone call, as TwiML.

A curly quote or dash pasted into a flow would otherwise turn an instant reply into UCS-2 and
more than double its cost; the outbox normalises before sending, so the reply must as well.
"""

from __future__ import annotations

from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import Gather, VoiceResponse

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


#: Seconds a call waits for a key after the words end, and for a caller to start speaking.
KEY_WAIT_SECONDS = 8
RECORD_WAIT_SECONDS = 6
#: The longest own-words answer a call records.
MOST_RECORDING_SECONDS = 60


def spoken_reply(parts: list[tuple[str, str]]) -> str:
    """Each (language, words) said in turn in that language's voice, then `<Hangup/>`."""
    response = VoiceResponse()
    _say(response, parts)
    response.hangup()
    return str(response)


def ask_for_key(parts: list[tuple[str, str]], action: str) -> str:
    """The words said inside a one-key `<Gather>` (a key cuts them short, as callers expect);
    silence posts to `action` too, with no Digits, so the call can say the options again."""
    response = VoiceResponse()
    gather = response.gather(
        input="dtmf",
        num_digits=1,
        timeout=KEY_WAIT_SECONDS,
        action=action,
        method="POST",
        action_on_empty_result=True,
    )
    _say(gather, parts)
    return str(response)


def ask_for_recording(
    parts: list[tuple[str, str]], action: str, silent: str, status_callback: str
) -> str:
    """The words, then `<Record>` up to MOST_RECORDING_SECONDS, ended by # (or 1, to skip).
    Twilio does not post an empty recording to `action` but goes on to the next verb, so a
    `<Redirect>` to `silent` follows, which the call hears as no answer."""
    response = VoiceResponse()
    _say(response, parts)
    response.record(
        action=action,
        method="POST",
        timeout=RECORD_WAIT_SECONDS,
        max_length=MOST_RECORDING_SECONDS,
        finish_on_key="#1",
        play_beep=True,
        recording_status_callback=status_callback,
        recording_status_callback_method="POST",
        recording_status_callback_event="completed absent",
    )
    response.redirect(silent, method="POST")
    return str(response)


def _say(verb: VoiceResponse | Gather, parts: list[tuple[str, str]]) -> None:
    for language, words in parts:
        code, voice = VOICES[language]
        verb.say(words, voice=voice, language=code)
