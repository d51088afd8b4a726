"""Queries for the retention purge: its daily record, the residents it takes, their totals.

Residents erased for retention leave their contribution to the overview behind as counts in
`retained_totals`, one row per flow, month of first contact, partner, figure and breakdown, so
the overview reads the same after the purge. The encoding of a `Tally` into those rows and
back lives here, next to the table, so the rest of the code only ever sees tallies.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, col, select

from bot.store.counts import CallCount, ConversationCount, MessageCount, StepAnswerCount, Tally
from bot.store.db import Database, UnitOfWork
from bot.store.models import Answer, AnswerTheme, HousekeepingRun, Participant, RetainedTotal

#: The figure every retained resident adds one to, whatever they did.
RESIDENTS = "residents"
#: Texts and residents are counted across flows: their rows have this flow id (as have calls
#: made before any flow).
ALL_FLOWS = ""
#: What a tally's calls are kept as, per flow and language: figure name -> CallCount field.
CALL_FIGURES = {"calls": "calls", "call_minutes": "minutes", "recordings": "recordings"}
KEY = ("flow_id", "period", "partner_code", "figure", "breakdown")


@dataclass(frozen=True)
class PurgeGroup:
    """Residents about to be erased who share a month of first contact ("YYYY-MM") and a
    partner code ("" for none): their totals are kept under that period and partner."""

    period: str
    partner_code: str
    participant_ids: list[int]
    #: Real residents among them (test residents count in no figure).
    residents: int


@dataclass(frozen=True)
class RetainedTotals:
    """Everything residents erased for retention still add to the overview."""

    residents: int
    tally: Tally


def claim_run(session: Session, name: str, now: datetime, *, every: timedelta) -> bool:
    """Whether the job `name` is due (never run, or last run `every` or longer ago); if it is,
    it is recorded as run now. The row decides, so of two workers asking at once only one
    gets True: PostgreSQL re-checks the condition once the other's update commits, and SQLite
    takes one writer at a time."""
    last = session.get(HousekeepingRun, name)
    if last is not None and last.last_run_at > now - every:
        return False  # not due: no write at all, as on almost every sweep
    inserted = session.execute(
        _insert(session)(HousekeepingRun)
        .values(name=name, last_run_at=now)
        .on_conflict_do_nothing(index_elements=["name"])
    )
    if inserted.rowcount:
        return True
    updated = session.execute(
        update(HousekeepingRun)
        .where(col(HousekeepingRun.name) == name)
        .where(col(HousekeepingRun.last_run_at) <= now - every)
        .values(last_run_at=now)
    )
    return updated.rowcount == 1


def lock_for_purge(session: Session, participant_ids: Collection[int]) -> list[PurgeGroup]:
    """These residents, locked until the transaction ends and grouped by period and partner.

    On PostgreSQL a resident another transaction holds (a second purge) is skipped, so no
    one's totals are kept twice; SQLite lets one writer at a time change anything.
    """
    columns = (Participant.id, Participant.created_at, Participant.partner_code)
    statement = (
        select(*columns, Participant.is_test)
        .where(col(Participant.id).in_(participant_ids))
        .with_for_update(skip_locked=True)
    )
    groups: dict[tuple[str, str], tuple[list[int], list[bool]]] = defaultdict(lambda: ([], []))
    for participant_id, created_at, partner_code, is_test in session.execute(statement):
        ids, real = groups[created_at.strftime("%Y-%m"), partner_code or ""]
        ids.append(participant_id)
        real.append(not is_test)
    return [
        PurgeGroup(period, partner, ids, sum(real))
        for (period, partner), (ids, real) in sorted(groups.items())
    ]


def count_personal_rows(session: Session, participant_ids: Collection[int]) -> dict[str, int]:
    """Rows about these residents by table: their own, every table with a participant_id (new
    ones included as they are added) and their answers' theme tags."""
    ids = list(participant_ids)
    counts = {"participants": len(ids)}
    for table in SQLModel.metadata.sorted_tables:
        if "participant_id" in table.c:
            statement = select(func.count()).select_from(table)
            counts[table.name] = session.execute(
                statement.where(table.c.participant_id.in_(ids))
            ).scalar_one()
    tagged = select(func.count()).select_from(AnswerTheme).join(Answer)
    counts[AnswerTheme.__tablename__] = session.execute(
        tagged.where(col(Answer.participant_id).in_(ids))
    ).scalar_one()
    return counts


