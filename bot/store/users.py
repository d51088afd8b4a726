"""Queries about admin accounts for the users page (creating one: bot.core.accounts)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from bot.store.models import User


def list_users(session: Session) -> list[User]:
    """Active accounts first, then by name."""
    statement = select(User).order_by(col(User.active).desc(), col(User.name), col(User.id))
    return list(session.exec(statement))


def deactivate_user(session: Session, user_id: int) -> User | None:
    """Stop an account signing in (its open sessions end at their next request); None if unknown."""
    user = session.get(User, user_id)
    if user is None:
        return None
    user.active = False
    session.add(user)
    return user
