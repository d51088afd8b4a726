"""Queries about opted-out phone numbers: the one list every send is checked against.

An opt-out belongs to the number, not to a participant: it covers every channel and everyone
who shared the phone. It outlives erasure and the retention purge, because it is what keeps
us from texting someone who asked us to stop; it holds only a keyed hash and a sealed number.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, exists, update
from sqlmodel import Session, col, select

from bot.store.models import OptOut, OutboxMessage, Participant


def is_number_opted_out(session: Session, number_hashes: Sequence[str]) -> bool:
    statement = select(OptOut.number_hash).where(col(OptOut.number_hash).in_(number_hashes))
    return session.exec(statement.limit(1)).first() is not None


def number_not_opted_out() -> object:
    """A condition for participant queries: their number is not on the opt-out list."""
    return ~exists().where(col(OptOut.number_hash) == col(Participant.number_hash))


def add_opt_out(
    session: Session,
    participant: Participant,
    *,
    number_hashes: Sequence[str],
    source: str,
    error_code: int,
    now: datetime,
) -> int:
    """Put the participant's number on the list (once, under `number_hashes[0]`, the current
    key's hash), mark them as the one who opted out, and cancel every send still waiting for
    the number, for every participant on it. Returns how many sends were cancelled."""
    if session.get(OptOut, number_hashes[0]) is None:
        session.add(
            OptOut(
                number_hash=number_hashes[0],
                number_encrypted=participant.number_encrypted,
                source=source,
                opted_out_at=now,
            )
        )
    participant.opted_out, participant.opted_out_at = True, now
    session.add(participant)
    on_number = select(Participant.id).where(col(Participant.number_hash).in_(number_hashes))
    result = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.participant_id).in_(on_number))
        .where(col(OutboxMessage.status).in_(("pending", "held")))
        .values(status="cancelled", error_code=error_code)
    )
    return result.rowcount


def remove_opt_out(session: Session, number_hashes: Sequence[str]) -> None:
    """START/DECHRAU/UNSTOP from the number: texts may go to it again, on every channel."""
    session.execute(delete(OptOut).where(col(OptOut.number_hash).in_(number_hashes)))
    session.execute(
        update(Participant)
        .where(col(Participant.number_hash).in_(number_hashes))
        .values(opted_out=False, opted_out_at=None)
    )
