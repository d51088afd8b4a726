"""A local stand-in for Twilio's Messages REST API, for tests, the demo and embedded mode.

It speaks the real wire format (form posts in, Twilio-shaped JSON and error codes out, signed
status callbacks back), so `TwilioSender` and the webhooks are exercised unchanged over real HTTP.
Only the standard library serves it; `twilio` is used just to sign callbacks exactly like Twilio.
It never logs numbers or message bodies.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.error import HTTPError
from urllib.parse import parse_qs, urlencode
from urllib.request import ProxyHandler, Request, build_opener

from twilio.request_validator import RequestValidator

API_VERSION = "2010-04-01"
MAX_BODY_CHARS = 1600
_CREATE_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Messages\.json$")
_FETCH_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Messages/(?P<sid>[^/]+)\.json$")
_CALLBACK_TIMEOUT_S = 5.0
#: Seconds between the server's shutdown checks: how long stop() can take.
_POLL_INTERVAL_S = 0.01
# Callbacks go straight to the app, never through a proxy from the environment.
_CALLBACK_OPENER = build_opener(ProxyHandler({}))


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
class _Failure:
    """An error response to give instead of accepting a message."""

    status: int
    code: int | None
    message: str


def _error_json(failure: _Failure) -> dict[str, Any]:
    """Twilio's error body; the client library reads `code` and `message` from it."""
    more_info = f"https://www.twilio.com/docs/errors/{failure.code}" if failure.code else None
    return {
        "code": failure.code,
        "message": failure.message,
        "more_info": more_info,
        "status": failure.status,
    }


