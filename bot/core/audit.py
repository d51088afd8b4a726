"""The audit log: who saw or did what, when. Targets are ids, never numbers or messages."""

from __future__ import annotations

from sqlmodel import Session, col, select

from bot.runtime.clock import utc_now
from bot.store.models import AuditEvent, User


def record_event(
    session: Session, user_id: int | None, action: str, target: str = "", detail: str = ""
) -> None:
    session.add(
        AuditEvent(at=utc_now(), user_id=user_id, action=action, target=target, detail=detail)
    )


def list_events(
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
