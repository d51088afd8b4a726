"""Twilio's webhooks: parse, verify the signature, hand over to bot/, answer in TwiML.

Nothing here decides what to say: that is the inbound desk's job (bot/core/inbound.py). This
module only guarantees the HTTP contract (403 unsigned, 400 malformed, never 500 on any body).
"""

from __future__ import annotations

import logging
import re

from flask import Blueprint, Response, current_app, request
from twilio.request_validator import RequestValidator

from bot.channels.addresses import AddressError, parse_twilio_address
from bot.channels.twiml import message_reply
from bot.core.inbound import InboundMessage
from bot.core.status import record_status
from bot.runtime.container import Container

bp = Blueprint("twilio", __name__, url_prefix="/twilio")
log = logging.getLogger(__name__)

SID = re.compile(r"[A-Z]{2}[0-9a-fA-F]{32}")
#: Small whole numbers as Twilio writes them (ASCII digits only: "²".isdigit() is true).
COUNT = re.compile(r"[0-9]{1,6}")


def services() -> Container:
    """The app's services, for every Twilio route (the voice route's too)."""
    return current_app.extensions["sgwrs"]


def _plain(status: int, reason: str) -> Response:
    return Response(reason + "\n", status=status, mimetype="text/plain")


@bp.before_request
def verify_signature() -> Response | None:
    """Refuse anything not signed by Twilio for our public URL (proxies change the local one)."""
    settings = services().settings
    if not settings.twilio_validate:
        return None
    url = settings.public_url.rstrip("/") + request.path
    if request.query_string:
        url += "?" + request.query_string.decode("utf-8", "replace")
    signature = request.headers.get("X-Twilio-Signature", "")
    validator = RequestValidator(settings.twilio_auth_token)
    if not signature or not validator.validate(url, request.form, signature):
        log.warning("webhook_rejected path=%s reason=signature", request.path)
        return _plain(403, "Forbidden: missing or invalid X-Twilio-Signature")
    return None


def _twiml(reply: str | None) -> Response:
    return Response(message_reply(reply), mimetype="text/xml")


@bp.post("/messages")
def receive_message() -> Response:
    """A resident's text (SMS or WhatsApp): the immediate reply goes back as TwiML."""
    form = request.form
    sid = form.get("MessageSid", "")
    if not SID.fullmatch(sid):
        return _plain(400, "Bad request: MessageSid is missing or malformed")
    try:
        sender = parse_twilio_address(form.get("From", ""))
    except AddressError as error:
        return _plain(400, f"Bad request: {error}")
    num_media = form.get("NumMedia", "0")
    if not COUNT.fullmatch(num_media):
        return _plain(400, "Bad request: NumMedia must be a whole number")
    message = InboundMessage(
        message_sid=sid,
        sender=sender,
        body=form.get("Body", ""),
        num_media=int(num_media),
        opt_out_type=form.get("OptOutType", ""),
    )
    result = services().inbound.receive(message)
    return _twiml(result.reply)


@bp.post("/status")
def receive_status() -> Response:
    """Twilio's delivery report for a message we sent: statuses only ever move forwards."""
    form = request.form
    sid = form.get("MessageSid", "")
    status = form.get("MessageStatus", "")
    if not SID.fullmatch(sid) or not re.fullmatch(r"[a-z_]{2,24}", status):
        return _plain(400, "Bad request: MessageSid or MessageStatus is missing or malformed")
    error_code = form.get("ErrorCode", "")
    sgwrs = services()
    code = int(error_code) if COUNT.fullmatch(error_code) else None
    record_status(sgwrs.db, sgwrs.vault, sid, status, code, sgwrs.clock)
    return Response(status=204)
