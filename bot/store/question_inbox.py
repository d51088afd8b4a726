"""Queries for the officers' questions inbox: open questions with their thread, answered ones
with the delivery status Twilio reported.

Each list is a constant number of queries: the thread around every question on a page comes from
one windowed query, and an answer's delivery status from one outer join (question -> its outbox
row by dedupe key `answer:<id>` -> the message that row became).

Questions and their threads are listed with contact details redacted (bot.runtime.redaction),
in the reader's language: officers open the transcript for the full text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, and_, case, cast, func, literal
from sqlmodel import Session, col, select

from bot.runtime.crypto import Vault, mask_number
from bot.runtime.redaction import redact
from bot.store.models import Message, OutboxMessage, Participant, Question
from bot.store.question_filters import (
    QuestionFilter,
    ReplyCutoffs,
    overdue_condition,
    question_conditions,
)

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
    #: The account that has taken it on, if any
    assigned_to: int | None = None


@dataclass(frozen=True)
class AnsweredQuestion:
    id: int
    participant_id: int
    flow_id: str
    created_at: datetime
    answered_at: datetime | None
    #: Redacted; the officer's answer is not
    text: str
    #: The resident's language, as the answer went to them
    language: str | None
    contact_details: bool
    answer: str
    #: The outbox row's status: pending, sending, sent, held, failed or cancelled
    send_status: str | None
    #: Twilio's latest status for the sent message (queued, sent, delivered, failed...)
    delivery_status: str | None
    error_code: int | None


def count_questions(session: Session, status: str) -> int:
    """One count on the indexed status: cheap enough for every page's navigation."""
    return session.exec(
        select(func.count()).select_from(Question).where(Question.status == status)
    ).one()


@dataclass(frozen=True)
class WaitingCount:
    waiting: int
    overdue: int


def count_waiting(session: Session, cutoffs: ReplyCutoffs) -> WaitingCount:
    """Questions waiting for an answer and, of those, how many are overdue: one query."""
    late = func.coalesce(func.sum(case((overdue_condition(cutoffs), 1), else_=0)), 0)
    waiting, overdue = session.exec(
        select(func.count(), late).select_from(Question).where(Question.status == "open")
    ).one()
    return WaitingCount(int(waiting), int(overdue))


def count_by_status(
    session: Session, filters: QuestionFilter, cutoffs: ReplyCutoffs
) -> dict[str, int]:
    """How many questions match the filters (whatever their status) in each status."""
    statement = (
        select(Question.status, func.count())
        .join(Participant, col(Participant.id) == Question.participant_id)
        .where(*question_conditions(filters, cutoffs, any_status=True))
        .group_by(col(Question.status))
    )
    return {status: int(count) for status, count in session.exec(statement)}


@dataclass(frozen=True)
class WaitingKey:
    """What grouping similar questions reads: the words in full, never shown from here."""

    id: int
    flow_id: str
    created_at: datetime
    text: str
    language: str | None
    overdue: bool