def add_retained_totals(session: Session, group: PurgeGroup, tally: Tally) -> None:
    """Add what this group counted for on the overview to the totals kept for their period."""
    if not group.residents:
        return
    values = [
        {
            "flow_id": flow_id,
            "period": group.period,
            "partner_code": group.partner_code,
            "figure": figure,
            "breakdown": json.dumps(breakdown, sort_keys=True, separators=(",", ":")),
            "count": count,
        }
        for flow_id, figure, breakdown, count in _encode(tally, group.residents)
    ]
    statement = _insert(session)(RetainedTotal).values(values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=list(KEY),
            set_={"count": RetainedTotal.count + statement.excluded["count"]},
        )
    )


def get_retained_totals(session: Session, *, partner_code: str | None = None) -> RetainedTotals:
    """The totals kept for every period, in one query; one partner's residents given a code."""
    keys = [getattr(RetainedTotal, name) for name in KEY if name != "period"]
    statement = select(*keys, func.sum(RetainedTotal.count)).group_by(*keys)
    if partner_code is not None:
        statement = statement.where(col(RetainedTotal.partner_code) == partner_code)
    figures: dict[str, dict[tuple[str, str, str], int]] = defaultdict(dict)
    for flow_id, partner, figure, breakdown, count in session.execute(statement):
        figures[figure][flow_id, partner, breakdown] = int(count)
    return _decode(figures)


@contextmanager
def rehearsal(db: Database) -> Iterator[UnitOfWork]:
    """A unit of work that is always rolled back: a dry run does the real thing and undoes it,
    so what it reports is exactly what the real run would do."""
    with Session(db.engine, expire_on_commit=False) as session:
        try:
            yield session
        finally:
            session.rollback()


def _insert(session: Session) -> Callable[..., Any]:
    """INSERT with ON CONFLICT, which both databases speak but SQLAlchemy keeps per dialect."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def _encode(tally: Tally, residents: int) -> Iterator[tuple[str, str, dict[str, Any], int]]:
    """(flow_id, figure, breakdown, count) for each row of the tally; partner is the group's."""
    yield ALL_FLOWS, RESIDENTS, {}, residents
    for row in tally.conversations:
        yield row.flow_id, "conversations", _conversation_key(row), row.count
    for answers in tally.answers:
        key = {"step_id": answers.step_id, "kind": answers.kind}
        yield answers.flow_id, "answers", key, answers.answers
        yield answers.flow_id, "answered_conversations", key, answers.conversations
    for texts in tally.messages:
        key = {"direction": texts.direction, "channel": texts.channel}
        yield ALL_FLOWS, "texts", key, texts.count
        yield ALL_FLOWS, "segments", key, texts.segments
    for calls in tally.calls:
        for figure, name in CALL_FIGURES.items():
            value = getattr(calls, name)
            if value:
                yield calls.flow_id or ALL_FLOWS, figure, {"language": calls.language}, value


def _conversation_key(row: ConversationCount) -> dict[str, Any]:
    return {
        "channel": row.channel,
        "language": row.language,
        "status": row.status,
        "consent": row.consent,
        "opted_out": row.opted_out,
        "last_answer": row.last_answer,
        "at_step": row.at_step,
    }


def _decode(figures: dict[str, dict[tuple[str, str, str], int]]) -> RetainedTotals:
    """The tally the kept rows stand for: the same rows the live counts give, summed."""
    conversations = [
        ConversationCount(
            flow_id=flow_id, partner_code=partner or None, count=count, **json.loads(breakdown)
        )
        for (flow_id, partner, breakdown), count in figures["conversations"].items()
    ]
    answers = [
        StepAnswerCount(
            flow_id=key[0],
            answers=count,
            conversations=figures["answered_conversations"].get(key, 0),
            **json.loads(key[2]),
        )
        for key, count in figures["answers"].items()
    ]
    messages = [
        MessageCount(count=count, segments=figures["segments"].get(key, 0), **json.loads(key[2]))
        for key, count in figures["texts"].items()
    ]
    calls = [
        CallCount(
            flow_id=key[0] or None,
            partner_code=key[1] or None,
            **json.loads(key[2]),
            **{name: figures[figure].get(key, 0) for figure, name in CALL_FIGURES.items()},
        )
        for key in sorted({key for figure in CALL_FIGURES for key in figures[figure]})
    ]
    residents = sum(figures[RESIDENTS].values())
    return RetainedTotals(residents, Tally(conversations, answers, messages, calls))
