"""Queries for officers reading conversations: the filtered, paged list and one resident's thread.

One row per resident (participant), showing the flow they are in now (their latest conversation).
A page costs a constant number of queries whatever its length, and only the numbers shown are
decrypted, and then only to be masked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, exists, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from bot.runtime.crypto import Vault, mask_number
from bot.store.answers import list_answers, list_questions
from bot.store.call_backs import OpenCallBack, get_call_back
from bot.store.filters import within
from bot.store.messages import list_messages
from bot.store.models import CallBack, Conversation, Message, Participant
from bot.store.notes import Note, list_notes
from bot.store.participants import get_participant
from bot.store.search import NO_SEARCH, Search, words_match

#: Conversation statuses, plus `opted_out` (the resident sent STOP), which outranks them.
STATUSES = ("active", "completed", "declined", "expired", "handed_on", "opted_out")


@dataclass(frozen=True)
class ConversationFilters:
    """What the officer narrowed the list to; None means any. Times are aware UTC bounds."""

    flow_id: str | None = None
    partner_code: str | None = None
    language: str | None = None
    channel: str | None = None
    status: str | None = None
    started_from: datetime | None = None
    #: Exclusive: the start of the day after the last day asked for.
    started_before: datetime | None = None
    #: Only residents waiting for an officer to phone them back.
    call_back: bool = False
    #: Only residents who texted every word of it, in any form (bot/store/search.py).
    search: Search = NO_SEARCH


@dataclass(frozen=True)
class ConversationRow:
    participant_id: int
    masked_number: str
    channel: str
    language: str | None
    partner_code: str | None
    flow_id: str | None
    status: str
    started_at: datetime
    last_message_at: datetime | None
    is_test: bool
    #: They asked to be phoned back and no officer has cleared it yet.
    call_back: bool = False


def _latest_conversation_id() -> ColumnElement[int]:
    """The id of a participant's newest conversation (correlated, index on participant_id)."""
    newest = aliased(Conversation)
    return (
        select(func.max(newest.id))
        .where(newest.participant_id == Participant.id)
        .correlate(Participant)
        .scalar_subquery()
    )


def _filtered(statement: Select, filters: ConversationFilters) -> Select:
    statement = statement.join(
        Conversation, col(Conversation.id) == _latest_conversation_id(), isouter=True
    )
    conditions: list[ColumnElement[bool]] = []
    if filters.flow_id:
        conditions.append(col(Conversation.flow_id) == filters.flow_id)
    if filters.partner_code:
        conditions.append(col(Participant.partner_code) == filters.partner_code)
    if filters.language:
        conditions.append(col(Participant.language) == filters.language)
    if filters.channel:
        conditions.append(col(Participant.channel) == filters.channel)
    if filters.status == "opted_out":
        conditions.append(col(Participant.opted_out))
    elif filters.status:
        conditions.append(col(Conversation.status) == filters.status)
        conditions.append(~col(Participant.opted_out))
    if filters.call_back:
        conditions.append(exists().where(col(CallBack.participant_id) == Participant.id))
    if filters.search:
        # One text of theirs holding every word, as a reader of the transcript would find it.
        texted = words_match(Message.words, filters.search)
        said = select(Message.id).where(Message.participant_id == Participant.id, *texted)
        conditions.append(exists(said))
    conditions += within(col(Participant.created_at), filters.started_from, filters.started_before)
    return statement.where(*conditions)


def count_conversations(session: Session, filters: ConversationFilters) -> int:
    statement = _filtered(select(func.count(col(Participant.id))), filters)
    return session.exec(statement).one()