def list_waiting_keys(
    session: Session, vault: Vault, filters: QuestionFilter, cutoffs: ReplyCutoffs
) -> list[WaitingKey]:
    """Every waiting question matching the filters, overdue first, then oldest first."""
    late = overdue_condition(cutoffs)
    statement = (
        select(
            Question.id,
            Question.flow_id,
            Question.created_at,
            Question.text_encrypted,
            Participant.language,
            case((late, 1), else_=0),
        )
        .join(Participant, col(Participant.id) == Question.participant_id)
        .where(*question_conditions(filters, cutoffs, status="open"))
        .order_by(case((late, 0), else_=1), col(Question.created_at), col(Question.id))
    )
    return [
        WaitingKey(question_id or 0, flow_id, created, vault.open(sealed), language, bool(late))
        for question_id, flow_id, created, sealed, language, late in session.exec(statement)
    ]


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
    ids: Sequence[int] | None = None,
    limit: int | None = None,
    offset: int = 0,
    language: str = "en",
) -> list[InboxQuestion]:
    """Questions awaiting an answer, oldest first (or those of `ids`, in that order), each
    with the messages that led up to it; contact details redacted with labels in `language`
    (the reader's)."""
    statement = (
        select(Question, Participant)
        .join(Participant, col(Participant.id) == Question.participant_id)
        .where(Question.status == "open")
        .order_by(col(Question.created_at), col(Question.id))
    )
    if ids is not None:
        statement = statement.where(col(Question.id).in_(list(ids)))
    rows = session.exec(statement.offset(offset).limit(limit)).all()
    if ids is not None:
        place = {question_id: number for number, question_id in enumerate(ids)}
        rows = sorted(rows, key=lambda row: place[row[0].id or 0])
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
                assigned_to=question.assigned_to,
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
    session: Session,
    vault: Vault,
    *,
    limit: int,
    offset: int,
    language: str = "en",
    filters: QuestionFilter | None = None,
) -> list[AnsweredQuestion]:
    """Answered questions matching `filters`, most recently answered first, with how the
    answer's text fared; the questions redacted as in list_open_questions."""
    dedupe_key = literal("answer:") + cast(col(Question.id), String)
    conditions = question_conditions(filters or QuestionFilter(), None, status="answered")
    statement = (
        select(
            Question,
            Participant.language,
            OutboxMessage.status,
            Message.status,
            func.coalesce(Message.error_code, OutboxMessage.error_code),
        )
        .join(Participant, col(Participant.id) == Question.participant_id)
        .join(OutboxMessage, col(OutboxMessage.dedupe_key) == dedupe_key, isouter=True)
        .join(Message, col(Message.id) == col(OutboxMessage.message_id), isouter=True)
        .where(*conditions)
        .order_by(col(Question.answered_at).desc(), col(Question.id).desc())
        .offset(offset)
        .limit(limit)
    )
    listed = []
    for question, resident_language, send_status, delivery_status, error_code in session.exec(
        statement
    ):
        redaction = redact(vault.open(question.text_encrypted), language)
        listed.append(
            AnsweredQuestion(
                id=question.id or 0,
                participant_id=question.participant_id,
                flow_id=question.flow_id,
                created_at=question.created_at,
                answered_at=question.answered_at,
                text=redaction.text,
                language=resident_language,
                contact_details=question.contact_details or redaction.contact_details,
                answer=vault.open(question.answer_encrypted) if question.answer_encrypted else "",
                send_status=send_status,
                delivery_status=delivery_status,
                error_code=error_code,
            )
        )
    return listed


@dataclass(frozen=True)
class DismissedQuestion:
    id: int
    participant_id: int
    flow_id: str
    created_at: datetime
    dismissed_at: datetime | None
    #: One of bot.core.question_triage.DISMISS_REASONS
    reason: str
    #: Redacted
    text: str
    contact_details: bool
    language: str | None


def list_dismissed_questions(
    session: Session,
    vault: Vault,
    filters: QuestionFilter,
    *,
    limit: int,
    offset: int,
    language: str = "en",
) -> list[DismissedQuestion]:
    """Questions officers set aside, most recently first, redacted as the others."""
    statement = (
        select(Question, Participant.language)
        .join(Participant, col(Participant.id) == Question.participant_id)
        .where(*question_conditions(filters, None, status="dismissed"))
        .order_by(col(Question.dismissed_at).desc(), col(Question.id).desc())
        .offset(offset)
        .limit(limit)
    )
    listed = []
    for question, resident_language in session.exec(statement):
        redaction = redact(vault.open(question.text_encrypted), language)
        listed.append(
            DismissedQuestion(
                id=question.id or 0,
                participant_id=question.participant_id,
                flow_id=question.flow_id,
                created_at=question.created_at,
                dismissed_at=question.dismissed_at,
                reason=question.dismissed_reason or "",
                text=redaction.text,
                contact_details=question.contact_details or redaction.contact_details,
                language=resident_language,
            )
        )
    return listed
