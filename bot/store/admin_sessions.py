"""Queries for signed-in browsers (bot.core.sessions decides what they mean)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from bot.store.models import AdminSession, User


def add_admin_session(
    session: Session, *, id_hash: str, user_id: int, stage: str, at: datetime
) -> None:
    session.add(
        AdminSession(id_hash=id_hash, user_id=user_id, stage=stage, created_at=at, last_seen_at=at)
    )


def get_admin_session(session: Session, id_hash: str) -> tuple[AdminSession, User] | None:
    """The session and its account in one query (every admin page asks, so one, not two)."""
    statement = (
        select(AdminSession, User)
        .join(User, col(User.id) == AdminSession.user_id)
        .where(col(AdminSession.id_hash) == id_hash)
    )
    found = session.exec(statement).first()
    return (found[0], found[1]) if found is not None else None


def touch_admin_session(session: Session, row: AdminSession, at: datetime) -> None:
    row.last_seen_at = at
    session.add(row)


def delete_admin_session(session: Session, id_hash: str) -> None:
    session.execute(delete(AdminSession).where(col(AdminSession.id_hash) == id_hash))


def delete_user_sessions(session: Session, user_id: int) -> int:
    """End every session of one account at once; how many there were."""
    statement = delete(AdminSession).where(col(AdminSession.user_id) == user_id)
    return session.execute(statement).rowcount


def delete_stale_sessions(
    session: Session, *, idle_before: datetime, created_before: datetime
) -> None:
    """Drop sessions past either timeout, so the table holds only live ones."""
    statement = delete(AdminSession).where(
        (col(AdminSession.last_seen_at) < idle_before)
        | (col(AdminSession.created_at) < created_before)
    )
    session.execute(statement)
