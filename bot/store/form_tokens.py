"""Queries for spent one-time form tokens (bot.core.form_tokens says what they are for)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from bot.store.models import FormToken


def add_form_token(
    session: Session,
    *,
    token_hash: str,
    user_id: int,
    action: str,
    fingerprint: str,
    now: datetime,
) -> FormToken | None:
    """Spend a token: the new row, or None when it was spent before (`get_form_token` has it).

    It must be the first write of the unit of work. A refusal rolls the whole unit back (no
    savepoint: on SQLite, releasing one opened outside a transaction would commit the token
    apart from what the form does); the session can then read the earlier row. On PostgreSQL a
    concurrent insert of the same token waits for the first to commit, then is refused here.
    """
    row = FormToken(
        token_hash=token_hash,
        user_id=user_id,
        action=action,
        fingerprint=fingerprint,
        created_at=now,
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        return None
    return row


def get_form_token(session: Session, token_hash: str) -> FormToken | None:
    return session.get(FormToken, token_hash)


def set_form_token_result(session: Session, row: FormToken, result: str) -> None:
    row.result = result
    session.add(row)


def delete_form_tokens_before(session: Session, before: datetime) -> int:
    """Rows of tokens spent before `before`; how many went."""
    statement = delete(FormToken).where(col(FormToken.created_at) < before)
    return session.execute(statement).rowcount
