"""Queries about what residents told us: answers to steps and questions for officers."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from bot.runtime.crypto import Vault
from bot.store.models import Answer, Question
from bot.store.search import index_words


def save_answer(
    session: Session,
    vault: Vault,
    *,
    participant_id: int,
    conversation_id: int | None,
    flow_id: str,
    step_id: str,
    kind: str,
    value: str | None,
    text: str,
    now: datetime,
    contact_details: bool = False,
    language: str | None = None,
) -> Answer:
    """`contact_details`: the text holds a phone number, email or address (see Answer);
    `language` is the resident's, which the text's words are read in for search."""
    answer = Answer(
        participant_id=participant_id,
        conversation_id=conversation_id,
        flow_id=flow_id,
        step_id=step_id,
        kind=kind,
        value=value,
        text_encrypted=vault.seal(text),
        words=index_words(vault, text, language),
        created_at=now,
        contact_details=contact_details,
    )
    session.add(answer)
    return answer


def stored_id(session: Session, answer: Answer) -> int:
    """The id of an answer written in this unit of work (flushed only when one is needed)."""
    if answer.id is None:
        session.flush()
    assert answer.id is not None
    return answer.id


def get_answer(session: Session, answer_id: int) -> Answer | None:
    return session.get(Answer, answer_id)


def set_answer_filed_as(session: Session, answer: Answer, filed_as: str) -> None:
    answer.filed_as = filed_as
    session.add(answer)


def list_answers(session: Session, participant_id: int) -> list[Answer]:
    statement = (
        select(Answer).where(Answer.participant_id == participant_id).order_by(col(Answer.id))
    )
    return list(session.exec(statement))


def save_question(
    session: Session,
    vault: Vault,
    *,
    participant_id: int,
    flow_id: str,
    step_id: str,
    text: str,
    now: datetime,
    answer_id: int | None = None,
    contact_details: bool = False,
    language: str | None = None,
) -> Question:
    """A question for an officer; `answer_id` links it to the answer it was raised from,
    `contact_details` says the text holds a phone number, email or address, and `language`
    is the resident's, which its words are read in for search.

    Flushed, so the caller has its id (for the audit log, or to link it on).
    """
    question = Question(
        participant_id=participant_id,
        flow_id=flow_id,
        step_id=step_id,
        text_encrypted=vault.seal(text),
        words=index_words(vault, text, language),
        created_at=now,
        answer_id=answer_id,
        contact_details=contact_details,
    )
    session.add(question)
    session.flush()
    return question


def list_questions(session: Session, participant_id: int) -> list[Question]:
    statement = (
        select(Question).where(Question.participant_id == participant_id).order_by(col(Question.id))
    )
    return list(session.exec(statement))


def get_question(session: Session, question_id: int) -> Question | None:
    return session.get(Question, question_id)


def get_question_raised_from(session: Session, answer_id: int) -> Question | None:
    """The question raised from this answer, by the engine or by an officer, if any."""
    statement = (
        select(Question)
        .where(col(Question.answer_id) == answer_id)
        .order_by(col(Question.id))
        .limit(1)
    )
    return session.exec(statement).first()


def delete_question(session: Session, question: Question) -> None:
    session.delete(question)


def mark_question_answered(
    session: Session, question: Question, answer_encrypted: str, now: datetime
) -> None:
    question.status, question.answered_at = "answered", now
    question.answer_encrypted = answer_encrypted
    session.add(question)
