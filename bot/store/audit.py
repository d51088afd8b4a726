"""Queries for the audit log: who saw or did what, when (targets are ids, never numbers).

The log is append-only. Once written, an entry changes in only three ways, each named here or
in key rotation, and each only ever touching `reason_encrypted`, the officer's own words:
`drop_audit_reasons_about` when the resident they name is erased, `clear_old_audit_reasons`
when the retention period runs out, and `bot.store.rekey` re-sealing the words under a new
DATA_KEY. Nothing deletes an entry. On PostgreSQL a trigger (migration 0012) holds every other
statement to the same rule, so a stray UPDATE or DELETE fails instead of rewriting history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.store.filters import within
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


@dataclass(frozen=True)
class AuditFilters:
    """What an admin narrowed the log to; None means any. Times are aware UTC bounds."""

    action: str | None = None
    user_id: int | None = None
    at_from: datetime | None = None
    #: Exclusive: the start of the day after the last day asked for.
    at_before: datetime | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One entry with who did it (name and email), or None for both when the service did."""

    event: AuditEvent
    user_name: str | None
    user_email: str | None


def list_audit_events(
    session: Session, filters: AuditFilters = AuditFilters(), *, limit: int = 50, offset: int = 0
) -> list[AuditEntry]:
    """Newest first, with who did it, narrowed by `filters` (the indexes on `at`, `user_id` and
    `action` serve each)."""
    conditions = within(col(AuditEvent.at), filters.at_from, filters.at_before)
    if filters.action is not None:
        conditions.append(col(AuditEvent.action) == filters.action)
    if filters.user_id is not None:
        conditions.append(col(AuditEvent.user_id) == filters.user_id)
    statement = (
        select(AuditEvent, User.name, User.email)
        .join(User, col(User.id) == AuditEvent.user_id, isouter=True)
        .where(*conditions)
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return [AuditEntry(event, name, email) for event, name, email in session.exec(statement)]


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
