"""Queries for the officers' questions inbox: open questions with their thread, answered ones
with the delivery status Twilio reported.

Each list is a constant number of queries: the thread around every question on a page comes from
one windowed query, and an answer's delivery status from one outer join (question -> its outbox
row by dedupe key `answer:<id>` -> the message that row became).

Questions and their threads are listed with contact details redacted (bot.runtime.redaction),
in the reader's language: officers open the transcript for the full text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, and_, cast, func, literal
from sqlmodel import Session, col, select

from bot.runtime.crypto import Vault, mask_number
from bot.runtime.redaction import redact
from bot.store.models import Message, OutboxMessage, Participant, Question

#: Messages shown before (and including) each question.
THREAD_CONTEXT = 5


@dataclass(frozen=True)
class ThreadLine:
    direction: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class InboxQuestion:
    id: int
    participant_id: int
    flow_id: str
    step_id: str
    created_at: datetime
    #: Redacted, as every ThreadLine
    text: str
    #: The resident left contact details (stored flag, or found in the text)
    contact_details: bool
    language: str | None
    channel: str
    masked_number: str
    is_test: bool
    thread: tuple[ThreadLine, ...]


@dataclass(frozen=True)
class AnsweredQuestion:
    id: int
    participant_id: int
    flow_id: str
    created_at: datetime
    answered_at: datetime | None
    #: Redacted; the officer's answer is not
    text: str
    contact_details: bool
    answer: str
    #: The outbox row's status: pending, sending, sent, held, failed or cancelled
    send_status: str | None
    #: Twilio's latest status for the sent message (queued, sent, delivered, failed...)
    delivery_status: str | None
    error_code: int | None


def count_questions(session: Session, status: str) -> int:
    return session.exec(
        select(func.count()).select_from(Question).where(Question.status == status)
    ).one()


@dataclass(frozen=True)
class QuestionToAnswer:
    """What an answer's text depends on: the question's words and the resident's language."""

    status: str
    language: str | None
    text: str


def get_question_to_answer(
    session: Session, vault: Vault, question_id: int
) -> QuestionToAnswer | None:
    """One question as an officer answers it; None if it was erased."""
    row = session.exec(
        select(Question.status, Participant.language, Question.text_encrypted)
        .join(Participant, col(Participant.id) == Question.participant_id)
        .where(Question.id == question_id)
    ).first()
    return QuestionToAnswer(row[0], row[1], vault.open(row[2])) if row is not None else None


def list_open_questions(
    session: Session,
    vault: Vault,
    *,
    limit: int | None = None,
    offset: int = 0,
    language: str = "en",
) -> list[InboxQuestion]:
    """Questions awaiting an answer, oldest first, each with the messages that led up to it;
    contact details redacted with labels in `language` (the reader's)."""
    rows = session.exec(
        select(Question, Participant)
        .join(Participant, col(Participant.id) == Question.participant_id)
        .where(Question.status == "open")
        .order_by(col(Question.created_at), col(Question.id))
        .offset(offset)
        .limit(limit)
    ).all()
    question_ids = [question.id for question, _ in rows if question.id]
    threads = _threads(session, vault, question_ids, language)
    listed = []
    for question, participant in rows:
        redaction = redact(vault.open(question.text_encrypted), language)
        listed.append(
            InboxQuestion(
                id=question.id or 0,
                participant_id=question.participant_id,
                flow_id=question.flow_id,
                step_id=question.step_id,
                created_at=question.created_at,
                text=redaction.text,
                contact_details=question.contact_details or redaction.contact_details,
                language=participant.language,
                channel=participant.channel,
                masked_number=mask_number(vault.open(participant.number_encrypted)),
                is_test=participant.is_test,
                thread=tuple(threads.get(question.id or 0, ())),
            )
        )
    return listed


def _threads(
    session: Session, vault: Vault, question_ids: list[int], language: str
) -> dict[int, list[ThreadLine]]:
    """The last THREAD_CONTEXT messages up to each question (its reply shares its time),
    redacted both ways: the question is among them, and a reply may quote a resident."""
    if not question_ids:
        return {}
    rank = (
        func.row_number()
        .over(
            partition_by=col(Question.id),
            order_by=(col(Message.created_at).desc(), col(Message.id).desc()),
        )
        .label("rank")
    )
    ranked = (
        select(col(Question.id).label("question_id"), col(Message.id).label("message_id"), rank)
        .join(
            Message,
            and_(
                col(Message.participant_id) == col(Question.participant_id),
                col(Message.created_at) <= col(Question.created_at),
            ),
        )
        .where(col(Question.id).in_(question_ids))
        .subquery()
    )
    statement = (
        select(ranked.c.question_id, Message)
        .join(Message, col(Message.id) == ranked.c.message_id)
        .where(ranked.c.rank <= THREAD_CONTEXT)
        .order_by(ranked.c.question_id, col(Message.created_at), col(Message.id))
    )
    threads: dict[int, list[ThreadLine]] = {}
    for question_id, message in session.exec(statement):
        text = redact(vault.open(message.body_encrypted), language).text
        line = ThreadLine(message.direction, text, message.created_at)
        threads.setdefault(question_id, []).append(line)
    return threads


def list_answered_questions(
    session: Session, vault: Vault, *, limit: int, offset: int, language: str = "en"
) -> list[AnsweredQuestion]:
    """Answered questions, most recently answered first, with how the answer's text fared;
    the questions redacted as in list_open_questions."""
    dedupe_key = literal("answer:") + cast(col(Question.id), String)
    statement = (
        select(
            Question,
            OutboxMessage.status,
            Message.status,
            func.coalesce(Message.error_code, OutboxMessage.error_code),
        )
        .join(OutboxMessage, col(OutboxMessage.dedupe_key) == dedupe_key, isouter=True)
        .join(Message, col(Message.id) == col(OutboxMessage.message_id), isouter=True)
        .where(Question.status == "answered")
        .order_by(col(Question.answered_at).desc(), col(Question.id).desc())
        .offset(offset)
        .limit(limit)
    )
    listed = []
    for question, send_status, delivery_status, error_code in session.exec(statement):
        redaction = redact(vault.open(question.text_encrypted), language)
        listed.append(
            AnsweredQuestion(
                id=question.id or 0,
                participant_id=question.participant_id,
                flow_id=question.flow_id,
                created_at=question.created_at,
                answered_at=question.answered_at,
                text=redaction.text,
                contact_details=question.contact_details or redaction.contact_details,
                answer=vault.open(question.answer_encrypted) if question.answer_encrypted else "",
                send_status=send_status,
                delivery_status=delivery_status,
                error_code=error_code,
            )
        )
    return listed
