"""Shared bits for the webhook tests: recorded payloads, TwiML reading and row counts."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, Table, func, inspect, text
from sqlmodel import select

from bot.core.status import apply_early_statuses
from bot.runtime.clock import utc_now
from bot.runtime.container import Container
from bot.store.messages import save_message
from bot.store.models import Participant
from bot.store.participants import create_participant

TWILIO_DATA = Path(__file__).resolve().parent.parent / "data" / "twilio"


def load_payload(name: str, **changes: str) -> dict[str, str]:
    """A recorded Twilio payload from tests/data/twilio/, with some fields changed."""
    payload = json.loads((TWILIO_DATA / f"{name}.json").read_text(encoding="utf-8"))
    payload.update(changes)
    return payload


def twiml_messages(body: bytes) -> list[str]:
    """The texts of the <Message> elements of a TwiML <Response>."""
    root = ET.fromstring(body)
    assert root.tag == "Response"
    return [message.text or "" for message in root.findall("Message")]


def count_rows(services: Container, model: Any, *where: Any) -> int:
    with services.db.session() as session:
        statement = select(func.count()).select_from(model)
        if where:
            statement = statement.where(*where)
        return session.exec(statement).one()


def database_tables(services: Container) -> list[Table]:
    """Every table in the database itself (not only the models), bar Alembic's bookkeeping."""
    metadata = MetaData()
    metadata.reflect(services.db.engine)
    return [table for table in metadata.sorted_tables if table.name != "alembic_version"]


def row_counts(services: Container) -> dict[str, int]:
    """Rows in every table of the database (not only the models), bar Alembic's bookkeeping."""
    names = inspect(services.db.engine).get_table_names()
    with services.db.engine.connect() as connection:
        return {
            name: connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
            for name in names
            if name != "alembic_version"
        }


def all_rows(services: Container) -> list[tuple[str, dict[str, Any]]]:
    """Every row of every table, as (table name, column -> value)."""
    rows = []
    tables = database_tables(services)
    with services.db.engine.connect() as connection:
        for table in tables:
            for row in connection.execute(table.select()).mappings():
                rows.append((table.name, dict(row)))
    return rows


def participants_for(services: Container, number: str, channel: str = "sms") -> list[Participant]:
    number_hash = services.vault.hash_number(number)
    with services.db.session() as session:
        statement = (
            select(Participant)
            .where(Participant.number_hash == number_hash, Participant.channel == channel)
            .order_by(Participant.id)
        )
        return list(session.exec(statement))


def make_outbound(services: Container, twilio_sid: str, status: str = "queued") -> int:
    """A text we sent through Twilio's API, saved as the sender saves it: with its SID, and
    with any status report that came before the SID was saved applied there and then."""
    number = "+447700900123"
    now = utc_now()
    with services.db.session() as session:
        participant = create_participant(
            session,
            number_hash=services.vault.hash_number(number),
            number_encrypted=services.vault.seal(number),
            channel="sms",
            now=now,
        )
        assert participant.id is not None
        message = save_message(
            session,
            services.vault,
            participant_id=participant.id,
            conversation_id=None,
            direction="out",
            channel="sms",
            body="Thank you.",
            status=status,
            now=now,
            twilio_sid=twilio_sid,
        )
        apply_early_statuses(session, services.vault, message, now)
        assert message.id is not None
        return message.id
