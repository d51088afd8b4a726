"""Queries for a flow's public response: its two versions (draft, published) and their quotes.

A version is written whole: saving replaces every row of that flow and stage, so a draft is
always exactly what the officer last saved, and publishing copies it (bot/core/responses.py).
Quotes are answer ids; their words are opened and redacted here each time they are read,
and only answers that still stand are returned (real residents' answers, filed as answers):
an erased resident's answer, or one filed away since, simply drops out.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from bot.runtime.crypto import Vault
from bot.runtime.redaction import redact
from bot.store.answer_list import OPEN_KINDS
from bot.store.models import (
    Answer,
    AnswerTheme,
    Participant,
    PublicResponse,
    PublicResponseQuote,
    PublicResponseTheme,
)

DRAFT, PUBLISHED = "draft", "published"
#: What an officer writes for each theme, in the order the page asks for it.
PARTS = ("heard", "decision", "reasoning")


@dataclass(frozen=True)
class Bilingual:
    """Words an officer wrote in Welsh and English (either may still be empty in a draft)."""

    cy: str = ""
    en: str = ""

    def in_(self, language: str) -> str:
        return self.cy if language == "cy" else self.en

    @property
    def blank(self) -> bool:
        return not self.cy.strip() and not self.en.strip()


@dataclass(frozen=True)
class ThemeWords:
    """One theme's part of a response: what was heard, decided and why, and the quotes picked
    (answer ids, in order)."""

    heard: Bilingual = Bilingual()
    decision: Bilingual = Bilingual()
    reasoning: Bilingual = Bilingual()
    quotes: tuple[int, ...] = ()

    def part(self, name: str) -> Bilingual:
        words: Bilingual = getattr(self, name)
        return words

    @property
    def blank(self) -> bool:
        return all(self.part(name).blank for name in PARTS) and not self.quotes


@dataclass(frozen=True)
class ResponseVersion:
    """A flow's response as one stage holds it."""

    flow_id: str
    stage: str
    summary: Bilingual = Bilingual()
    #: By theme id; themes with nothing written are not kept.
    themes: dict[int, ThemeWords] = field(default_factory=dict)
    #: Counts taken at publishing (bot/core/responses.py); empty for a draft.
    figures: dict[str, Any] = field(default_factory=dict)
    updated_at: datetime | None = None

    def same_words_as(self, other: ResponseVersion | None) -> bool:
        """True when `other` says exactly this (figures and times aside)."""
        return other is not None and self.summary == other.summary and self.themes == other.themes


@dataclass(frozen=True)
class Quote:
    """A resident's answer as it may be shown: contact details replaced by labels."""

    answer_id: int
    text: str
    #: The resident's language, so the page can mark the quote's (None: never chosen).
    language: str | None
    kind: str
    significant: bool


def get_response(session: Session, flow_id: str, stage: str) -> ResponseVersion | None:
    """The flow's response at `stage`, or None when it has never been saved (published)."""
    row = session.get(PublicResponse, (flow_id, stage))
    if row is None:
        return None
    picked: dict[int, list[int]] = {}
    quotes = (
        select(PublicResponseQuote.theme_id, PublicResponseQuote.answer_id)
        .where(PublicResponseQuote.flow_id == flow_id, PublicResponseQuote.stage == stage)
        .order_by(col(PublicResponseQuote.position), col(PublicResponseQuote.answer_id))
    )
    for theme_id, answer_id in session.exec(quotes):
        picked.setdefault(theme_id, []).append(answer_id)
    themes = {}
    statement = select(PublicResponseTheme).where(
        PublicResponseTheme.flow_id == flow_id, PublicResponseTheme.stage == stage
    )
    for theme in session.exec(statement):
        themes[theme.theme_id] = ThemeWords(
            *(
                Bilingual(getattr(theme, f"{name}_cy"), getattr(theme, f"{name}_en"))
                for name in PARTS
            ),
            quotes=tuple(picked.get(theme.theme_id, ())),
        )
    return ResponseVersion(
        flow_id=flow_id,
        stage=stage,
        summary=Bilingual(row.summary_cy, row.summary_en),
        themes=themes,
        figures=dict(row.figures),
        updated_at=row.updated_at,
    )


