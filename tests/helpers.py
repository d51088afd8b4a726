"""Small factories shared by tests: Twilio-signed requests and inbound messages."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from flask.testing import FlaskClient
from sqlalchemy import event
from twilio.request_validator import RequestValidator
from werkzeug.test import TestResponse

from bot.runtime.container import Container
from tests.conftest import TEST_AUTH_TOKEN, TEST_PUBLIC_URL

_sids = itertools.count(1)


def new_sid(prefix: str = "SM") -> str:
    """A fresh, well-formed Twilio SID (deterministic within a run)."""
    return f"{prefix}{next(_sids):032x}"


def sign(path: str, params: Mapping[str, str], token: str = TEST_AUTH_TOKEN) -> str:
    """The X-Twilio-Signature Twilio would send, computed with twilio's own validator."""
    return RequestValidator(token).compute_signature(TEST_PUBLIC_URL + path, dict(params))


def signed_post(
    client: FlaskClient, path: str, params: Mapping[str, str], token: str = TEST_AUTH_TOKEN
) -> TestResponse:
    return client.post(
        path, data=dict(params), headers={"X-Twilio-Signature": sign(path, params, token)}
    )


def inbound_params(sender: str, body: str, sid: str | None = None) -> dict[str, str]:
    """The form fields of a real Twilio inbound SMS webhook (WhatsApp when sender says so)."""
    params = {
        "MessageSid": sid or new_sid(),
        "SmsMessageSid": "",
        "AccountSid": "AC" + "0" * 32,
        "From": sender,
        "To": "+447700900999",
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
    }
    params["SmsMessageSid"] = params["MessageSid"]
    if sender.startswith("whatsapp:"):
        params["To"] = "whatsapp:+447700900999"
        params["WaId"] = sender.removeprefix("whatsapp:+")
        params["ProfileName"] = "Resident"
    return params


@contextmanager
def count_queries(services: Container) -> Iterator[list[str]]:
    """The SQL statements run inside the block (to prove a page is not N+1)."""
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements.append(statement)

    event.listen(services.db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(services.db.engine, "before_cursor_execute", record)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group a test started (a worker forks RQ's scheduler), then
    SIGKILL if it will not go."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