def _num_segments(body: str) -> int:
    """Rough segment count: GSM-7 sizes for pure ASCII, else UCS-2 sizes in UTF-16 units."""
    single, multi = (160, 153) if body.isascii() else (70, 67)
    length = len(body) if body.isascii() else len(body.encode("utf-16-le")) // 2
    if length <= single:
        return 1
    return -(-length // multi)


def _has_basic_auth(header: str | None) -> bool:
    """True when the Authorization header carries decodable Basic credentials."""
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        return b":" in base64.b64decode(token, validate=True)
    except (binascii.Error, ValueError):
        return False


def _validate(form: dict[str, str]) -> _Failure | None:
    """The checks Twilio makes before accepting a message, with its codes and wording."""
    if not form.get("To"):
        return _Failure(400, 21604, "A 'To' phone number is required.")
    if not form.get("From") and not form.get("MessagingServiceSid"):
        return _Failure(400, 21603, "A 'From' phone number is required.")
    if not form.get("Body") and not form.get("ContentSid"):
        return _Failure(400, 21602, "Message body is required.")
    if len(form.get("Body", "")) > MAX_BODY_CHARS:
        return _Failure(
            400, 21617, "The concatenated message body exceeds the 1600 character limit."
        )
    return None


class FakeTwilio:
    """Twilio's Messages API on a local port, with failure injection and status callbacks.

    Thread-safe: the server handles each request on its own thread, while tests read and
    configure it from theirs.
    """

    def __init__(self, auth_token: str = "fake-auth-token", *, auto_callbacks: bool = False):
        self.auth_token = auth_token
        self.auto_callbacks = auto_callbacks
        self.base_url = ""
        self._lock = threading.Lock()
        self._messages: list[FakeMessage] = []
        self._resources: dict[str, dict[str, Any]] = {}
        self._next_failures: list[_Failure] = []
        self._number_failures: dict[str, _Failure] = {}
        self._server: ThreadingHTTPServer | None = None
        self._threads: list[threading.Thread] = []

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve in a background thread; port 0 picks a free one. Returns the base URL."""
        server = _Server((host, port), self)
        self._server = server
        self.base_url = f"http://{host}:{server.server_address[1]}"
        self._spawn(server.serve_forever, _POLL_INTERVAL_S)
        return self.base_url

    def stop(self) -> None:
        """Stop serving and wait for pending callbacks, so nothing outlives a test."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        with self._lock:
            threads, self._threads = self._threads, []
        for thread in threads:
            thread.join(timeout=_CALLBACK_TIMEOUT_S)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _spawn(self, target: Callable[..., object], *args: object) -> None:
        """Run `target` on a tracked thread, pruning finished ones so a long demo stays small."""
        thread = threading.Thread(target=target, args=args, daemon=True)
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
        thread.start()

    # -- inspection ----------------------------------------------------------------------------

    @property
    def messages(self) -> list[FakeMessage]:
        """A snapshot of every accepted message, oldest first."""
        with self._lock:
            return list(self._messages)

    def sent_to(self, number: str) -> list[FakeMessage]:
        """The accepted messages addressed to `number`, oldest first."""
        return [m for m in self.messages if m.to == number]

    def clear(self) -> None:
        """Forget all messages and injected failures, as if freshly started."""
        with self._lock:
            self._messages.clear()
            self._resources.clear()
            self._next_failures.clear()
            self._number_failures.clear()

    # -- failure injection ---------------------------------------------------------------------

    def fail_next(self, count: int, *, status: int, code: int | None, message: str) -> None:
        """Make the next `count` send requests fail with this Twilio error."""
        with self._lock:
            self._next_failures.extend([_Failure(status, code, message)] * count)

    def fail_next_rate_limited(self, count: int = 1) -> None:
        """Twilio's answer to too many concurrent requests: retry later."""
        self.fail_next(count, status=429, code=20429, message="Too Many Requests")

    def fail_next_server_error(self, count: int = 1) -> None:
        """A Twilio outage: HTTP 500 with no error code."""
        self.fail_next(count, status=500, code=None, message="Internal Server Error")

    def fail_next_opted_out(self, count: int = 1) -> None:
        """The recipient replied STOP to this sender."""
        self.fail_next(
            count, status=400, code=21610, message="Attempt to send to unsubscribed recipient"
        )

    def fail_next_outside_window(self, count: int = 1) -> None:
        """A WhatsApp free-form message more than 24 h after the resident last wrote."""
        self.fail_next(
            count,
            status=400,
            code=63016,
            message="Failed to send freeform message because you are outside the allowed window. "
            "If you are using WhatsApp, please use a Message Template.",
        )

    def fail_for(self, number: str, status: int, code: int | None, message: str) -> None:
        """Make every send to `number` fail, e.g. 21610 for a number that opted out."""
        with self._lock:
            self._number_failures[number] = _Failure(status, code, message)

    # -- status callbacks ----------------------------------------------------------------------

    def deliver(self, sid: str, status: str = "delivered", error_code: int | None = None) -> int:
        """POST a signed status callback for `sid` to its StatusCallback; returns the app's status.

        Raises KeyError for an unknown SID and ValueError when the message has no callback URL.
        """
        with self._lock:
            resource = self._resources[sid]
            url = resource["_status_callback"]
            if not url:
                raise ValueError(f"message {sid} has no StatusCallback")
            resource["status"] = status
            resource["error_code"] = error_code
            params = {
                "MessageSid": sid,
                "MessageStatus": status,
                "AccountSid": resource["account_sid"],
                "To": resource["to"],
                "From": resource["from"],
                "MessagingServiceSid": resource["messaging_service_sid"],
                "ApiVersion": API_VERSION,
                "ErrorCode": None if error_code is None else str(error_code),
            }
        params = {key: value for key, value in params.items() if value is not None}
        return self._post_callback(url, params)

    def _post_callback(self, url: str, params: dict[str, str]) -> int:
        signature = RequestValidator(self.auth_token).compute_signature(url, params)
        request = Request(
            url,
            data=urlencode(params).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": signature,
            },
            method="POST",
        )
        try:
            with _CALLBACK_OPENER.open(request, timeout=_CALLBACK_TIMEOUT_S) as response:
                return int(response.status)
        except HTTPError as exc:
            # An error status (e.g. 403 for a bad signature) is still the app's answer.
            return exc.code

    def _deliver_in_order(self, sid: str) -> None:
        """Twilio's usual progression. An unreachable app is ignored, as Twilio would; a KeyError
        means `clear()` forgot the message meanwhile."""
        for status in ("sent", "delivered"):
            try:
                self.deliver(sid, status)
            except (OSError, KeyError):
                return

    # -- request handling (called by _Handler) -------------------------------------------------

    def _create(self, account_sid: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            failure = self._next_failures.pop(0) if self._next_failures else None
            failure = failure or _validate(form) or self._number_failures.get(form["To"])
            if failure:
                return failure.status, _error_json(failure)
            message = FakeMessage(
                sid="SM" + uuid.uuid4().hex,
                to=form["To"],
                from_=form.get("From"),
                body=form.get("Body"),
                status_callback=form.get("StatusCallback"),
                content_sid=form.get("ContentSid"),
                content_variables=form.get("ContentVariables"),
                messaging_service_sid=form.get("MessagingServiceSid"),
            )
            self._messages.append(message)
            self._resources[message.sid] = _resource(account_sid, message)
            return HTTPStatus.CREATED, _public(self._resources[message.sid])

    def _fetch(self, sid: str) -> dict[str, Any] | None:
        with self._lock:
            resource = self._resources.get(sid)
            return _public(resource) if resource else None

    def _after_create(self, sid: str) -> None:
        """Start the automatic callbacks once the client has its response, as Twilio does."""
        with self._lock:
            resource = self._resources.get(sid)
            wanted = self.auto_callbacks and resource is not None and resource["_status_callback"]
        if wanted:
            self._spawn(self._deliver_in_order, sid)


def _resource(account_sid: str, message: FakeMessage) -> dict[str, Any]:
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
        "num_segments": str(_num_segments(body)),
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
    }