def save_response(
    session: Session,
    version: ResponseVersion,
    *,
    now: datetime,
    user_id: int | None,
) -> None:
    """Make the flow's `version.stage` exactly `version`: every earlier row of it goes."""
    key = (version.flow_id, version.stage)
    for table in (PublicResponseQuote, PublicResponseTheme):
        session.execute(
            delete(table).where(col(table.flow_id) == key[0], col(table.stage) == key[1])
        )
    row = session.get(PublicResponse, key) or PublicResponse(flow_id=key[0], stage=key[1])
    row.summary_cy, row.summary_en = version.summary.cy, version.summary.en
    row.figures, row.updated_at, row.updated_by = version.figures, now, user_id
    session.add(row)
    for theme_id, words in version.themes.items():
        if words.blank:
            continue
        texts = {
            f"{name}_{language}": words.part(name).in_(language)
            for name in PARTS
            for language in ("cy", "en")
        }
        session.add(PublicResponseTheme(flow_id=key[0], stage=key[1], theme_id=theme_id, **texts))
        session.add_all(
            PublicResponseQuote(
                flow_id=key[0], stage=key[1], theme_id=theme_id, answer_id=answer, position=n
            )
            for n, answer in enumerate(words.quotes)
        )
    session.flush()


def list_response_stages(session: Session) -> dict[str, dict[str, datetime]]:
    """Each flow with a response: when each of its stages was last saved."""
    found: dict[str, dict[str, datetime]] = {}
    statement = select(PublicResponse.flow_id, PublicResponse.stage, PublicResponse.updated_at)
    for flow_id, stage, updated_at in session.exec(statement):
        found.setdefault(flow_id, {})[stage] = updated_at
    return found


def _quotable() -> list[Any]:
    """Answers that may be quoted: real residents' words, filed as answers."""
    return [
        col(Answer.kind).in_(OPEN_KINDS),
        col(Answer.filed_as) == "answer",
        col(Participant.is_test).is_(False),
    ]


def _quote(vault: Vault, answer: Answer, resident_language: str | None, language: str) -> Quote:
    return Quote(
        answer_id=answer.id or 0,
        text=redact(vault.open(answer.text_encrypted), language).text,
        language=resident_language,
        kind=answer.kind,
        significant=answer.significant,
    )


def read_quotes(
    session: Session, vault: Vault, answer_ids: Collection[int], language: str
) -> dict[int, Quote]:
    """These answers, redacted with labels in `language`, by id; those that no longer stand
    (erased, filed away, a test's) are left out."""
    if not answer_ids:
        return {}
    statement = (
        select(Answer, Participant.language)
        .join(Participant, col(Participant.id) == Answer.participant_id)
        .where(col(Answer.id).in_(list(answer_ids)), *_quotable())
    )
    return {
        answer.id or 0: _quote(vault, answer, resident, language)
        for answer, resident in session.exec(statement)
    }


def list_quote_choices(
    session: Session, vault: Vault, flow_id: str, language: str, *, per_theme: int
) -> dict[int, list[Quote]]:
    """For each theme, up to `per_theme` of the flow's answers tagged with it, significant
    first and then newest, redacted: the quotes an officer may pick from. One query."""
    rank = (
        func.row_number()
        .over(
            partition_by=AnswerTheme.theme_id,
            order_by=(
                col(Answer.significant).desc(),
                col(Answer.created_at).desc(),
                col(Answer.id).desc(),
            ),
        )
        .label("rank")
    )
    ranked = (
        select(AnswerTheme.theme_id, AnswerTheme.answer_id, rank)
        .join(Answer, col(Answer.id) == AnswerTheme.answer_id)
        .join(Participant, col(Participant.id) == Answer.participant_id)
        .where(Answer.flow_id == flow_id, *_quotable())
        .subquery()
    )
    statement = (
        select(ranked.c.theme_id, Answer, Participant.language)
        .join(Answer, col(Answer.id) == ranked.c.answer_id)
        .join(Participant, col(Participant.id) == Answer.participant_id)
        .where(ranked.c.rank <= per_theme)
        .order_by(ranked.c.theme_id, ranked.c.rank)
    )
    choices: dict[int, list[Quote]] = {}
    for theme_id, answer, resident in session.exec(statement):
        choices.setdefault(theme_id, []).append(_quote(vault, answer, resident, language))
    return choices


def find_quotable_picks(
    session: Session, flow_id: str, picks: Iterable[tuple[int, int]]
) -> set[tuple[int, int]]:
    """Which (theme id, answer id) picks are the flow's answers tagged with that theme and
    still quotable: what a saved draft may keep."""
    wanted = set(picks)
    if not wanted:
        return set()
    statement = (
        select(AnswerTheme.theme_id, AnswerTheme.answer_id)
        .join(Answer, col(Answer.id) == AnswerTheme.answer_id)
        .join(Participant, col(Participant.id) == Answer.participant_id)
        .where(
            Answer.flow_id == flow_id,
            col(AnswerTheme.answer_id).in_({answer for _theme, answer in wanted}),
            *_quotable(),
        )
    )
    return {(theme, answer) for theme, answer in session.exec(statement)} & wanted
