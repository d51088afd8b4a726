"""POST /twilio/voice: Twilio's incoming-call webhook, signed like every Twilio route.

The voice flows are not built yet, so a call always ends in a text (bot/core/calls.py): a missed
call is rejected unanswered, at no cost; otherwise the caller hears, Welsh first, that Sgwrs
works by text and a text is on its way. This module only keeps the HTTP contract (403 unsigned,
400 malformed) and writes the TwiML. It never logs the caller's number.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, request

from bot.channels.twiml import reject_call, spoken_reply
from bot.core.calls import IncomingCall
from webhooks.twilio import services, verify_signature

bp = Blueprint("voice", __name__, url_prefix="/twilio")
bp.before_request(verify_signature)

CALL_SID = re.compile(r"CA[0-9a-fA-F]{32}")


@bp.post("/voice")
def receive_call() -> Response:
    """An incoming call: `<Reject/>` for a missed call, else a short spoken answer; then a text."""
    form = request.form
    sid = form.get("CallSid", "")
    if not CALL_SID.fullmatch(sid):
        return Response(
            "Bad request: CallSid is missing or malformed\n", status=400, mimetype="text/plain"
        )
    call = IncomingCall(
        call_sid=sid,
        caller=form.get("From", ""),
        called=form.get("To", ""),
        status=form.get("CallStatus", ""),
    )
    answer = services().calls.answer(call)
    twiml = reject_call() if answer.missed else spoken_reply(list(answer.spoken))
    return Response(twiml, mimetype="text/xml")
