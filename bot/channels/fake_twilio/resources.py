"""Twilio's Message resource and error bodies, and the checks Twilio makes before accepting.

Kept apart from the HTTP and threading code so the wire shapes the client library parses can be
read (and compared with Twilio's documentation) in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

API_VERSION = "2010-04-01"
#: Twilio's own limit, stated here rather than borrowed from bot.channels.sms: the fake models
#: Twilio, so the app's limit drifting must show up as a rejected send, not move the fake too.
MAX_BODY_CHARS = 1600


@dataclass(frozen=True)
class FakeMessage:
    """One message the fake accepted, with the fields exactly as the client sent them."""

    sid: str
    to: str
    from_: str | None
    body: str | None
    status_callback: str | None
    content_sid: str | None
    content_variables: str | None
    messaging_service_sid: str | None


@dataclass(frozen=True)
class Failure:
    """An error response to give instead of accepting a message."""

    status: int
    code: int | None
    message: str


def error_json(failure: Failure) -> dict[str, Any]:
    """Twilio's error body; the client library reads `code` and `message` from it."""
    more_info = f"https://www.twilio.com/docs/errors/{failure.code}" if failure.code else None
    return {
        "code": failure.code,
        "message": failure.message,
        "more_info": more_info,
        "status": failure.status,
    }


def num_segments(body: str) -> int:
    """Rough segment count: GSM-7 sizes for pure ASCII, else UCS-2 sizes in UTF-16 units."""
    single, multi = (160, 153) if body.isascii() else (70, 67)
    length = len(body) if body.isascii() else len(body.encode("utf-16-le")) // 2
    if length <= single:
        return 1
    return -(-length // multi)


def validate(form: dict[str, str]) -> Failure | None:
    """The checks Twilio makes before accepting a message, with its codes and wording."""
    if not form.get("To"):
        return Failure(400, 21604, "A 'To' phone number is required.")
    if not form.get("From") and not form.get("MessagingServiceSid"):
        return Failure(400, 21603, "A 'From' phone number is required.")
    if not form.get("Body") and not form.get("ContentSid"):
        return Failure(400, 21602, "Message body is required.")
    if len(form.get("Body", "")) > MAX_BODY_CHARS:
        return Failure(
            400, 21617, "The concatenated message body exceeds the 1600 character limit."
        )
    return None


def message_from(sid: str, form: dict[str, str]) -> FakeMessage:
    """The accepted message as the client sent it (after `validate` found nothing wrong)."""
    return FakeMessage(
        sid=sid,
        to=form["To"],
        from_=form.get("From"),
        body=form.get("Body"),
        status_callback=form.get("StatusCallback"),
        content_sid=form.get("ContentSid"),
        content_variables=form.get("ContentVariables"),
        messaging_service_sid=form.get("MessagingServiceSid"),
    )


def resource(account_sid: str, message: FakeMessage) -> dict[str, Any]:
    """The Message resource as Twilio returns it; `_`-prefixed keys are private to the fake."""
    now = format_datetime(datetime.now(UTC))
    body = message.body or ""
    uri = f"/{API_VERSION}/Accounts/{account_sid}/Messages/{message.sid}.json"
    return {
        "sid": message.sid,
        "account_sid": account_sid,
        "api_version": API_VERSION,
        "to": message.to,
        "from": message.from_,
        "messaging_service_sid": message.messaging_service_sid,
        "body": body,
        "status": "queued",
        "num_segments": str(num_segments(body)),
        "num_media": "0",
        "direction": "outbound-api",
        "date_created": now,
        "date_updated": now,
        "date_sent": None,
        "price": None,
        "price_unit": "USD",
        "error_code": None,
        "error_message": None,
        "uri": uri,
        "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
        "_status_callback": message.status_callback,
        "_date_sent": None,
    }


#: Statuses a message reaches once Twilio has handed it to the carrier: from then on it has a
#: `date_sent`, which Twilio's DateSent list filters read.
HANDED_ON = frozenset({"sent", "delivered", "undelivered", "read", "partially_delivered"})


def with_status(resource: dict[str, Any], status: str, error_code: int | None) -> None:
    """Move a resource to `status`, dating it sent the first time it is handed on."""
    resource["status"] = status
    resource["error_code"] = error_code
    now = datetime.now(UTC)
    resource["date_updated"] = format_datetime(now)
    if status in HANDED_ON and resource["_date_sent"] is None:
        resource["_date_sent"] = now.replace(microsecond=0)
        resource["date_sent"] = format_datetime(resource["_date_sent"])


def public(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource as the client sees it, without the fake's private bookkeeping."""
    return {key: value for key, value in resource.items() if not key.startswith("_")}
