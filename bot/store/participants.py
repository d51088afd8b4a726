"""Queries about participants: finding the resident behind a number, saving state, erasing."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, func
from sqlmodel import Session, col, select

from bot.runtime.clock import utc_now
from bot.runtime.crypto import Vault
from bot.store.audit import drop_audit_reasons_about
from bot.store.conversations import forget_open_conversations
from bot.store.models import (
    Answer,
    AnswerTheme,
    Call,
    CallBack,
    Conversation,
    ConversationNote,
    Message,
    OptOut,
    OutboxMessage,
    Participant,
    PublicResponseQuote,
    Question,
    Timer,
)
from bot.store.opt_outs import is_number_opted_out
from bot.store.outbox import OutboxTicket
from bot.store.receipts import forget_pending_texts
from bot.store.recordings import erase_recordings, request_deletions_for

#: Parts of the engine's state that hold the resident's own words (a question waiting for "did
#: that answer it?", reactions held until consent): sealed under one key, "sealed".
PERSONAL_STATE = ("pending_question", "reactions")


def get_current_participant(
    session: Session, number_hashes: Sequence[str], channel: str
) -> Participant | None:
    """The resident now using this number on this channel (not one who handed the phone on)."""
    return session.exec(_current(select(Participant), number_hashes, channel)).first()


def _current(statement: Any, number_hashes: Sequence[str], channel: str) -> Any:
    """`statement` narrowed to the number's newest participant on the channel still using it."""
    return (
        statement.where(
            col(Participant.number_hash).in_(number_hashes), Participant.channel == channel
        )
        .where(col(Participant.closed_at).is_(None))
        .order_by(col(Participant.id).desc())
        .limit(1)
    )


def get_current_participant_and_opt_out(
    session: Session, number_hashes: Sequence[str], channel: str
) -> tuple[Participant | None, bool]:
    """The resident now using this number on this channel, and whether the number is opted
    out: one read for what every text needs to know (a second only for a number new to us)."""
    opted_out = exists().where(col(OptOut.number_hash).in_(number_hashes))
    found = session.exec(_current(select(Participant, opted_out), number_hashes, channel)).first()
    if found is None:
        return None, is_number_opted_out(session, number_hashes)
    participant, is_opted_out = found
    return participant, bool(is_opted_out)


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


def save_participant(
    session: Session, vault: Vault, participant: Participant, state: dict[str, Any]
) -> None:
    """Keep the changes a turn made to a participant (language, consent...) and its state,
    with the resident's own words in it sealed like every other text of theirs."""
    plain = dict(state)
    personal = {key: plain.pop(key) for key in PERSONAL_STATE if key in plain}
    if any(personal.values()):
        plain["sealed"] = vault.seal(json.dumps(personal, ensure_ascii=False))
    participant.state = plain
    session.add(participant)


def read_state(vault: Vault, participant: Participant) -> dict[str, Any]:
    """The state as the engine saved it, the sealed words opened again."""
    state = dict(participant.state)
    sealed = state.pop("sealed", None)
    if sealed:
        state.update(json.loads(vault.open(sealed)))
    return state


def close_participant(session: Session, participant: Participant, now: datetime) -> None:
    """The phone was handed on: keep this person's answers, start someone new next time."""
    participant.closed_at = now
    participant.state = {k: v for k, v in participant.state.items() if k != "sealed"}
    session.add(participant)


@dataclass(frozen=True)
class ErasedWork:
    """Jobs that pointed at erased rows: removed from the queue after the erasure commits."""

    participant_ids: list[int]
    sends: list[OutboxTicket]
    timer_ids: list[int]
    #: Their recordings Twilio may still hold (bot.store.recordings), to delete there once the
    #: erasure commits: by SID alone, the one thing about them kept until Twilio confirms.
    recording_deletions: list[int] = field(default_factory=list)


def erase_number(session: Session, number_hashes: Sequence[str]) -> ErasedWork:
    """Erase every participant who used this number, on every channel (a shared phone has
    several, one after another). The opt-out list keeps the number, so we still never text it."""
    ids = [
        participant_id
        for participant_id in session.exec(
            select(Participant.id)
            .where(col(Participant.number_hash).in_(number_hashes))
            .order_by(col(Participant.id))
        )
        if participant_id is not None
    ]
    forget_pending_texts(session, number_hashes)
    return erase_participants(session, ids)


def erase_participants(session: Session, ids: list[int]) -> ErasedWork:
    """Erase these participants (DELETE, an officer, the retention purge), with the jobs that
    pointed at their rows, for the queue to forget once the erasure commits, and the
    recordings of theirs still to be deleted at Twilio."""
    sends = [
        OutboxTicket.of(row)
        for row in session.exec(
            select(OutboxMessage).where(col(OutboxMessage.participant_id).in_(ids))
        )
    ]
    timers = session.exec(select(Timer.id).where(col(Timer.participant_id).in_(ids)))
    timer_ids = [timer_id for timer_id in timers if timer_id is not None]
    work = ErasedWork(ids, sends, timer_ids, request_deletions_for(session, ids, utc_now()))
    for participant_id in ids:
        erase_participant(session, participant_id)
    return work


def erase_participant(session: Session, participant_id: int) -> None:
    """Delete everything stored about one resident: their words, answers, questions and sends.

    Audit entries about them keep the event (who looked, when) but lose any words an officer
    typed about them; ids are never reused, so the entry can point at no one else.
    """
    answers = select(Answer.id).where(Answer.participant_id == participant_id)
    questions = select(Question.id).where(Question.participant_id == participant_id)
    targets = [f"participant:{participant_id}"]
    targets += [f"answer:{answer_id}" for answer_id in session.exec(answers)]
    targets += [f"question:{question_id}" for question_id in session.exec(questions)]
    drop_audit_reasons_about(session, targets)
    for picked in (AnswerTheme, PublicResponseQuote):  # tags, and quotes on a public response
        session.execute(delete(picked).where(col(picked.answer_id).in_(answers)))
    # Recordings before answers and calls, which they point at; questions before answers: a
    # question may point at the answer it was raised from. Officers' notes and a call-back
    # waiting go too: they are about the resident.
    erase_recordings(session, participant_id)
    for table in (
        Call,
        OutboxMessage,
        Timer,
        Message,
        Question,
        Answer,
        Conversation,
        ConversationNote,
        CallBack,
    ):
        session.execute(delete(table).where(col(table.participant_id) == participant_id))
    session.execute(delete(Participant).where(col(Participant.id) == participant_id))
    forget_open_conversations(session)


def list_participants_to_purge(
    session: Session, older_than: datetime, limit: int = 500
) -> list[int]:
    """Residents silent since before `older_than` (the retention period has run out)."""
    last_seen = func.coalesce(Participant.last_inbound_at, Participant.created_at)
    statement = select(Participant.id).where(last_seen < older_than).limit(limit)
    return [participant_id for participant_id in session.exec(statement) if participant_id]
