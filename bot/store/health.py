"""Queries for the health check: how much is waiting to be sent, and since when."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, func, select

from bot.store.models import OutboxMessage

#: Outbox states that still have to reach Twilio.
UNSENT = ("pending", "sending")


def outbox_backlog(session: Session, now: datetime) -> tuple[int, datetime | None]:
    """Texts due by `now` and not yet sent, and when the oldest of them was written."""
    statement = select(func.count(), func.min(OutboxMessage.created_at)).where(
        col(OutboxMessage.status).in_(UNSENT), col(OutboxMessage.not_before) <= now
    )
    count, oldest = session.exec(statement).one()
    return count, oldest
