"""A resident asked to be phoned back: an officer marks it, with when suits them, and clears it
once the call is made. Both are audit-logged; what suits them is sealed and never logged.

`count_open_call_backs` (bot.store.call_backs) counts those still waiting, for the overview.
"""

from __future__ import annotations

from bot.core.audit import record_event
from bot.runtime.clock import Clock
from bot.runtime.crypto import Vault
from bot.runtime.refusal import RefusalError
from bot.store.call_backs import add_call_back, delete_call_back
from bot.store.db import UnitOfWork
from bot.store.participants import get_participant

#: "Weekday mornings after 10, not Fridays": a time, not a note.
MAX_WHEN = 120


class CallBackError(RefusalError):
    """The call-back cannot be marked as asked; the message says why, in an officer's words."""


def request_call_back(
    session: UnitOfWork, vault: Vault, clock: Clock, participant_id: int, when: str, *, user_id: int
) -> bool:
    """Mark the resident as waiting for a call; False if they already were (nothing changes).
    Raises CallBackError."""
    words = when.strip()
    if len(words) > MAX_WHEN:
        raise CallBackError("When suits them can be at most {limit} characters.", limit=MAX_WHEN)
    if get_participant(session, participant_id) is None:
        raise CallBackError("That resident's records are no longer held.")
    marked = add_call_back(session, vault, participant_id, user_id, words or None, clock())
    if marked:
        record_event(session, user_id, "call_back_requested", f"participant:{participant_id}")
    return marked


def clear_call_back(session: UnitOfWork, participant_id: int, *, user_id: int) -> bool:
    """The call was made: False if no call-back was waiting (someone cleared it already)."""
    cleared = delete_call_back(session, participant_id)
    if cleared:
        record_event(session, user_id, "call_back_cleared", f"participant:{participant_id}")
    return cleared
