"""Queries about what residents told us: answers to steps and questions for officers."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from bot.runtime.crypto import Vault
from bot.store.models import Answer, Question


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
) -> Answer:
    answer = Answer(
        participant_id=participant_id,
        conversation_id=conversation_id,
        flow_id=flow_id,
        step_id=step_id,
        kind=kind,
        value=value,
        text_encrypted=vault.seal(text),
        created_at=now,
    )
    session.add(answer)
    return answer


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
) -> Question:
    question = Question(
        participant_id=participant_id,
        flow_id=flow_id,
        step_id=step_id,
        text_encrypted=vault.seal(text),
        created_at=now,
    )
    session.add(question)
    return question


def list_questions(session: Session, participant_id: int) -> list[Question]:
    statement = (
        select(Question).where(Question.participant_id == participant_id).order_by(col(Question.id))
    )
    return list(session.exec(statement))


def get_question(session: Session, question_id: int) -> Question | None:
    return session.get(Question, question_id)


def mark_question_answered(
    session: Session, question: Question, answer_encrypted: str, now: datetime
) -> None:
    question.status, question.answered_at = "answered", now
    question.answer_encrypted = answer_encrypted
    session.add(question)
