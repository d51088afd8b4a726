"""Twilio's voice webhooks, signed like every Twilio route: 403 and nothing stored otherwise.

- `POST /twilio/voice`: an incoming call. A missed call is rejected unanswered and texted
  (bot/core/calls.py); any other goes through the voice flow (bot/core/call_flow.py).
- `POST /twilio/voice/gather?turn=N&misses=M`: the key pressed (Digits), or none for silence.
- `POST /twilio/voice/record?turn=N`: an own-words answer recorded (RecordingSid, Digits).
- `POST /twilio/voice/status`: the call is over (CallStatus, CallDuration).

The turn in each URL, with the CallSid, is what makes a retried callback handled once. This
module only keeps the HTTP contract (400 for what is malformed) and writes the TwiML; it never
logs the caller's number.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, request

from bot.channels.twiml import ask_for_key, ask_for_recording, reject_call, spoken_reply
from bot.core.call_flow import FINAL_STATUSES, MOST_MISSES, CallTurn
from bot.core.calls import IncomingCall
from webhooks.twilio import services, verify_signature

bp = Blueprint("voice", __name__, url_prefix="/twilio")
bp.before_request(verify_signature)

CALL_SID = re.compile(r"CA[0-9a-fA-F]{32}")
RECORDING_SID = re.compile(r"RE[0-9a-fA-F]{32}")
#: One key of a phone keypad, or nothing (silence).
KEY = re.compile(r"[0-9*#]?")
#: A turn, a count of misses or a call's seconds: ASCII digits, few enough for int() and the
#: database (str.isdigit() also takes "²", which int() refuses, and other scripts' digits).
WHOLE_NUMBER = re.compile(r"[0-9]{1,6}")
#: A call longer than this many turns is not one a resident is making.
MOST_TURNS = 1000


class _MalformedError(Exception):
    pass


@bp.post("/voice")
def receive_call() -> Response:
    """An incoming call: `<Reject/>` for a missed call, else the voice flow's first words."""
    try:
        call = _call()
    except _MalformedError as error:
        return _bad(str(error))
    answer = services().calls.answer(call)
    if answer.missed or answer.turn is None:
        return _xml(reject_call())
    return _xml(_twiml(answer.turn))


@bp.post("/voice/gather")
def receive_key() -> Response:
    """A key pressed after the words of `turn`, or silence."""
    try:
        call, turn = _call(), _turn()
        misses = _number_arg("misses", 0, MOST_MISSES)
        key = request.form.get("Digits", "")
        if not KEY.fullmatch(key):
            raise _MalformedError("Digits must be one key of a phone keypad")
    except _MalformedError as error:
        return _bad(str(error))
    return _xml(_twiml(services().calls.press(call, turn, key, misses)))


@bp.post("/voice/record")
def receive_recording() -> Response:
    """An own-words answer recorded after the words of `turn` (# ends it, 1 skips)."""
    try:
        call, turn = _call(), _turn()
        recording_sid = request.form.get("RecordingSid", "")
        if not RECORDING_SID.fullmatch(recording_sid):
            raise _MalformedError("RecordingSid is missing or malformed")
    except _MalformedError as error:
        return _bad(str(error))
    key = request.form.get("Digits", "")
    answered = services().calls.recorded(call, turn, recording_sid, key)
    return _xml(_twiml(answered))


@bp.post("/voice/status")
def receive_call_status() -> Response:
    """Twilio's call-status callback: the call's end and its billed duration."""
    form = request.form
    sid = form.get("CallSid", "")
    status = form.get("CallStatus", "")
    if not CALL_SID.fullmatch(sid):
        return _bad("CallSid is missing or malformed")
    if status not in FINAL_STATUSES:
        return Response(status=204)  # ringing, in-progress: nothing to record yet
    duration = form.get("CallDuration", "")
    if duration and not WHOLE_NUMBER.fullmatch(duration):
        return _bad("CallDuration must be a whole number of seconds")
    services().calls.flow.ended(sid, status, int(duration) if duration else None)
    return Response(status=204)


def _twiml(turn: CallTurn) -> str:
    said = list(turn.said)
    base = services().settings.public_url.rstrip("/") + "/twilio/voice"
    gather = f"{base}/gather?turn={turn.turn}&misses={turn.misses}"
    if turn.listen == "key":
        return ask_for_key(said, gather)
    if turn.listen == "recording":
        return ask_for_recording(
            said, f"{base}/record?turn={turn.turn}", gather, f"{base}/recording"
        )
    return spoken_reply(said)


def _call() -> IncomingCall:
    form = request.form
    sid = form.get("CallSid", "")
    if not CALL_SID.fullmatch(sid):
        raise _MalformedError("CallSid is missing or malformed")
    return IncomingCall(
        call_sid=sid,
        caller=form.get("From", ""),
        called=form.get("To", ""),
        status=form.get("CallStatus", ""),
    )


def _turn() -> int:
    return _number_arg("turn", 1, MOST_TURNS)


def _number_arg(name: str, lowest: int, highest: int) -> int:
    raw = request.args.get(name, "")
    if not WHOLE_NUMBER.fullmatch(raw) or not lowest <= int(raw) <= highest:
        raise _MalformedError(f"{name} must be a whole number from {lowest} to {highest}")
    return int(raw)


def _bad(message: str) -> Response:
    return Response(f"Bad request: {message}\n", status=400, mimetype="text/plain")


def _xml(twiml: str) -> Response:
    return Response(twiml, mimetype="text/xml")
