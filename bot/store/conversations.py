"""Queries about conversations: one row per run through a flow, for per-flow figures."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from bot.store.models import Conversation


def get_open_conversation(session: Session, participant_id: int) -> Conversation | None:
    statement = (
        select(Conversation)
        .where(Conversation.participant_id == participant_id)
        .where(col(Conversation.ended_at).is_(None))
        .order_by(col(Conversation.id).desc())
        .limit(1)
    )
    return session.exec(statement).first()


def start_conversation(
    session: Session, participant_id: int, flow_id: str, flow_version: int, now: datetime
) -> Conversation:
    conversation = Conversation(
        participant_id=participant_id, flow_id=flow_id, flow_version=flow_version, started_at=now
    )
    session.add(conversation)
    session.flush()
    return conversation


def end_conversation(
    session: Session, conversation: Conversation, status: str, now: datetime
) -> None:
    conversation.status = status
    conversation.ended_at = now
    session.add(conversation)


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
