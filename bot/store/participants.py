"""Queries about participants: finding the resident behind a number, saving state, erasing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from bot.store.models import (
    Answer,
    AnswerTheme,
    Conversation,
    Message,
    OutboxMessage,
    Participant,
    Question,
    Timer,
)


def get_current_participant(session: Session, number_hash: str, channel: str) -> Participant | None:
    """The resident now using this number on this channel (not one who handed the phone on)."""
    statement = (
        select(Participant)
        .where(Participant.number_hash == number_hash, Participant.channel == channel)
        .where(col(Participant.closed_at).is_(None))
        .order_by(col(Participant.id).desc())
        .limit(1)
    )
    return session.exec(statement).first()


def get_participant(session: Session, participant_id: int) -> Participant | None:
    return session.get(Participant, participant_id)


def create_participant(
    session: Session,
    *,
    number_hash: str,
    number_encrypted: str,
    channel: str,
    now: datetime,
    is_test: bool = False,
) -> Participant:
    participant = Participant(
        number_hash=number_hash,
        number_encrypted=number_encrypted,
        channel=channel,
        created_at=now,
        is_test=is_test,
    )
    session.add(participant)
    session.flush()
    return participant


def create_next_participant(session: Session, previous: Participant, now: datetime) -> Participant:
    """The next person on a shared phone: the same number and channel, a record of their own."""
    return create_participant(
        session,
        number_hash=previous.number_hash,
        number_encrypted=previous.number_encrypted,
        channel=previous.channel,
        now=now,
        is_test=previous.is_test,
    )


def save_participant(session: Session, participant: Participant) -> None:
    """Keep the changes a turn made to a participant (language, consent, state...)."""
    session.add(participant)


def opt_out_participant(session: Session, participant_id: int, now: datetime) -> None:
    """The handset or carrier refused our texts: treat it as STOP."""
    participant = session.get(Participant, participant_id)
    if participant is not None:
        participant.opted_out, participant.opted_out_at = True, now
        session.add(participant)


def close_participant(session: Session, participant: Participant, now: datetime) -> None:
    """The phone was handed on: keep this person's answers, start someone new next time."""
    participant.closed_at = now
    session.add(participant)


def erase_participant(session: Session, participant_id: int) -> None:
    """Delete everything stored about one resident: their words, answers, questions and sends."""
    answers = select(Answer.id).where(Answer.participant_id == participant_id)
    session.execute(delete(AnswerTheme).where(col(AnswerTheme.answer_id).in_(answers)))
    # Questions before answers: a question may point at the answer it was raised from.
    for table in (OutboxMessage, Timer, Message, Question, Answer, Conversation):
        session.execute(delete(table).where(col(table.participant_id) == participant_id))
    session.execute(delete(Participant).where(col(Participant.id) == participant_id))


def list_participants_to_purge(
    session: Session, older_than: datetime, limit: int = 500
) -> list[int]:
    """Residents silent since before `older_than` (the retention period has run out)."""
    last_seen = func.coalesce(Participant.last_inbound_at, Participant.created_at)
    statement = select(Participant.id).where(last_seen < older_than).limit(limit)
    return [participant_id for participant_id in session.exec(statement) if participant_id]
