"""What the questions inbox, its counts and its export are narrowed by, as query conditions.

Overdue is one comparison per flow: a question is late once it came before the start of the
Nth working day before today (bot.runtime.working_days.overdue_before), N being its flow's
promise, so the caller works out those moments (`ReplyCutoffs`) and the database compares.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_
from sqlmodel import col

from bot.store.models import Participant, Question
from bot.store.search import NO_SEARCH, Search, words_match

#: Question.status, in the order the inbox offers them.
STATUSES = ("open", "answered", "dismissed")


@dataclass(frozen=True)
class ReplyCutoffs:
    """Per flow, the moment before which an open question of that flow is overdue now;
    `default` for a flow not listed (one removed from the library since)."""

    default: datetime
    by_flow: Mapping[str, datetime] = field(default_factory=dict)


@dataclass(frozen=True)
class QuestionFilter:
    """None or False means any. Every field is combinable with every other."""

    flow_id: str | None = None
    #: The resident's language: cy or en.
    language: str | None = None
    #: One of STATUSES; None lists those waiting and, apart, those answered.
    status: str | None = None
    overdue_only: bool = False
    #: Only questions this account has taken on...
    assigned_to: int | None = None
    #: ...or only those nobody has.
    unassigned: bool = False
    partner_code: str | None = None
    #: Words the question must hold, in any form (bot/store/search.py).
    search: Search = NO_SEARCH


def overdue_condition(cutoffs: ReplyCutoffs) -> ColumnElement[bool]:
    """An open question that came before its flow's cutoff."""
    flows = list(cutoffs.by_flow)
    late = [
        and_(col(Question.flow_id) == flow_id, col(Question.created_at) < cutoff)
        for flow_id, cutoff in cutoffs.by_flow.items()
    ]
    late.append(
        and_(col(Question.flow_id).not_in(flows), col(Question.created_at) < cutoffs.default)
    )
    return and_(col(Question.status) == "open", or_(*late))


def question_conditions(
    filters: QuestionFilter,
    cutoffs: ReplyCutoffs | None,
    *,
    status: str | None = None,
    any_status: bool = False,
) -> list[Any]:
    """Conditions on Question joined to its Participant, in `status` (else the filter's, else
    any when `any_status`); `cutoffs` is needed only where overdue questions can be."""
    wanted = None if any_status else status or filters.status
    conditions: list[Any] = []
    if wanted is not None:
        conditions.append(col(Question.status) == wanted)
    if filters.flow_id:
        conditions.append(col(Question.flow_id) == filters.flow_id)
    if filters.language:
        conditions.append(col(Participant.language) == filters.language)
    if filters.partner_code:
        conditions.append(col(Participant.partner_code) == filters.partner_code)
    if filters.assigned_to is not None:
        conditions.append(col(Question.assigned_to) == filters.assigned_to)
    if filters.unassigned:
        conditions.append(col(Question.assigned_to).is_(None))
    conditions += words_match(Question.words, filters.search)
    if filters.overdue_only:
        if wanted in (None, "open") and cutoffs is not None:
            conditions.append(overdue_condition(cutoffs))
        else:  # only a waiting question can be late
            conditions.append(false())
    return conditions
