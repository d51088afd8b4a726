"""Queries about admin accounts for the users page (creating one: bot.core.accounts)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, func, select

from bot.store.models import User


def list_users(session: Session) -> list[User]:
    """Active accounts first, then by name."""
    statement = select(User).order_by(col(User.active).desc(), col(User.name), col(User.id))
    return list(session.exec(statement))


def change_user(session: Session, user_id: int, **values: object) -> User | None:
    """Set some of an account's fields (active, role, partner_code, password_hash,
    must_change_password); None if there is no such account."""
    user = session.get(User, user_id)
    if user is None:
        return None
    for name, value in values.items():
        setattr(user, name, value)
    session.add(user)
    return user


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def find_user_by_email(session: Session, email: str, *, active_only: bool = False) -> User | None:
    statement = select(User).where(col(User.email) == email)
    if active_only:
        statement = statement.where(col(User.active))
    return session.exec(statement).first()


def count_users(session: Session) -> int:
    return session.exec(select(func.count()).select_from(User)).one()


def add_user(session: Session, user: User) -> User:
    """Store a new account and give it its id."""
    session.add(user)
    session.flush()
    return user


def record_login(session: Session, user: User, at: datetime, password_hash: str | None) -> None:
    """A successful sign-in: its time, and the password's new hash when argon2's costs rose."""
    if password_hash is not None:
        user.password_hash = password_hash
    user.last_login_at = at
    session.add(user)
