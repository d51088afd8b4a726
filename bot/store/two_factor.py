"""Queries for accounts' TOTP secrets and recovery codes (bot.core.two_factor uses them)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import Session, col, func, select

from bot.store.models import RecoveryCode, TwoFactor


def get_two_factor(session: Session, user_id: int) -> TwoFactor | None:
    return session.get(TwoFactor, user_id)


def save_two_factor(session: Session, row: TwoFactor) -> None:
    """Store the row at once, so an UPDATE in the same unit of work (`use_step`) sees it."""
    session.add(row)
    session.flush()


def use_step(session: Session, user_id: int, step: int) -> bool:
    """Record `step` as the last code used, only if it is later than the one before: one
    UPDATE, so two requests racing with the same code cannot both win."""
    statement = (
        update(TwoFactor)
        .where(
            col(TwoFactor.user_id) == user_id,
            col(TwoFactor.confirmed_at).is_not(None),
            (col(TwoFactor.last_step).is_(None)) | (col(TwoFactor.last_step) < step),
        )
        .values(last_step=step)
    )
    return session.execute(statement).rowcount == 1


def replace_recovery_codes(session: Session, user_id: int, code_hashes: list[str]) -> None:
    session.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user_id))
    session.add_all([RecoveryCode(user_id=user_id, code_hash=code) for code in code_hashes])


def use_recovery_code(session: Session, user_id: int, code_hash: str, at: datetime) -> bool:
    """Spend one unused code of this account; False if there is none such."""
    statement = (
        update(RecoveryCode)
        .where(
            col(RecoveryCode.user_id) == user_id,
            col(RecoveryCode.code_hash) == code_hash,
            col(RecoveryCode.used_at).is_(None),
        )
        .values(used_at=at)
    )
    return session.execute(statement).rowcount == 1


def count_unused_recovery_codes(session: Session, user_id: int) -> int:
    statement = (
        select(func.count())
        .select_from(RecoveryCode)
        .where(col(RecoveryCode.user_id) == user_id, col(RecoveryCode.used_at).is_(None))
    )
    return session.exec(statement).one()


def delete_two_factor(session: Session, user_id: int) -> None:
    """Forget the secret and every recovery code: the account sets it up again."""
    session.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user_id))
    session.execute(delete(TwoFactor).where(col(TwoFactor.user_id) == user_id))