def list_conversations(
    session: Session, vault: Vault, filters: ConversationFilters, *, limit: int, offset: int
) -> list[ConversationRow]:
    """Newest residents first: two queries (the page, then its last message times)."""
    waiting = aliased(CallBack)  # not the table the call-back filter looks in
    statement = _filtered(
        select(
            Participant.id,
            Participant.number_encrypted,
            Participant.channel,
            Participant.language,
            Participant.partner_code,
            Participant.opted_out,
            Participant.created_at,
            Participant.is_test,
            Conversation.flow_id,
            Conversation.status,
            waiting.requested_at,
        ).select_from(Participant),
        filters,
    )
    statement = statement.join(waiting, waiting.participant_id == Participant.id, isouter=True)
    statement = statement.order_by(col(Participant.id).desc()).limit(limit).offset(offset)
    rows = session.exec(statement).all()
    last = last_message_times(session, [row.id for row in rows])
    return [
        ConversationRow(
            participant_id=row.id,
            masked_number=mask_number(vault.open(row.number_encrypted)),
            channel=row.channel,
            language=row.language,
            partner_code=row.partner_code,
            flow_id=row.flow_id,
            status="opted_out" if row.opted_out else (row.status or "active"),
            started_at=row.created_at,
            last_message_at=last.get(row.id),
            is_test=row.is_test,
            call_back=row.requested_at is not None,
        )
        for row in rows
    ]


def last_message_times(session: Session, participant_ids: list[int]) -> dict[int, datetime]:
    if not participant_ids:
        return {}
    statement = (
        select(Message.participant_id, func.max(Message.created_at))
        .where(col(Message.participant_id).in_(participant_ids))
        .group_by(col(Message.participant_id))
    )
    return dict(session.exec(statement).all())


@dataclass(frozen=True)
class ThreadMessage:
    direction: str
    channel: str
    body: str
    status: str
    at: datetime


@dataclass(frozen=True)
class TranscriptAnswer:
    id: int
    flow_id: str
    step_id: str
    kind: str
    value: str | None
    text: str
    significant: bool
    #: answer, not_an_answer or question (bot.core.filing)
    filed_as: str
    at: datetime


@dataclass(frozen=True)
class TranscriptQuestion:
    text: str
    status: str
    asked_at: datetime
    answer: str | None
    answered_at: datetime | None


@dataclass(frozen=True)
class Transcript:
    """Everything an officer sees about one resident, decrypted, with the number masked."""

    participant: Participant
    masked_number: str
    conversations: list[Conversation]
    messages: list[ThreadMessage]
    answers: list[TranscriptAnswer]
    questions: list[TranscriptQuestion]
    #: Officers' notes, newest first, and the call-back they are waiting for, if any.
    notes: list[Note]
    call_back: OpenCallBack | None


def read_transcript(session: Session, vault: Vault, participant_id: int) -> Transcript | None:
    """One resident's thread, answers, questions and officers' notes; None when there is no
    such resident.
    Skips are left out of the answers: they hold no words.

    The lists come from the store's own per-resident queries, so the officer reads them in the
    order the bot keeps them, and one place decides that order.
    """
    participant = get_participant(session, participant_id)
    if participant is None:
        return None
    conversations = session.exec(
        select(Conversation)
        .where(Conversation.participant_id == participant_id)
        .order_by(col(Conversation.id))
    ).all()
    return Transcript(
        participant=participant,
        masked_number=mask_number(vault.open(participant.number_encrypted)),
        conversations=list(conversations),
        messages=[
            ThreadMessage(
                m.direction, m.channel, vault.open(m.body_encrypted), m.status, m.created_at
            )
            for m in list_messages(session, participant_id)
        ],
        answers=[
            TranscriptAnswer(
                a.id or 0,
                a.flow_id,
                a.step_id,
                a.kind,
                a.value,
                vault.open(a.text_encrypted),
                a.significant,
                a.filed_as,
                a.created_at,
            )
            for a in list_answers(session, participant_id)
            if a.kind != "skipped"  # no words: the thread shows the "skip", the funnel counts it
        ],
        questions=[
            TranscriptQuestion(
                vault.open(q.text_encrypted),
                q.status,
                q.created_at,
                vault.open(q.answer_encrypted) if q.answer_encrypted else None,
                q.answered_at,
            )
            for q in list_questions(session, participant_id)
        ],
        notes=list_notes(session, vault, participant_id),
        call_back=get_call_back(session, vault, participant_id),
    )


def get_participant_number(session: Session, vault: Vault, participant_id: int) -> str | None:
    """The full number, for an officer who gave a reason (the caller audit-logs it)."""
    sealed = session.exec(
        select(Participant.number_encrypted).where(Participant.id == participant_id)
    ).first()
    return vault.open(sealed) if sealed is not None else None
