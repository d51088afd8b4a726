"""Queries for the audit log: who saw or did what, when (targets are ids, never numbers)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.store.models import AuditEvent, User


def add_audit_event(
    session: Session,
    *,
    at: datetime,
    user_id: int | None,
    action: str,
    target: str,
    detail: str,
    reason_encrypted: str | None,
) -> None:
    session.add(
        AuditEvent(
            at=at,
            user_id=user_id,
            action=action,
            target=target,
            detail=detail,
            reason_encrypted=reason_encrypted,
        )
    )


def list_audit_events(
    session: Session, *, limit: int = 50, offset: int = 0
) -> list[tuple[AuditEvent, str | None]]:
    """Newest first, with the name of who did it."""
    statement = (
        select(AuditEvent, User.name)
        .join(User, col(User.id) == AuditEvent.user_id, isouter=True)
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return [(event, name) for event, name in session.exec(statement)]


def clear_old_audit_reasons(session: Session, older_than: datetime) -> int:
    """Entries older than the retention period keep the event (who did what, when) but lose the
    officer's own words, which can name a resident; how many lost them."""
    statement = (
        update(AuditEvent)
        .where(col(AuditEvent.at) < older_than, col(AuditEvent.reason_encrypted).is_not(None))
        .values(reason_encrypted=None)
    )
    return session.execute(statement).rowcount
