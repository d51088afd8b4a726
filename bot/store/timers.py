"""Queries about timers: one reminder and one expiry per waiting resident, fired once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, insert, update
from sqlmodel import Session, col, select

from bot.store.db import run_plain
from bot.store.models import Timer


def replace_timers(
    session: Session,
    participant_id: int,
    step_id: str,
    now: datetime,
    *,
    reminder_after: timedelta,
    expire_after: timedelta,
) -> None:
    """Cancel the resident's pending timers and set new ones for the step they now wait on."""
    cancel_timers(session, participant_id)
    run_plain(
        session,
        insert(Timer.__table__),
        [
            {
                "participant_id": participant_id,
                "kind": kind,
                "step_id": step_id,
                "due_at": now + after,
                "status": "pending",
            }
            for kind, after in (("reminder", reminder_after), ("expiry", expire_after))
        ],
    )


def cancel_timers(session: Session, participant_id: int) -> None:
    run_plain(
        session,
        update(Timer.__table__)
        .where(col(Timer.participant_id) == participant_id, col(Timer.status) == "pending")
        .values(status="cancelled"),
    )


def claim_timer(session: Session, timer_id: int, now: datetime) -> Timer | None:
    """Mark a due timer fired and return it; None if it is not due or was fired already."""
    result = session.execute(
        update(Timer)
        .where(col(Timer.id) == timer_id, col(Timer.status) == "pending")
        .where(col(Timer.due_at) <= now)
        .values(status="fired")
    )
    return session.get(Timer, timer_id) if result.rowcount == 1 else None


def due_timers(session: Session, now: datetime, limit: int = 1000) -> list[tuple[int, datetime]]:
    statement = (
        select(Timer.id, Timer.due_at)
        .where(Timer.status == "pending", col(Timer.due_at) <= now)
        .order_by(col(Timer.due_at))
        .limit(limit)
    )
    return [(timer_id, due_at) for timer_id, due_at in session.exec(statement)]


def delete_finished_timers(session: Session, older_than: datetime) -> int:
    """Fired and cancelled timers are history nobody reads: drop them after a while."""
    result = session.execute(
        delete(Timer).where(col(Timer.status) != "pending", col(Timer.due_at) < older_than)
    )
    return result.rowcount
