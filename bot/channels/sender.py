"""The one way Sgwrs sends a message: `Sender.send(OutboundSms) -> SendResult`, or `SendError`.

Twilio's error codes are interpreted here and nowhere else: callers decide between retrying,
giving up and changing course (opted out, needs a template) from `SendError` alone.
Errors never carry Twilio's message text, which can contain the resident's number.

`Sender.find_sent` asks Twilio whether it already holds a message, so a send whose outcome was
lost in a crash can be settled from Twilio's own records instead of being sent again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain
from typing import Any, Protocol
from urllib.parse import urlsplit

from requests import RequestException
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from bot.channels.sms import normalise

#: Seconds to wait for Twilio (connect and each read) before treating the send as retryable.
DEFAULT_TIMEOUT_S = 10.0

#: How many of the newest messages to a number are read to find one Twilio has not sent yet:
#: far more than one resident is sent in the few minutes a lost send is looked for.
RECENT_MESSAGES = 50

#: HTTP statuses worth retrying besides 5xx.
RETRYABLE_HTTP_STATUSES = frozenset(
    {
        429,  # rate limited
    }
)

#: Twilio error codes worth retrying with backoff.
RETRYABLE_CODES = frozenset(
    {
        20429,  # too many concurrent requests
        21611,  # this sender's queue is full
        30001,  # queue overflow
    }
)

#: Twilio error codes that no retry will fix, by the reason callers act on.
PERMANENT_REASONS: dict[int, str] = {
    21610: "opted_out",  # recipient replied STOP: mark opted out, never send again
    63014: "blocked",  # recipient blocked the sender or withdrew consent
    21211: "invalid_number",  # not a valid phone number
    21614: "invalid_number",  # not a mobile number (cannot receive SMS)
    63016: "outside_window",  # WhatsApp free-form after 24 h: send a Content template instead
}


@dataclass(frozen=True)
class OutboundSms:
    """One message to send; SMS or WhatsApp (`to="whatsapp:+44..."`), text or Content template."""

    to: str
    body: str | None = None
    from_: str | None = None
    messaging_service_sid: str | None = None
    status_callback: str | None = None
    content_sid: str | None = None
    content_variables: dict[str, str] | None = None

    def __post_init__(self) -> None:
        """Refuse messages Twilio would reject anyway, before they cost a request."""
        if not (self.from_ or self.messaging_service_sid):
            raise ValueError("OutboundSms needs from_ or messaging_service_sid")
        if not (self.body or self.content_sid):
            raise ValueError("OutboundSms needs body or content_sid")


@dataclass(frozen=True)
class SendResult:
    """What Twilio said when it accepted the message; `sid` matches later status callbacks."""

    sid: str
    status: str


class SendError(Exception):
    """A message was not accepted; `retryable` and `permanent_reason` say what to do next."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: int | None = None,
        retryable: bool = False,
        permanent_reason: str | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.code = code
        self.retryable = retryable
        self.permanent_reason = permanent_reason

    @classmethod
    def from_twilio(cls, status: int | None, code: int | None) -> SendError:
        """Classify a Twilio error response by HTTP status and Twilio error code."""
        reason = PERMANENT_REASONS.get(code) if code is not None else None
        return cls(
            f"Twilio refused the message: HTTP {status}, error {code}",
            status=status,
            code=code,
            retryable=reason is None and _is_retryable(status, code),
            permanent_reason=reason,
        )


def _is_retryable(status: int | None, code: int | None) -> bool:
    if code in RETRYABLE_CODES or status in RETRYABLE_HTTP_STATUSES:
        return True
    return status is not None and status >= 500


class Sender(Protocol):
    """Anything that can send one message; the outbox job depends on this alone."""

    def send(self, message: OutboundSms) -> SendResult: ...

    def find_sent(self, message: OutboundSms, since: datetime) -> list[SendResult]:
        """What Twilio holds that is `message` (same recipient, sender and body) created at or
        after `since`, oldest first; raises a retryable SendError when Twilio cannot be asked."""
        ...


def same_text(sent: str | None, body: str | None) -> bool:
    """Whether a body Twilio lists is the one sent, compared as Sgwrs normalises every text."""
    return sent is not None and body is not None and normalise(sent) == normalise(body)


class UnconfiguredSender:
    """Stands in for Twilio when no account is set (e.g. `sgwrs chat`): sends wait, not vanish."""

    def send(self, message: OutboundSms) -> SendResult:
        raise SendError(
            "Twilio is not configured: set TWILIO_ACCOUNT_SID, or use `sgwrs run`", retryable=True
        )

    def find_sent(self, message: OutboundSms, since: datetime) -> list[SendResult]:
        """Nothing can be asked, so nothing is settled: the send stays unknown, never re-sent."""
        raise SendError("Twilio is not configured: cannot look up a send", retryable=True)


