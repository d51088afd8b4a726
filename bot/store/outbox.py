"""Queries about the outbox: writing sends, claiming them once, and finding due or lost ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.runtime.clock import as_utc
from bot.runtime.crypto import Vault
from bot.store.db import insert_new, run_plain
from bot.store.models import Message, OutboxMessage


@dataclass(frozen=True)
class OutboxTicket:
    """What a queue needs to deliver one outbox row (ids only, so jobs stay JSON)."""

    id: int
    attempts: int
    priority: str
    not_before: datetime

    @classmethod
    def of(cls, row: OutboxMessage) -> OutboxTicket:
        assert row.id is not None
        return cls(row.id, row.attempts, row.priority, row.not_before)


def add_outbox_message(
    session: Session,
    vault: Vault,
    *,
    participant_id: int,
    body: str,
    purpose: str,
    priority: str,
    now: datetime,
    dedupe_key: str | None = None,
    broadcast_id: int | None = None,
) -> OutboxMessage | None:
    """Write a send; None when `dedupe_key` was written before (the send already exists)."""
    if dedupe_key is not None:
        existing = session.exec(
            select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
        ).first()
        if existing is not None:
            return None
    row = OutboxMessage(
        participant_id=participant_id,
        purpose=purpose,
        priority=priority,
        body_encrypted=vault.seal(body),
        not_before=now,
        dedupe_key=dedupe_key,
        broadcast_id=broadcast_id,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return None  # a concurrent writer got there first with the same dedupe_key
    return row


def add_outbox_messages(
    session: Session,
    vault: Vault,
    sends: Sequence[tuple[int, str, str]],
    *,
    purpose: str,
    priority: str,
    now: datetime,
    broadcast_id: int | None = None,
) -> list[OutboxTicket]:
    """Many sends in one statement: (participant id, body, dedupe key) each. A send whose key
    was written before is skipped (once each, however often this runs); the tickets are the
    new rows'. A broadcast to thousands is a few statements, not thousands."""
    if not sends:
        return []
    rows = [
        {
            "participant_id": participant_id,
            "purpose": purpose,
            "priority": priority,
            "body_encrypted": vault.seal(body),
            "status": "pending",
            "attempts": 0,
            "not_before": now,
            "dedupe_key": dedupe_key,
            "broadcast_id": broadcast_id,
            "created_at": now,
        }
        for participant_id, body, dedupe_key in sends
    ]
    table = OutboxMessage.__table__
    statement = (
        insert_new(session, OutboxMessage)
        .values(rows)
        .returning(table.c.id, table.c.attempts, table.c.priority, table.c.not_before)
    )
    return [
        OutboxTicket(row_id, attempts, row_priority, as_utc(not_before))
        for row_id, attempts, row_priority, not_before in run_plain(session, statement)
    ]


def get_outbox_message(session: Session, outbox_id: int) -> OutboxMessage | None:
    return session.get(OutboxMessage, outbox_id)


def reschedule_send(
    session: Session, outbox_id: int, at: datetime, *, error_code: int | None = None
) -> OutboxTicket | None:
    """Back to pending, due at `at` (a retry, quiet hours, a rate limit); None if erased."""
    row = session.get(OutboxMessage, outbox_id)
    if row is None:
        return None
    row.status, row.not_before = "pending", at
    if error_code is not None:
        row.error_code = error_code
    session.add(row)
    return OutboxTicket.of(row)


def finish_send(session: Session, outbox_id: int, status: str, error_code: int | None) -> None:
    """A send's last word: failed, held for WhatsApp's window, or cancelled."""
    row = session.get(OutboxMessage, outbox_id)
    if row is not None:
        row.status, row.error_code = status, error_code
        session.add(row)


def _attempt(outbox_id: int, attempts: int):  # type: ignore[no-untyped-def]
    """An update of one attempt at a send, which only takes while that attempt is still open:
    whoever settles the attempt first (the sender, or the sweep asking Twilio) settles it alone."""
    return (
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == outbox_id)
        .where(col(OutboxMessage.status) == "sending")
        .where(col(OutboxMessage.attempts) == attempts)
    )


def start_send_attempt(session: Session, outbox_id: int, attempts: int, now: datetime) -> bool:
    """Note when this attempt goes to Twilio, just before it does: the start of the window in
    which Twilio is asked about it if its outcome is lost. False if the attempt was settled
    meanwhile (then it must not go)."""
    return session.execute(_attempt(outbox_id, attempts).values(claimed_at=now)).rowcount == 1


