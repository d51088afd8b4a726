"""Aggregate queries for the overview: a fixed handful of GROUP BYs, whatever the data's size.

Every function leaves out test participants (the simulator, demos) and, given a partner code,
counts only residents who came through that partner. Rows are counts, never people.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, distinct, func, null
from sqlmodel import Session, col, select

from bot.models import Answer, Conversation, Message, Participant


@dataclass(frozen=True)
class ConversationCount:
    """How many conversations share one flow, channel, language, partner and outcome."""

    flow_id: str
    channel: str
    language: str | None
    partner_code: str | None
    status: str
    consent: bool | None
    #: The resident sent STOP (and not START since), and this is their latest conversation.
    opted_out: bool
    count: int


@dataclass(frozen=True)
class ProgressCount:
    """How many conversations of a flow share an outcome and a furthest point."""

    flow_id: str
    status: str
    #: Position (from `positions`) of the furthest step answered; None if nothing was.
    furthest_answer: int | None
    #: The step the resident is on, or stopped at, if this is their latest conversation.
    at_step: str | None
    count: int


@dataclass(frozen=True)
class MessageCount:
    direction: str
    channel: str
    count: int
    segments: int


def _counted(statement: Any, partner_code: str | None) -> Any:
    """Real residents only (no test data); one partner's residents when a code is given."""
    statement = statement.where(col(Participant.is_test).is_(False))
    if partner_code is not None:
        statement = statement.where(Participant.partner_code == partner_code)
    return statement


def _latest_conversations() -> Any:
    """Each participant's latest conversation: the one their saved state is about."""
    return (
        select(Conversation.participant_id, func.max(Conversation.id).label("latest_id"))
        .group_by(Conversation.participant_id)
        .subquery("latest")
    )


def count_conversations(
    session: Session, *, partner_code: str | None = None
) -> list[ConversationCount]:
    """Conversations by flow, channel, language, partner, status, consent and opt-out."""
    latest = _latest_conversations()
    opted_out = and_(col(Participant.opted_out), col(Conversation.id) == latest.c.latest_id).label(
        "opted_out"
    )
    columns = (
        Conversation.flow_id,
        Participant.channel,
        Participant.language,
        Participant.partner_code,
        Conversation.status,
        Participant.consent,
    )
    statement = (
        select(*columns, opted_out, func.count())
        .join(Participant, col(Participant.id) == Conversation.participant_id)
        .join(latest, latest.c.participant_id == Conversation.participant_id)
    )
    statement = _counted(statement, partner_code).group_by(*columns, opted_out)
    return [
        ConversationCount(flow, channel, language, partner, status, consent, bool(out), n)
        for flow, channel, language, partner, status, consent, out, n in session.execute(statement)
    ]


def count_progress(
    session: Session,
    positions: Mapping[tuple[str, str], int],
    *,
    partner_code: str | None = None,
) -> list[ProgressCount]:
    """Conversations by flow, status, furthest step answered and the step they are on now.

    `positions` numbers each (flow_id, step_id) in flow order, so the database can take the
    furthest answer per conversation without sending every answer back.
    """
    whens = [
        (and_(Answer.flow_id == flow_id, Answer.step_id == step_id), position)
        for (flow_id, step_id), position in positions.items()
    ]
    position = case(*whens, else_=null()) if whens else null()
    furthest = (
        select(Answer.conversation_id, func.max(position).label("furthest"))
        .where(col(Answer.conversation_id).is_not(None))
        .group_by(Answer.conversation_id)
        .subquery("furthest")
    )
    latest = _latest_conversations()
    state = col(Participant.state)
    at_step = case(
        (
            and_(
                col(Conversation.id) == latest.c.latest_id,
                state["flow_id"].as_string() == Conversation.flow_id,
            ),
            state["step_id"].as_string(),
        ),
        else_=null(),
    )
    per_conversation = (
        select(
            Conversation.flow_id,
            Conversation.status,
            furthest.c.furthest,
            at_step.label("at_step"),
        )
        .join(Participant, col(Participant.id) == Conversation.participant_id)
        .join(latest, latest.c.participant_id == Conversation.participant_id)
        .outerjoin(furthest, furthest.c.conversation_id == Conversation.id)
    )
    rows = _counted(per_conversation, partner_code).subquery("per_conversation")
    grouped = (rows.c.flow_id, rows.c.status, rows.c.furthest, rows.c.at_step)
    statement = select(*grouped, func.count()).group_by(*grouped)
    return [
        ProgressCount(flow, status, furthest_at, at, n)
        for flow, status, furthest_at, at, n in session.execute(statement)
    ]


def count_answered_steps(
    session: Session, *, partner_code: str | None = None
) -> dict[tuple[str, str], int]:
    """How many conversations saved an answer at each (flow_id, step_id)."""
    statement = select(
        Answer.flow_id, Answer.step_id, func.count(distinct(Answer.conversation_id))
    ).join(Participant, col(Participant.id) == Answer.participant_id)
    statement = _counted(statement, partner_code).group_by(Answer.flow_id, Answer.step_id)
    return {(flow, step): n for flow, step, n in session.execute(statement)}


def count_messages(session: Session, *, partner_code: str | None = None) -> list[MessageCount]:
    """Texts in and out, and the segments they were billed as, by direction and channel."""
    statement = select(
        Message.direction,
        Message.channel,
        func.count(),
        func.coalesce(func.sum(Message.segments), 0),
    ).join(Participant, col(Participant.id) == Message.participant_id)
    statement = _counted(statement, partner_code).group_by(Message.direction, Message.channel)
    return [
        MessageCount(direction, channel, n, int(segments))
        for direction, channel, n, segments in session.execute(statement)
    ]


def count_started_by_day(
    session: Session, since: datetime, *, partner_code: str | None = None
) -> list[tuple[str, date, int]]:
    """(flow_id, day, conversations started) from `since` on; days are the database's (UTC)."""
    day = func.date(Conversation.started_at)
    statement = (
        select(Conversation.flow_id, day, func.count())
        .join(Participant, col(Participant.id) == Conversation.participant_id)
        .where(col(Conversation.started_at) >= since)
    )
    statement = _counted(statement, partner_code).group_by(Conversation.flow_id, day)
    return [
        (flow, value if isinstance(value, date) else date.fromisoformat(value), n)
        for flow, value, n in session.execute(statement)
    ]
