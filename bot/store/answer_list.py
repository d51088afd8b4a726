"""Queries for the hopes, fears and feedback page: residents' open answers, filtered and paged.

A page of answers takes three queries whatever its length (count, rows, their themes), and the
theme counts one more. A text search is a condition like the others: the words' keyed hashes
are matched beside the sealed texts (bot/store/search.py), so nothing is decrypted but the page.
Test conversations (the simulator's) are left out, like every figure.
Skips ("skipped" rows, no words) are never listed; rows an officer marked "not an answer" or
re-filed as a question are listed only when asked for, and never counted under a theme.
Texts are listed with contact details redacted (bot.runtime.redaction): the transcript alone
shows them in full.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import case, exists, func
from sqlmodel import Session, col, select

from bot.runtime.crypto import Vault
from bot.runtime.redaction import redact
from bot.store.models import Answer, AnswerTheme, Participant, Question, Theme, ThemeNames
from bot.store.search import NO_SEARCH, Search, words_match
from bot.store.themes import theme_name

#: Answers in a resident's own words; "unexpected" is free text sent where a choice was asked,
#: "reaction" what a resident said at an explanation.
OPEN_KINDS = ("hope", "fear", "feedback", "experience", "other", "unexpected", "reaction")


@dataclass(frozen=True)
class AnswerFilter:
    """Every filter combines with every other; the defaults list every answer."""

    kind: str | None = None
    flow_id: str | None = None
    step_id: str | None = None
    theme_id: int | None = None
    significant_only: bool = False
    #: Residents who came through this partner's code.
    partner_code: str | None = None
    #: Listed for a partner: no link back to the resident.
    anonymised: bool = False
    #: answer (the default), not_an_answer or question: how an officer filed them.
    filed_as: str = "answer"
    #: Words that must all be in the text, in any form (bot/store/search.py).
    search: Search = NO_SEARCH
    #: cy or en: the resident's language.
    language: str | None = None
    #: Answered on or after `since`, and before `until` (UTC).
    since: datetime | None = None
    until: datetime | None = None
    #: Only answers that raised a question for an officer.
    with_question: bool = False
    #: Only answers where the resident left contact details.
    with_contact_details: bool = False


@dataclass(frozen=True)
class ListedAnswer:
    id: int
    kind: str
    flow_id: str
    step_id: str
    created_at: datetime
    significant: bool
    filed_as: str
    #: Phone numbers, emails, postcodes and addresses replaced by labels
    text: str
    #: The resident left contact details (stored flag, or found in the text)
    contact_details: bool
    #: (theme id, name), by name
    themes: tuple[tuple[int, str], ...]
    #: None when listed for a partner (anonymised)
    participant_id: int | None


@dataclass(frozen=True)
class AnswerPage:
    answers: list[ListedAnswer]
    total: int


@dataclass(frozen=True)
class ThemeCount:
    theme_id: int
    names: ThemeNames
    answers: int
    significant: int


def answer_conditions(filters: AnswerFilter) -> list[Any]:
    """Conditions on Answer joined to its Participant: the answers `filters` lists. Also what
    theme suggestions and the charts count, so every page agrees on what an answer is."""
    kinds = (filters.kind,) if filters.kind in OPEN_KINDS else OPEN_KINDS
    conditions: list[Any] = [
        col(Answer.kind).in_(kinds),
        col(Answer.filed_as) == filters.filed_as,
        col(Participant.is_test).is_(False),
    ]
    if filters.flow_id:
        conditions.append(Answer.flow_id == filters.flow_id)
    if filters.partner_code:
        conditions.append(Participant.partner_code == filters.partner_code)
    if filters.significant_only:
        conditions.append(col(Answer.significant).is_(True))
    if filters.theme_id is not None:
        tagged = select(AnswerTheme.answer_id).where(AnswerTheme.theme_id == filters.theme_id)
        conditions.append(col(Answer.id).in_(tagged))
    if filters.step_id:
        conditions.append(Answer.step_id == filters.step_id)
    if filters.language:
        conditions.append(Participant.language == filters.language)
    if filters.since is not None:
        conditions.append(col(Answer.created_at) >= filters.since)
    if filters.until is not None:
        conditions.append(col(Answer.created_at) < filters.until)
    if filters.with_question:
        conditions.append(exists().where(Question.answer_id == Answer.id))
    if filters.with_contact_details:
        conditions.append(col(Answer.contact_details).is_(True))
    conditions += words_match(Answer.words, filters.search)
    return conditions


def list_open_answers(
    session: Session,
    vault: Vault,
    filters: AnswerFilter,
    *,
    limit: int,
    offset: int,
    language: str = "en",
) -> AnswerPage:
    """Significant answers first, then newest first; texts decrypted and redacted with labels
    in `language` (the reader's), themes attached."""
    conditions = answer_conditions(filters)
    total = session.exec(
        select(func.count())
        .select_from(Answer)
        .join(Participant, col(Participant.id) == Answer.participant_id)
        .where(*conditions)
    ).one()
    rows = session.exec(
        select(Answer)
        .join(Participant, col(Participant.id) == Answer.participant_id)
        .where(*conditions)
        .order_by(
            col(Answer.significant).desc(), col(Answer.created_at).desc(), col(Answer.id).desc()
        )
        .offset(offset)
        .limit(limit)
    ).all()
    themes = _themes_of(session, [row.id for row in rows if row.id is not None], language)
    answers = []
    for row in rows:
        redaction = redact(vault.open(row.text_encrypted), language)
        answers.append(
            ListedAnswer(
                id=row.id or 0,
                kind=row.kind,
                flow_id=row.flow_id,
                step_id=row.step_id,
                created_at=row.created_at,
                significant=row.significant,
                filed_as=row.filed_as,
                text=redaction.text,
                contact_details=row.contact_details or redaction.contact_details,
                themes=tuple(themes.get(row.id or 0, ())),
                participant_id=None if filters.anonymised else row.participant_id,
            )
        )
    return AnswerPage(answers, total)


def list_matching_answer_ids(session: Session, filters: AnswerFilter, *, limit: int) -> list[int]:
    """The ids of up to `limit` answers the filters list, in the page's order: what a bulk
    action "on every answer matching these filters" acts on."""
    statement = (
        select(Answer.id)
        .join(Participant, col(Participant.id) == Answer.participant_id)
        .where(*answer_conditions(filters))
        .order_by(col(Answer.significant).desc(), col(Answer.created_at).desc())
        .limit(limit)
    )
    return [answer_id for answer_id in session.exec(statement) if answer_id is not None]


def _themes_of(
    session: Session, answer_ids: list[int], language: str
) -> dict[int, list[tuple[int, str]]]:
    """Each answer's (theme id, name in `language`), alphabetical."""
    if not answer_ids:
        return {}
    name = theme_name(language)
    statement = (
        select(AnswerTheme.answer_id, Theme.id, name)
        .join(Theme, col(Theme.id) == AnswerTheme.theme_id)
        .where(col(AnswerTheme.answer_id).in_(answer_ids))
        .order_by(func.lower(name))
    )
    found: dict[int, list[tuple[int, str]]] = {}
    for answer_id, theme_id, name in session.exec(statement):
        found.setdefault(answer_id, []).append((theme_id or 0, name))
    return found


def count_answer_themes(session: Session, filters: AnswerFilter) -> list[ThemeCount]:
    """Every theme with how many matching answers carry it, and how many of those are significant.

    The theme filter itself is ignored here: counts are across all themes of the other filters.
    Only answers count, whichever filing is listed: a marked row is not what residents said.
    """
    matching = (
        select(Answer.id, Answer.significant)
        .join(Participant, col(Participant.id) == Answer.participant_id)
        .where(*answer_conditions(replace(filters, theme_id=None, filed_as="answer")))
        .subquery()
    )
    per_theme = (
        select(
            AnswerTheme.theme_id,
            func.count().label("answers"),
            func.sum(case((matching.c.significant, 1), else_=0)).label("significant"),
        )
        .join(matching, matching.c.id == AnswerTheme.answer_id)
        .group_by(col(AnswerTheme.theme_id))
        .subquery()
    )
    statement = (
        select(
            Theme.id,
            Theme.name,
            Theme.name_cy,
            func.coalesce(per_theme.c.answers, 0),
            func.coalesce(per_theme.c.significant, 0),
        )
        .outerjoin(per_theme, per_theme.c.theme_id == Theme.id)
        .order_by(func.coalesce(per_theme.c.answers, 0).desc(), func.lower(Theme.name))
    )
    return [
        ThemeCount(theme_id or 0, ThemeNames(name, name_cy), int(answers), int(significant))
        for theme_id, name, name_cy, answers, significant in session.exec(statement)
    ]


def count_significant_answers(session: Session) -> int:
    """Answers officers flagged as significant (real residents', filed as answers)."""
    statement = (
        select(func.count())
        .select_from(Answer)
        .join(Participant, col(Participant.id) == Answer.participant_id)
        .where(col(Answer.significant).is_(True), col(Answer.filed_as) == "answer")
        .where(col(Participant.is_test).is_(False))
    )
    return session.exec(statement).one()
