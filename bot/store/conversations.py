"""Queries about conversations: one row per run through a flow, for per-flow figures.

A turn asks for the resident's open conversation several times (the text in, the reply, an
answer); the unit of work remembers it, and the functions here that open, end or reopen one
keep that memory right, so it is read from the database once per transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from bot.store.models import Conversation

#: Where a unit of work remembers its participants' open conversations (participant id →
#: conversation, or None when they have none).
_OPEN = "open_conversations"


def _remembered(session: Session) -> dict[int, Conversation | None]:
    return session.info.setdefault(_OPEN, {})


def get_open_conversation(session: Session, participant_id: int) -> Conversation | None:
    remembered = _remembered(session)
    if participant_id in remembered:
        return remembered[participant_id]
    statement = (
        select(Conversation)
        .where(Conversation.participant_id == participant_id)
        .where(col(Conversation.ended_at).is_(None))
        .order_by(col(Conversation.id).desc())
        .limit(1)
    )
    conversation = session.exec(statement).first()
    remembered[participant_id] = conversation
    return conversation


def forget_open_conversations(session: Session) -> None:
    """Rows were deleted under the memory's feet (an erasure): ask the database again."""
    session.info.pop(_OPEN, None)


def start_conversation(
    session: Session, participant_id: int, flow_id: str, flow_version: int, now: datetime
) -> Conversation:
    conversation = Conversation(
        participant_id=participant_id, flow_id=flow_id, flow_version=flow_version, started_at=now
    )
    session.add(conversation)
    session.flush()
    _remembered(session)[participant_id] = conversation
    return conversation


def end_conversation(
    session: Session, conversation: Conversation, status: str, now: datetime
) -> None:
    conversation.status = status
    conversation.ended_at = now
    session.add(conversation)
    # An older run may still be open (it is the one a later query would find).
    _remembered(session).pop(conversation.participant_id, None)


def reopen_conversation(session: Session, participant_id: int, flow_id: str) -> None:
    """The resident came back to their run of `flow_id` after it expired, or said YES after
    declining: it is open again, so it can still be completed."""
    statement = (
        select(Conversation)
        .where(Conversation.participant_id == participant_id, Conversation.flow_id == flow_id)
        .where(col(Conversation.status).in_(("expired", "declined")))
        .order_by(col(Conversation.id).desc())
        .limit(1)
    )
    conversation = session.exec(statement).first()
    if conversation is not None:
        conversation.status, conversation.ended_at = "active", None
        session.add(conversation)
        _remembered(session).pop(participant_id, None)
