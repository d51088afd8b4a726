"""Officers sorting the questions inbox: setting a question aside, and taking one on.

Not everything the engine hears as a question is one ("thanks?", a second copy of the same
text, abuse), and some are answered on the phone. An officer dismisses such a question with a
reason from a fixed list (never typed, so it can be counted and holds no resident's words): it
leaves the waiting count and the inbox, and can be restored. An officer can also take a
question on, or give it to a colleague, so two people do not answer it twice. Each change is
audit-logged in the unit of work that makes it, with the form's one-time token spent first.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.audit import record_event
from bot.runtime.refusal import RefusalError
from bot.store.answers import get_question
from bot.store.db import UnitOfWork
from bot.store.models import Question
from bot.store.question_triage import (
    assign_question,
    dismiss_question,
    list_assignable_users,
    restore_question,
)

#: Why an officer may set a question aside, in the words the admin shows.
DISMISS_REASONS = {
    "not_a_question": "Not a question",
    "duplicate": "A duplicate of another question",
    "abusive": "Abusive",
    "answered_elsewhere": "Answered another way (by phone, email or in person)",
}


class TriageError(RefusalError):
    """The change cannot be made; the message says why, in an officer's words."""


GONE = "That question no longer exists (the resident may have erased it)."


def _question(session: UnitOfWork, question_id: int, status: str | None, refusal: str) -> Question:
    question = get_question(session, question_id)
    if question is None:
        raise TriageError(GONE)
    if status is not None and question.status != status:
        raise TriageError(refusal)
    return question


def dismiss(
    session: UnitOfWork, question_id: int, reason: str, *, user_id: int | None, now: datetime
) -> None:
    """Set an open question aside for `reason`, one of DISMISS_REASONS."""
    if reason not in DISMISS_REASONS:
        raise TriageError("Choose why from the list of reasons.")
    refusal = "Only a question waiting for an answer can be dismissed."
    dismiss_question(session, _question(session, question_id, "open", refusal), reason, now)
    record_event(session, user_id, "question_dismissed", f"question:{question_id}", f"why={reason}")


def restore(session: UnitOfWork, question_id: int, *, user_id: int | None) -> None:
    """A dismissed question back among those waiting."""
    refusal = "Only a dismissed question can be restored."
    restore_question(session, _question(session, question_id, "dismissed", refusal))
    record_event(session, user_id, "question_restored", f"question:{question_id}")


def assign(
    session: UnitOfWork, question_id: int, officer_id: int | None, *, user_id: int | None
) -> str | None:
    """Give a question to an active officer or admin (None: to nobody); their name."""
    names = {person.id: person.name for person in list_assignable_users(session)}
    if officer_id is not None and officer_id not in names:
        raise TriageError("Choose an officer from the list.")
    assign_question(session, _question(session, question_id, None, ""), officer_id)
    name = names.get(officer_id) if officer_id is not None else None
    detail = f"officer={name or 'none'}"
    record_event(session, user_id, "question_assigned", f"question:{question_id}", detail)
    return name
