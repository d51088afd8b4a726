"""Queries for the admin's phone simulator: the test resident behind a number, and their thread."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from bot.runtime.crypto import Vault
from bot.store.models import Message, Participant


@dataclass(frozen=True)
class ThreadMessage:
    direction: str
    body: str
    created_at: datetime


def _now_on(number_hashes: Sequence[str], channel: str) -> Any:
    """The id of the resident now using this number (as get_current_participant finds them),
    under any of its hashes: during a key rotation some rows still carry the old key's."""
    return (
        select(Participant.id)
        .where(col(Participant.number_hash).in_(number_hashes), Participant.channel == channel)
        .where(col(Participant.closed_at).is_(None))
        .order_by(col(Participant.id).desc())
        .limit(1)
        .scalar_subquery()
    )


def is_number_real(session: Session, number_hashes: Sequence[str], channel: str) -> bool:
    """True if a resident not marked as test data now uses this number: never simulate them."""
    statement = select(Participant.is_test).where(
        col(Participant.id) == _now_on(number_hashes, channel)
    )
    is_test = session.exec(statement).first()
    return is_test is not None and not is_test


def list_test_thread(
    session: Session, vault: Vault, number_hashes: Sequence[str], channel: str, *, limit: int = 30
) -> list[ThreadMessage]:
    """The last `limit` texts of the test resident now on this number, oldest first."""
    statement = (
        select(Message.direction, Message.body_encrypted, Message.created_at)
        .join(Participant, col(Participant.id) == Message.participant_id)
        .where(col(Participant.id) == _now_on(number_hashes, channel), col(Participant.is_test))
        .order_by(col(Message.created_at).desc(), col(Message.id).desc())
        .limit(limit)
    )
    rows = session.exec(statement).all()
    return [
        ThreadMessage(direction, vault.open(body), at) for direction, body, at in reversed(rows)
    ]
