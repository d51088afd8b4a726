"""Queries for failed sign-in attempts, counted per key within a window (bot.core.throttle)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, func, select

from bot.store.models import SignInFailure


def add_sign_in_failures(session: Session, key_hashes: list[str], at: datetime) -> None:
    session.add_all([SignInFailure(key_hash=key_hash, at=at) for key_hash in key_hashes])


def count_sign_in_failures(session: Session, key_hash: str, since: datetime) -> int:
    statement = (
        select(func.count())
        .select_from(SignInFailure)
        .where(col(SignInFailure.key_hash) == key_hash, col(SignInFailure.at) >= since)
    )
    return session.exec(statement).one()


def clear_sign_in_failures(session: Session, key_hash: str) -> None:
    session.execute(delete(SignInFailure).where(col(SignInFailure.key_hash) == key_hash))


def delete_old_sign_in_failures(session: Session, before: datetime) -> None:
    session.execute(delete(SignInFailure).where(col(SignInFailure.at) < before))