def mark_send_sent(session: Session, outbox_id: int, attempts: int, now: datetime) -> bool:
    """Twilio took this attempt: the row is sent. False if the attempt was already settled."""
    statement = _attempt(outbox_id, attempts).values(status="sent", sent_at=now)
    return session.execute(statement).rowcount == 1


def link_sent_message(session: Session, outbox_id: int, message_id: int | None) -> None:
    """The transcript's copy of a sent row (its Message, with the SID)."""
    run_plain(
        session,
        update(OutboxMessage.__table__)
        .where(col(OutboxMessage.id) == outbox_id)
        .values(message_id=message_id),
    )


def settle_as_unsent(session: Session, outbox_id: int, attempts: int) -> OutboxTicket | None:
    """Twilio has no copy of this lost attempt: pending again, to be sent (None if settled)."""
    if session.execute(_attempt(outbox_id, attempts).values(status="pending")).rowcount != 1:
        return None
    row = session.get(OutboxMessage, outbox_id)
    if row is None:
        return None
    session.refresh(row)
    return OutboxTicket.of(row)


def claim_outbox_message(session: Session, outbox_id: int, now: datetime) -> OutboxMessage | None:
    """Take a due, pending row for sending, in one statement; None if another worker has it,
    it is not due, or it is gone."""
    return session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == outbox_id)
        .where(col(OutboxMessage.status) == "pending")
        .where(col(OutboxMessage.not_before) <= now)
        .values(status="sending", attempts=OutboxMessage.attempts + 1, claimed_at=now)
        .returning(OutboxMessage)
    ).scalar_one_or_none()


def cancel_pending_sends(session: Session, participant_id: int, error_code: int) -> int:
    """Stop every send not yet made to a resident (they opted out, or the number is dead)."""
    result = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.participant_id) == participant_id)
        .where(col(OutboxMessage.status).in_(("pending", "held")))
        .values(status="cancelled", error_code=error_code)
    )
    return result.rowcount


def release_held_sends(session: Session, participant_id: int, now: datetime) -> list[OutboxTicket]:
    """The resident replied on WhatsApp: what waited for the window can go now."""
    rows = list(
        session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.participant_id == participant_id)
            .where(OutboxMessage.status == "held")
        )
    )
    for row in rows:
        row.status, row.not_before = "pending", now
        session.add(row)
    session.flush()
    return [OutboxTicket.of(row) for row in rows]


def due_sends(session: Session, now: datetime, limit: int = 1000) -> list[OutboxTicket]:
    """Pending rows whose time has come, urgent first ("urgent" > "bulk"), oldest first."""
    statement = (
        select(OutboxMessage)
        .where(OutboxMessage.status == "pending", col(OutboxMessage.not_before) <= now)
        .order_by(col(OutboxMessage.priority).desc(), col(OutboxMessage.id))
        .limit(limit)
    )
    return [OutboxTicket.of(row) for row in session.exec(statement)]


def list_lost_sends(
    session: Session, claimed_before: datetime, limit: int = 100
) -> list[OutboxMessage]:
    """Rows left `sending` since before `claimed_before`: their worker died (or lost its
    database) between taking the row and recording what Twilio said, so the outcome is unknown."""
    statement = (
        select(OutboxMessage)
        .where(OutboxMessage.status == "sending")
        .where(col(OutboxMessage.claimed_at) < claimed_before)
        .order_by(col(OutboxMessage.id))
        .limit(limit)
    )
    return list(session.exec(statement))


def recorded_sids(session: Session, sids: list[str]) -> set[str]:
    """Which of these Twilio SIDs are already some send's message (so belong to another row)."""
    if not sids:
        return set()
    statement = select(Message.twilio_sid).where(col(Message.twilio_sid).in_(sids))
    return {sid for sid in session.exec(statement) if sid is not None}


def count_sends_by_status(session: Session, broadcast_id: int) -> dict[str, int]:
    statement = (
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.broadcast_id == broadcast_id)
        .group_by(OutboxMessage.status)
    )
    return dict(session.exec(statement).all())


def list_pending_sends(session: Session, broadcast_id: int) -> list[OutboxTicket]:
    """A broadcast's sends still waiting (e.g. while it was paused)."""
    rows = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.broadcast_id == broadcast_id)
        .where(OutboxMessage.status == "pending")
    )
    return [OutboxTicket.of(row) for row in rows]
