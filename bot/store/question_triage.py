"""Writes officers make to questions besides answering: dismissing, restoring, taking one on
(bot.core.question_triage checks each is allowed first), and what those pages read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from bot.runtime.crypto import Vault
from bot.store.models import Participant, Question, User

#: The roles a question can be given to.
ASSIGNABLE_ROLES = ("admin", "officer")


def dismiss_question(session: Session, question: Question, reason: str, now: datetime) -> None:
    question.status, question.dismissed_reason, question.dismissed_at = "dismissed", reason, now
    session.add(question)


def restore_question(session: Session, question: Question) -> None:
    question.status, question.dismissed_reason, question.dismissed_at = "open", None, None
    session.add(question)


def assign_question(session: Session, question: Question, user_id: int | None) -> None:
    question.assigned_to = user_id
    session.add(question)


@dataclass(frozen=True)
class Assignee:
    id: int
    name: str


def list_assignable_users(session: Session) -> list[Assignee]:
    """Active officers and admins, by name: who a question may be given to."""
    statement = (
        select(User.id, User.name)
        .where(col(User.active), col(User.role).in_(ASSIGNABLE_ROLES))
        .order_by(col(User.name), col(User.id))
    )
    return [Assignee(user_id or 0, name) for user_id, name in session.exec(statement)]


@dataclass(frozen=True)
class AnsweredWords:
    """An answered question and the answer given, in full: what an FAQ entry starts from."""

    id: int
    flow_id: str
    question: str
    answer: str
    language: str | None


def get_answered_words(session: Session, vault: Vault, question_id: int) -> AnsweredWords | None:
    """None unless the question exists and has been answered."""
    row = session.exec(
        select(Question, Participant.language)
        .join(Participant, col(Participant.id) == Question.participant_id)
        .where(Question.id == question_id, Question.status == "answered")
    ).first()
    if row is None:
        return None
    question, language = row
    answer = vault.open(question.answer_encrypted) if question.answer_encrypted else ""
    return AnsweredWords(
        question_id, question.flow_id, vault.open(question.text_encrypted), answer, language
    )
