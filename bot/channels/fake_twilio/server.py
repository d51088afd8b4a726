"""The HTTP side: routes Twilio's Messages endpoints (create, fetch, list) and a Recording's
audio and deletion to the FakeTwilio.

The handler only parses, authenticates and answers; what a send does is the fake's business, so
a test subclass of FakeTwilio (overriding `_create`) sees every request the client makes.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from bot.channels.fake_twilio.listing import ListError, Query
from bot.channels.fake_twilio.recordings import MP3
from bot.channels.fake_twilio.resources import Failure, error_json

if TYPE_CHECKING:
    from bot.channels.fake_twilio.fake import FakeTwilio

_CREATE_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Messages\.json$")
_FETCH_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Messages/(?P<sid>[^/]+)\.json$")
_RECORDING_PATH = re.compile(
    r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Recordings/(?P<sid>[^/.]+)\.(?P<format>mp3|json)$"
)


def has_basic_auth(header: str | None) -> bool:
    """True when the Authorization header carries decodable Basic credentials."""
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        return b":" in base64.b64decode(token, validate=True)
    except (binascii.Error, ValueError):
        return False


class Server(ThreadingHTTPServer):
    """The HTTP server, knowing which FakeTwilio its handlers serve."""

    def __init__(self, address: tuple[str, int], fake: FakeTwilio):
        super().__init__(address, _Handler)
        self.fake = fake

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up before its answer (a worker killed mid-send) is nothing to
        report, as it is nothing to Twilio; anything else is printed as usual."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    """Routes Twilio API requests to the FakeTwilio that owns the server."""

    server: Server
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
        parts = urlsplit(self.path)
        recording = _RECORDING_PATH.match(parts.path)
        if recording and recording["format"] == "mp3":
            if self._authorised():
                self._send_recording(recording["account"], recording["sid"])
            return
        listing = _CREATE_PATH.match(parts.path)
        match = _FETCH_PATH.match(parts.path)
        if not (listing or match):
            self._not_found()
            return
        if not self._authorised():
            return
        if listing:
            self._list(listing["account"], parts.query)
            return
        assert match is not None
        payload = self.fake._fetch(match["sid"])
        if payload is None:
            self._not_found()
            return
        self._send_json(HTTPStatus.OK, payload)

    def do_DELETE(self) -> None:
        recording = _RECORDING_PATH.match(urlsplit(self.path).path)
        if not recording or recording["format"] != "json":
            self._not_found()
            return
        if not self._authorised():
            return
        status = self.fake._delete_recording(recording["account"], recording["sid"])
        if status == HTTPStatus.NOT_FOUND:
            self._not_found()
        elif status != HTTPStatus.NO_CONTENT:
            self._send_json(status, error_json(Failure(status, None, "Internal Server Error")))
        else:
            self.send_response(HTTPStatus.NO_CONTENT)
            self.end_headers()

    def _send_recording(self, account_sid: str, sid: str) -> None:
        status, audio = self.fake._fetch_recording(account_sid, sid)
        if audio is None:
            if status == 404:
                self._not_found()
            else:
                self._send_json(status, error_json(Failure(status, None, "Internal Server Error")))
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", MP3)
        self.send_header("Content-Length", str(len(audio)))
        self.end_headers()
        self.wfile.write(audio)
        self.wfile.flush()

    def _list(self, account_sid: str, raw_query: str) -> None:
        params = {key: values[0] for key, values in parse_qs(raw_query).items()}
        try:
            query = Query.parse(params)
        except ListError as error:
            self._send_json(error.failure.status, error_json(error.failure))
            return
        self._send_json(*self.fake._list(account_sid, query))

    def _authorised(self) -> bool:
        if has_basic_auth(self.headers.get("Authorization")):
            return True
        failure = Failure(401, 20003, "Authenticate")
        self._send_json(401, error_json(failure), {"WWW-Authenticate": 'Basic realm="Twilio API"'})
        return False

    def _not_found(self) -> None:
        message = f"The requested resource {self.path} was not found"
        self._send_json(404, error_json(Failure(404, 20404, message)))

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
