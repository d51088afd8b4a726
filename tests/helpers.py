"""Small factories shared by tests: Twilio-signed requests and inbound messages."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime

from flask.testing import FlaskClient
from sqlalchemy import event
from sqlmodel import Session
from twilio.request_validator import RequestValidator
from werkzeug.test import TestResponse

from bot.core.recordings import seal_audio
from bot.runtime.container import Container
from bot.store.answers import save_answer
from bot.store.calls import open_call
from bot.store.participants import create_participant
from bot.store.recordings import attach_recording
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


def add_written_answer(
    services: Container,
    session: Session,
    text: str,
    *,
    kind: str = "fear",
    step_id: str = "worries",
    language: str | None = None,
    partner: str | None = None,
    now: datetime | None = None,
    contact_details: bool = False,
) -> int:
    """A resident of their own who wrote `text` at an own-words step of energy-data, stored as
    the service stores it (sealed, words indexed); the answer's id. Their number is sealed but
    made up from a counter, outside the numbers the other tests text."""
    when = now or services.clock()
    resident = create_participant(
        session,
        number_hash=f"written-{next(_written)}",
        number_encrypted=services.vault.seal(f"+4477009{next(_written) + 20_000:05d}"),
        channel="sms",
        now=when,
    )
    resident.language, resident.partner_code = language, partner
    session.add(resident)
    session.flush()
    answer = save_answer(
        session,
        services.vault,
        participant_id=resident.id or 0,
        conversation_id=None,
        flow_id="energy-data",
        step_id=step_id,
        kind=kind,
        value=None,
        text=text,
        now=when,
        contact_details=contact_details,
        language=language,
    )
    session.flush()
    return answer.id or 0


_written = itertools.count()


def add_caller(services: Container, number: str = "+447700900555") -> tuple[int, str]:
    """A resident on a call that is still going: their participant id and the CallSid."""
    now = services.clock()
    with services.db.session() as session:
        resident = create_participant(
            session,
            number_hash=services.vault.hash_number(number),
            number_encrypted=services.vault.seal(number),
            channel="sms",
            now=now,
        )
        call_sid = new_sid("CA")
        open_call(session, call_sid, resident.id or 0, "energy-data", now)
        return resident.id or 0, call_sid


#: Stands in for a caller's recorded answer: an MP3 frame header, then bytes no text has.
SOME_AUDIO = b"ID3\x04\x00\x00\x00\x00\x00\x00\xff\xfb\x90\x64" + bytes(range(256)) * 4


def add_recording(
    services: Container,
    participant_id: int,
    *,
    answer_id: int | None = None,
    audio: bytes | None = SOME_AUDIO,
    duration: int = 14,
) -> int:
    """A call by this resident with one recording, tied to `answer_id`, as the service leaves
    it once fetched (sealed here, deleted at Twilio), or still waiting at Twilio when `audio` is
    None; the recording's id."""
    now = services.clock()
    with services.db.session() as session:
        call = open_call(session, new_sid("CA"), participant_id, "energy-data", now)
        row = attach_recording(
            session,
            recording_sid=new_sid("RE"),
            participant_id=participant_id,
            call_id=call.id,
            answer_id=answer_id,
            duration_seconds=duration,
            now=now,
        )
        if audio is not None:
            row.audio_encrypted = seal_audio(services.vault, audio)
            row.content_type, row.status = "audio/mpeg", "stored"
            row.fetched_at = row.deleted_at_twilio = now
            session.add(row)
        return row.id or 0