class TwilioSender:
    """Sends through Twilio's REST API, or through a fake of it at `api_url` (tests, the demo)."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        api_url: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT_S,
    ):
        http_client = (
            _RebasedHttpClient(api_url, timeout=timeout)
            if api_url
            else TwilioHttpClient(timeout=timeout)
        )
        self._client = Client(account_sid, auth_token, http_client=http_client)

    def send(self, message: OutboundSms) -> SendResult:
        try:
            created = self._client.messages.create(**_create_arguments(message))
        except (TwilioRestException, TwilioServiceException) as exc:
            # `from None`: the Twilio exception's text can contain the resident's number.
            raise SendError.from_twilio(exc.status, exc.code) from None
        except RequestException as exc:
            raise SendError(
                f"could not reach Twilio: {type(exc).__name__}", retryable=True
            ) from exc
        return SendResult(sid=str(created.sid), status=str(created.status))

    def find_sent(self, message: OutboundSms, since: datetime) -> list[SendResult]:
        """Lists Messages to `message.to` from its sender twice: those Twilio sent since `since`
        (DateSent>, every page), and the newest few whatever their date, since a message still
        queued at Twilio has no date_sent and so no DateSent filter finds it."""
        where: dict[str, Any] = {"to": message.to}
        if message.from_:
            where["from_"] = message.from_
        try:
            sent = self._client.messages.stream(
                **where, date_sent_after=since, page_size=RECENT_MESSAGES
            )
            recent = self._client.messages.list(**where, limit=RECENT_MESSAGES)
            found = {
                str(listed.sid): listed
                for listed in chain(sent, recent)
                if _is_copy(listed, message, since)
            }
        except (TwilioRestException, TwilioServiceException) as exc:
            raise SendError.from_twilio(exc.status, exc.code) from None
        except (RequestException, TwilioException) as exc:
            # A page Twilio would not give (a 5xx while listing) surfaces as TwilioException.
            raise SendError(
                f"could not list messages at Twilio: {type(exc).__name__}", retryable=True
            ) from None
        ordered = sorted(found.values(), key=lambda listed: listed.date_created)
        return [SendResult(sid=str(m.sid), status=str(m.status)) for m in ordered]


def _is_copy(listed: Any, message: OutboundSms, since: datetime) -> bool:
    """A listed message is this send when it went the same way with the same words, no earlier
    than the attempt began (the list's own date filter is by day or by sending, not creation)."""
    created = listed.date_created
    return (
        created is not None
        and _aware(created) >= since
        and same_text(listed.body, message.body)
        and (
            message.messaging_service_sid is None
            or listed.messaging_service_sid == message.messaging_service_sid
        )
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _create_arguments(message: OutboundSms) -> dict[str, str]:
    """`messages.create` keyword arguments for the fields that are set; Twilio wants the
    template variables as a JSON string."""
    variables = message.content_variables
    arguments = {
        "to": message.to,
        "body": message.body,
        "from_": message.from_,
        "messaging_service_sid": message.messaging_service_sid,
        "status_callback": message.status_callback,
        "content_sid": message.content_sid,
        "content_variables": None if variables is None else json.dumps(variables),
    }
    return {name: value for name, value in arguments.items() if value is not None}


class _RebasedHttpClient(TwilioHttpClient):
    """Sends every API call to `base_url`, keeping path and query.

    The whole origin is replaced, not just `https://api.twilio.com`, so TWILIO_EDGE/TWILIO_REGION
    (which change the host) can never send a test's messages to the real Twilio. Proxy settings
    from the environment are ignored: a fake is local and must not be reached through a proxy.
    """

    def __init__(self, base_url: str, *, timeout: float):
        super().__init__(pool_connections=True, timeout=timeout)
        self._base_url = base_url.rstrip("/")
        assert self.session is not None  # pool_connections=True always creates one
        self.session.trust_env = False

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        parts = urlsplit(url)
        rebased = self._base_url + parts.path + (f"?{parts.query}" if parts.query else "")
        return super().request(
            method,
            rebased,
            params=params,
            data=data,
            headers=headers,
            auth=auth,
            timeout=timeout,
            allow_redirects=allow_redirects,
        )


class InMemorySender:
    """Records messages instead of sending them, for unit tests of code that sends.

    SIDs count up from SM000…001, so golden transcripts stay stable between runs.
    """

    def __init__(self) -> None:
        self.messages: list[OutboundSms] = []
        self._accepted_at: list[datetime] = []
        self._failures: list[SendError] = []

    def fail_next(self, error: SendError) -> None:
        """Raise `error` from the next send (queued after any earlier ones), recording nothing."""
        self._failures.append(error)

    def send(self, message: OutboundSms) -> SendResult:
        if self._failures:
            raise self._failures.pop(0)
        self.messages.append(message)
        self._accepted_at.append(datetime.now(UTC))
        return SendResult(sid=f"SM{len(self.messages):032x}", status="queued")

    def find_sent(self, message: OutboundSms, since: datetime) -> list[SendResult]:
        """The recorded messages that are `message`, accepted at or after `since`."""
        return [
            SendResult(sid=f"SM{number:032x}", status="queued")
            for number, (sent, at) in enumerate(
                zip(self.messages, self._accepted_at, strict=True), 1
            )
            if at >= since
            and sent.to == message.to
            and sent.from_ == message.from_
            and same_text(sent.body, message.body)
        ]
