"""Queries behind the charts page: themes by kind of answer, answers over time, partner reach.

Answers are counted as the answers page lists them (bot.store.answer_list.answer_conditions):
real residents only, in their own words, as officers filed them; one partner's residents when a
partner code is given; one flow's when a flow is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.store.answer_list import AnswerFilter, answer_conditions
from bot.store.models import Answer, AnswerTheme, Conversation, Participant, Theme, ThemeNames


@dataclass(frozen=True)
class ThemeKinds:
    names: ThemeNames
    #: Answers of each kind (hope, fear, feedback...) tagged with the theme.
    kinds: dict[str, int]


def _scoped(statement: Any, flow_id: str | None, partner_code: str | None) -> Any:
    """Answers as the answers page lists them, of one flow and partner when given."""
    return statement.where(
        *answer_conditions(AnswerFilter(flow_id=flow_id, partner_code=partner_code))
    )


def count_theme_kinds(
    session: Session, *, flow_id: str | None, partner_code: str | None
) -> list[ThemeKinds]:
    """Every theme with its answers by kind, the most answered first; themes with none left
    out (a chart of empty bars says nothing)."""
    statement = (
        select(Theme.id, Theme.name, Theme.name_cy, Answer.kind, func.count())
        .join(AnswerTheme, col(AnswerTheme.theme_id) == Theme.id)
        .join(Answer, col(Answer.id) == AnswerTheme.answer_id)
        .join(Participant, col(Participant.id) == Answer.participant_id)
        .group_by(Theme.id, Theme.name, Theme.name_cy, Answer.kind)
    )
    themes: dict[int, ThemeKinds] = {}
    for theme_id, name, name_cy, kind, count in session.execute(
        _scoped(statement, flow_id, partner_code)
    ):
        theme = themes.setdefault(theme_id, ThemeKinds(ThemeNames(name, name_cy), {}))
        theme.kinds[kind] = count
    return sorted(themes.values(), key=lambda t: (-sum(t.kinds.values()), t.names.name.lower()))


def count_answers_by_day(
    session: Session, since: datetime, *, flow_id: str | None, partner_code: str | None
) -> dict[date, int]:
    """Answers in residents' own words received each day from `since` (UTC days)."""
    day = func.date(Answer.created_at)
    statement = (
        select(day, func.count())
        .join(Participant, col(Participant.id) == Answer.participant_id)
        .where(col(Answer.created_at) >= since)
        .group_by(day)
    )
    return {
        value if isinstance(value, date) else date.fromisoformat(value): count
        for value, count in session.execute(_scoped(statement, flow_id, partner_code))
    }


def count_residents_by_partner(
    session: Session, *, flow_id: str | None, partner_code: str | None
) -> dict[str | None, int]:
    """Residents who started a conversation (of the flow), by the partner code they came
    through (None: no code)."""
    statement = (
        select(Participant.partner_code, func.count(func.distinct(Participant.id)))
        .join(Conversation, col(Conversation.participant_id) == Participant.id)
        .where(col(Participant.is_test).is_(False))
        .group_by(Participant.partner_code)
    )
    if flow_id:
        statement = statement.where(Conversation.flow_id == flow_id)
    if partner_code:
        statement = statement.where(Participant.partner_code == partner_code)
    return dict(session.execute(statement).all())
