"""Queries for officers' notes on a resident's conversation (sealed: they can name the resident).

Erasing the resident deletes their notes with their other rows (bot.store.participants), and
key rotation re-seals them, found by the `_encrypted` name like every other sealed column.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from bot.runtime.crypto import Vault
from bot.store.models import ConversationNote, User


@dataclass(frozen=True)
class Note:
    """A note opened for reading: its words, who wrote it and when."""

    text: str
    author: str
    at: datetime


def add_note(
    session: Session, vault: Vault, participant_id: int, user_id: int, text: str, now: datetime
) -> int:
    """Store the note sealed; its id."""
    note = ConversationNote(
        participant_id=participant_id,
        user_id=user_id,
        text_encrypted=vault.seal(text),
        created_at=now,
    )
    session.add(note)
    session.flush()
    assert note.id is not None
    return note.id


def list_notes(session: Session, vault: Vault, participant_id: int) -> list[Note]:
    """The resident's notes, newest first (what a colleague needs to know now is the latest)."""
    statement = (
        select(ConversationNote.text_encrypted, ConversationNote.created_at, User.name)
        .join(User, col(User.id) == ConversationNote.user_id)
        .where(ConversationNote.participant_id == participant_id)
        .order_by(col(ConversationNote.created_at).desc(), col(ConversationNote.id).desc())
    )
    return [Note(vault.open(sealed), author, at) for sealed, at, author in session.exec(statement)]
