"""Queries for the audit log: who saw or did what, when (targets are ids, never numbers).

The log is append-only. Once written, an entry changes in only three ways, each named here or
in key rotation, and each only ever touching `reason_encrypted`, the officer's own words:
`drop_audit_reasons_about` when the resident they name is erased, `clear_old_audit_reasons`
when the retention period runs out, and `bot.store.rekey` re-sealing the words under a new
DATA_KEY. Nothing deletes an entry. On PostgreSQL a trigger (migration 0012) holds every other
statement to the same rule, so a stray UPDATE or DELETE fails instead of rewriting history.
"""

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


def drop_audit_reasons_about(session: Session, targets: list[str]) -> int:
    """Entries about these targets (an erased resident's rows) keep the event but lose the
    officer's words, which could name the resident; how many lost them."""
    statement = (
        update(AuditEvent)
        .where(col(AuditEvent.target).in_(targets), col(AuditEvent.reason_encrypted).is_not(None))
        .values(reason_encrypted=None)
    )
    return session.execute(statement).rowcount


def clear_old_audit_reasons(session: Session, older_than: datetime) -> int:
    """Entries older than the retention period keep the event (who did what, when) but lose the
    officer's own words, which can name a resident; how many lost them."""
    statement = (
        update(AuditEvent)
        .where(col(AuditEvent.at) < older_than, col(AuditEvent.reason_encrypted).is_not(None))
        .values(reason_encrypted=None)
    )
    return session.execute(statement).rowcount