def _public(resource: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in resource.items() if not key.startswith("_")}


class _Server(ThreadingHTTPServer):
    """The HTTP server, knowing which FakeTwilio its handlers serve."""

    def __init__(self, address: tuple[str, int], fake: FakeTwilio):
        super().__init__(address, _Handler)
        self.fake = fake


class _Handler(BaseHTTPRequestHandler):
    """Routes Twilio API requests to the FakeTwilio that owns the server."""

    server: _Server
    server_version = "FakeTwilio/1.0"

    @property
    def fake(self) -> FakeTwilio:
        return self.server.fake

    def do_POST(self) -> None:
        match = _CREATE_PATH.match(self.path)
        if not match:
            self._not_found()
            return
        length = int(self.headers.get("Content-Length") or 0)
        raw = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
        if not self._authorised():
            return
        form = {key: values[0] for key, values in raw.items()}
        status, payload = self.fake._create(match["account"], form)
        self._send_json(status, payload)
        if status == HTTPStatus.CREATED:
            self.fake._after_create(payload["sid"])

    def do_GET(self) -> None:
        match = _FETCH_PATH.match(self.path)
        if not match:
            self._not_found()
            return
        if not self._authorised():
            return
        payload = self.fake._fetch(match["sid"])
        if payload is None:
            self._not_found()
            return
        self._send_json(HTTPStatus.OK, payload)

    def _authorised(self) -> bool:
        if _has_basic_auth(self.headers.get("Authorization")):
            return True
        failure = _Failure(401, 20003, "Authenticate")
        self._send_json(401, _error_json(failure), {"WWW-Authenticate": 'Basic realm="Twilio API"'})
        return False

    def _not_found(self) -> None:
        message = f"The requested resource {self.path} was not found"
        self._send_json(404, _error_json(_Failure(404, 20404, message)))

    def _send_json(
        self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: request lines would leak SIDs into test output and the demo's console."""
