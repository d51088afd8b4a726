"""Queries for residents who asked to be phoned back: marked by an officer, cleared when done.

A resident has at most one open call-back (the row's key is theirs); what suits them is sealed,
as a note is, and goes with them when they are erased.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from bot.runtime.crypto import Vault
from bot.store.db import insert_new
from bot.store.models import CallBack, User


@dataclass(frozen=True)
class OpenCallBack:
    """A call-back still to make: when suits the resident (if the officer noted it), since when
    it has waited and who marked it."""

    when: str | None
    requested_at: datetime
    requested_by: str


def add_call_back(
    session: Session,
    vault: Vault,
    participant_id: int,
    user_id: int,
    when: str | None,
    now: datetime,
) -> bool:
    """Mark the resident as waiting for a call; False (and nothing changed) if they already are,
    so two officers marking it at once keep the first one's note."""
    statement = insert_new(session, CallBack).values(
        participant_id=participant_id,
        user_id=user_id,
        when_encrypted=vault.seal(when) if when else None,
        requested_at=now,
    )
    return session.execute(statement).rowcount == 1


def delete_call_back(session: Session, participant_id: int) -> bool:
    """The call was made: False if there was none to clear."""
    statement = delete(CallBack).where(col(CallBack.participant_id) == participant_id)
    return session.execute(statement).rowcount == 1


def get_call_back(session: Session, vault: Vault, participant_id: int) -> OpenCallBack | None:
    statement = (
        select(CallBack.when_encrypted, CallBack.requested_at, User.name)
        .join(User, col(User.id) == CallBack.user_id)
        .where(CallBack.participant_id == participant_id)
    )
    found = session.exec(statement).first()
    if found is None:
        return None
    sealed, at, name = found
    return OpenCallBack(vault.open(sealed) if sealed else None, at, name)


def count_open_call_backs(session: Session) -> int:
    """Residents waiting for a call from an officer (for the overview's "what needs doing")."""
    return session.exec(select(func.count()).select_from(CallBack)).one()
