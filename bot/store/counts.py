"""Aggregate queries for the overview: a fixed handful of GROUP BYs, whatever the data's size.

Every function leaves out test participants (the simulator, demos) and, given a partner code,
counts only residents who came through that partner. Rows are counts, never people. Answers an
officer filed as not an answer, or as a question, count nowhere (bot.core.filing).

A phone call is billed by the minute, each minute it started counted whole: Twilio's
CallDuration of 61 seconds is 2 minutes, and a call not over yet (no duration) is 0.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, distinct, func, literal, null, or_, union_all
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from bot.store.models import Answer, Call, Conversation, Message, Participant, Recording


@dataclass(frozen=True)
class ConversationCount:
    """How many conversations share one flow, channel, language, partner, outcome and point."""

    flow_id: str
    channel: str
    language: str | None
    partner_code: str | None
    status: str
    #: What the resident said to keeping answers in this conversation: yes, no, withdrew (yes,
    #: then STOP), or None when this conversation holds no answer to it (see below).
    consent: str | None
    #: The resident sent STOP (and not START since) while this conversation was going on.
    opted_out: bool
    #: The step of the last answer saved: answers are saved as residents move on through a flow.
    last_answer: str | None
    #: The step the resident is on, or stopped at, when this conversation is still theirs.
    at_step: str | None
    count: int


@dataclass(frozen=True)
class StepAnswerCount:
    """Answers of one kind saved at one step, and how many conversations saved them."""

    flow_id: str
    step_id: str
    kind: str
    answers: int
    conversations: int


@dataclass(frozen=True)
class MessageCount:
    direction: str
    channel: str
    count: int
    segments: int


@dataclass(frozen=True)
class CallCount:
    """Phone calls in one flow by callers of one partner and language: how many, the minutes
    they are billed for, and the recordings callers left there."""

    #: The flow the caller was in when the call ended (or is in now); None before any flow.
    flow_id: str | None
    language: str | None
    partner_code: str | None
    calls: int
    minutes: int
    recordings: int


@dataclass(frozen=True)
class Tally:
    """The rows every overview figure is summed from (all but the chart by day), so the figures
    of two groups of residents are the figures of their tallies put together."""

    conversations: list[ConversationCount]
    answers: list[StepAnswerCount]
    messages: list[MessageCount]
    calls: list[CallCount]

    def plus(self, other: Tally) -> Tally:
        return Tally(
            self.conversations + other.conversations,
            self.answers + other.answers,
            self.messages + other.messages,
            self.calls + other.calls,
        )


def count_tally(
    session: Session,
    *,
    partner_code: str | None = None,
    participant_ids: Collection[int] | None = None,
) -> Tally:
    """Everything the overview sums, in four queries; only these residents when ids are given
    (what a group about to be erased adds to the figures)."""
    partner, ids = partner_code, participant_ids
    return Tally(
        count_conversation_groups(session, partner_code=partner, participant_ids=ids),
        count_step_answers(session, partner_code=partner, participant_ids=ids),
        count_messages(session, partner_code=partner, participant_ids=ids),
        count_calls(session, partner_code=partner, participant_ids=ids),
    )


def _counted(
    statement: Any, partner_code: str | None, participant_ids: Collection[int] | None = None
) -> Any:
    """Real residents only (no test data); one partner's residents when a code is given; only
    these residents when ids are given."""
    statement = statement.where(col(Participant.is_test).is_(False))
    if partner_code is not None:
        statement = statement.where(Participant.partner_code == partner_code)
    if participant_ids is not None:
        statement = statement.where(col(Participant.id).in_(participant_ids))
    return statement


def _filed_as_answer() -> Any:
    return col(Answer.filed_as) == "answer"


def _consent(consent_run: Any) -> Any:
    """yes, no or withdrew for the conversation the resident's consent answer was given in.

    A participant keeps only their latest answer (consent, consent_at), so it belongs to their
    latest conversation started by then; an earlier run, or a run started since, holds none
    of it. Withdrew: said yes, then sent STOP after it (and not START since). Erasing leaves
    nothing to count.
    """
    here = consent_run.c.conversation_id == Conversation.id
    said_yes = and_(here, col(Participant.consent).is_(True))
    stopped_since = and_(
        col(Participant.opted_out).is_(True),
        col(Participant.opted_out_at) >= col(Participant.consent_at),
    )
    return case(
        (and_(said_yes, stopped_since), "withdrew"),
        (said_yes, "yes"),
        (and_(here, col(Participant.consent).is_(False)), "no"),
        else_=null(),
    )


def count_conversation_groups(
    session: Session,
    *,
    partner_code: str | None = None,
    participant_ids: Collection[int] | None = None,
) -> list[ConversationCount]:
    """Conversations grouped by everything the overview splits them by, in one query.

    A participant's saved state is about their open conversation, or about the one that
    expired or was handed on (nothing starts after those, unless the resident restarts).
    """
    # Grouped subqueries, not correlated ones: PostgreSQL turns a correlated max(id) into a
    # walk down the primary key, once per conversation.
    last = (
        select(Answer.conversation_id, func.max(Answer.id).label("answer_id"))
        .where(col(Answer.conversation_id).is_not(None), _filed_as_answer())
        .group_by(Answer.conversation_id)
        .subquery("last")
    )
    consent_run = (
        select(Conversation.participant_id, func.max(Conversation.id).label("conversation_id"))
        .join(Participant, col(Participant.id) == Conversation.participant_id)
        .where(col(Conversation.started_at) <= col(Participant.consent_at))
        .group_by(Conversation.participant_id)
        .subquery("consent_run")
    )
    last_answer = aliased(Answer, name="last_answer")
    state = col(Participant.state)
    open_now = col(Conversation.ended_at).is_(None)
    stateful = or_(open_now, col(Conversation.status).in_(("expired", "handed_on")))
    at_step = case(
        (
            and_(stateful, state["flow_id"].as_string() == Conversation.flow_id),
            state["step_id"].as_string(),
        ),
        else_=null(),
    )
    columns = (
        Conversation.flow_id,
        Participant.channel,
        Participant.language,
        Participant.partner_code,
        Conversation.status,
        _consent(consent_run).label("consent"),
        and_(col(Participant.opted_out), open_now).label("opted_out"),
        last_answer.step_id.label("last_answer"),
        at_step.label("at_step"),
    )
    per_conversation = (
        select(*columns)
        .join(Participant, col(Participant.id) == Conversation.participant_id)
        .outerjoin(last, last.c.conversation_id == Conversation.id)
        .outerjoin(last_answer, col(last_answer.id) == last.c.answer_id)
        .outerjoin(consent_run, consent_run.c.participant_id == Conversation.participant_id)
    )
    rows = _counted(per_conversation, partner_code, participant_ids).subquery("per_conversation")
    statement = select(*rows.c, func.count()).group_by(*rows.c)
    return [
        ConversationCount(*values[:6], bool(values[6]), *values[7:])
        for values in session.execute(statement)
    ]


def count_step_answers(
    session: Session,
    *,
    partner_code: str | None = None,
    participant_ids: Collection[int] | None = None,
) -> list[StepAnswerCount]:
    """Answers (skips included) by flow, step and kind: the funnel's reactions, skips and
    where off-route steps were reached, in one query."""
    statement = (
        select(
            Answer.flow_id,
            Answer.step_id,
            Answer.kind,
            func.count(),
            func.count(distinct(Answer.conversation_id)),
        )
        .join(Participant, col(Participant.id) == Answer.participant_id)
        .where(_filed_as_answer())
    )
    statement = _counted(statement, partner_code, participant_ids).group_by(
        Answer.flow_id, Answer.step_id, Answer.kind
    )
    return [StepAnswerCount(*values) for values in session.execute(statement)]


def count_messages(
    session: Session,
    *,
    partner_code: str | None = None,
    participant_ids: Collection[int] | None = None,
) -> list[MessageCount]:
    """Texts in and out, and the segments they were billed as, by direction and channel.

    The largest table there is, so no join: its rows are kept or dropped by participant id
    against the (few) test participants, which PostgreSQL hashes once: half the time of a join
    at 200,000 texts."""
    statement = select(
        Message.direction,
        Message.channel,
        func.count(),
        func.coalesce(func.sum(Message.segments), 0),
    )
    if partner_code is None and participant_ids is None:
        tests = select(Participant.id).where(col(Participant.is_test).is_(True))
        statement = statement.where(col(Message.participant_id).not_in(tests))
    else:
        residents = select(Participant.id).where(col(Participant.is_test).is_(False))
        if partner_code is not None:
            residents = residents.where(Participant.partner_code == partner_code)
        statement = statement.where(col(Message.participant_id).in_(residents))
        if participant_ids is not None:
            statement = statement.where(col(Message.participant_id).in_(participant_ids))
    statement = statement.group_by(Message.direction, Message.channel)
    return [
        MessageCount(direction, channel, n, int(segments))
        for direction, channel, n, segments in session.execute(statement)
    ]


def count_calls(
    session: Session,
    *,
    partner_code: str | None = None,
    participant_ids: Collection[int] | None = None,
) -> list[CallCount]:
    """Calls, billed minutes and recordings by flow, partner and language, in one query.

    Every call counts, answered or not, and its minutes once it is over. A recording counts in
    the flow of the answer it is (else of its call) unless it failed: waiting ones are on their
    way from Twilio. Both sides are read by participant, so test callers are left out and a
    partner's figures are their callers' alone, as for texts.
    """
    minutes = (func.coalesce(Call.duration_seconds, 0) + 59) // 60
    calls = select(
        col(Call.flow_id).label("flow_id"),
        Participant.language,
        Participant.partner_code,
        literal(1).label("calls"),
        minutes.label("minutes"),
        literal(0).label("recordings"),
    )
    calls = calls.select_from(Call).join(Participant, col(Participant.id) == Call.participant_id)
    recordings = (
        select(
            func.coalesce(Answer.flow_id, Call.flow_id).label("flow_id"),
            Participant.language,
            Participant.partner_code,
            literal(0).label("calls"),
            literal(0).label("minutes"),
            literal(1).label("recordings"),
        )
        .select_from(Recording)
        .join(Participant, col(Participant.id) == Recording.participant_id)
        .outerjoin(Call, col(Call.id) == Recording.call_id)
        .outerjoin(Answer, col(Answer.id) == Recording.answer_id)
        .where(col(Recording.status) != "failed")
    )
    rows = union_all(
        _counted(calls, partner_code, participant_ids),
        _counted(recordings, partner_code, participant_ids),
    ).subquery("call_rows")
    keys = (rows.c.flow_id, rows.c.language, rows.c.partner_code)
    statement = select(
        *keys, func.sum(rows.c.calls), func.sum(rows.c.minutes), func.sum(rows.c.recordings)
    ).group_by(*keys)
    return [
        CallCount(flow_id, language, partner, int(n), int(billed), int(recorded))
        for flow_id, language, partner, n, billed, recorded in session.execute(statement)
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
