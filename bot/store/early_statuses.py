"""Queries about delivery reports that came before their SID was saved (see EarlyStatus)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from bot.store.models import EarlyStatus


def keep_early_status(
    session: Session, twilio_sid: str, status: str, error_code: int | None, now: datetime
) -> None:
    session.add(
        EarlyStatus(twilio_sid=twilio_sid, status=status, error_code=error_code, received_at=now)
    )


def take_early_statuses(session: Session, twilio_sid: str) -> list[tuple[str, int | None]]:
    """Every report kept for this SID, in the order they came, removed as they are read."""
    rows = list(
        session.exec(
            select(EarlyStatus)
            .where(EarlyStatus.twilio_sid == twilio_sid)
            .order_by(col(EarlyStatus.id))
        )
    )
    if rows:
        session.execute(delete(EarlyStatus).where(EarlyStatus.twilio_sid == twilio_sid))
    return [(row.status, row.error_code) for row in rows]


def delete_old_early_statuses(session: Session, older_than: datetime) -> int:
    """Reports no send of ours claimed within a week (another app on the account, a template)."""
    result = session.execute(delete(EarlyStatus).where(col(EarlyStatus.received_at) < older_than))
    return result.rowcount
