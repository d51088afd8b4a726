"""POST /twilio/voice/recording: Twilio's recording-status callback, signed like every Twilio
route.

A `<Record>` on a call names this route as its recordingStatusCallback. When the recording is
ready (or failed), the recording desk (bot/core/recordings.py) ties it to the caller and queues
the fetch that copies it here, sealed, and deletes it at Twilio. This module only keeps the HTTP
contract: 403 unsigned (nothing stored), 400 for a malformed RecordingSid, CallSid or status, 204
otherwise; a repeat is answered the same and does nothing new. It never logs the caller's number.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, request

from bot.core.recordings import STATUSES
from webhooks.twilio import services, verify_signature

bp = Blueprint("recordings", __name__, url_prefix="/twilio")
bp.before_request(verify_signature)

CALL_SID = re.compile(r"CA[0-9a-fA-F]{32}")
RECORDING_SID = re.compile(r"RE[0-9a-fA-F]{32}")
#: RecordingDuration in whole seconds (ASCII digits only); absent or odd reads as unknown (0).
SECONDS = re.compile(r"[0-9]{1,6}")


def _bad(reason: str) -> Response:
    return Response(f"Bad request: {reason}\n", status=400, mimetype="text/plain")


@bp.post("/voice/recording")
def recording_status() -> Response:
    """A recording is ready (completed), or Twilio could not make one (failed, absent)."""
    form = request.form
    recording_sid, call_sid = form.get("RecordingSid", ""), form.get("CallSid", "")
    status = form.get("RecordingStatus", "")
    if not RECORDING_SID.fullmatch(recording_sid):
        return _bad("RecordingSid is missing or malformed")
    if not CALL_SID.fullmatch(call_sid):
        return _bad("CallSid is missing or malformed")
    if status not in STATUSES:
        return _bad("RecordingStatus is missing or unknown")
    duration = form.get("RecordingDuration", "")
    seconds = int(duration) if SECONDS.fullmatch(duration) else 0
    services().recordings.on_status(
        call_sid, recording_sid, status, seconds, form.get("RecordingUrl", "")
    )
    return Response(status=204)
