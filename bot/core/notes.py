"""Officers' notes on a resident's conversation: short, sealed, and audit-logged without words.

A note is for colleagues ("rang back, wants a paper copy"): officers and admins read it on the
transcript with who wrote it and when; partners never see it. The audit log says that a note
was added to whose conversation, never what it says, since the words can name the resident.
"""

from __future__ import annotations

from bot.core.audit import record_event
from bot.runtime.clock import Clock
from bot.runtime.crypto import Vault
from bot.runtime.refusal import RefusalError
from bot.store.db import UnitOfWork
from bot.store.notes import add_note
from bot.store.participants import get_participant

#: A note is a reminder for a colleague, not a case file.
MAX_NOTE = 500


class NoteError(RefusalError):
    """The note cannot be kept as written; the message says why, in an officer's words."""


def write_note(
    session: UnitOfWork, vault: Vault, clock: Clock, participant_id: int, text: str, *, user_id: int
) -> int:
    """Keep the officer's note on the resident's conversation; its id. Raises NoteError."""
    words = text.strip()
    if not words:
        raise NoteError("Write the note first.")
    if len(words) > MAX_NOTE:
        raise NoteError("A note can be at most {limit} characters.", limit=MAX_NOTE)
    if get_participant(session, participant_id) is None:
        raise NoteError("That resident's records are no longer held.")
    note_id = add_note(session, vault, participant_id, user_id, words, clock())
    record_event(session, user_id, "note_added", f"participant:{participant_id}")
    return note_id
