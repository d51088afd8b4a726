"""The public response to a flow: what the council heard, what it decided, and why.

The seeds ask councils to "publish clear responses to points raised … what decision has been
reached, and the reasoning behind it". Officers write, for each theme of the codebook, in
Welsh and English, what was heard (beside the theme's counts, with up to MAX_QUOTES residents'
answers picked as quotes), the decision and the reasoning, plus a short overall summary. They
save a draft as often as they like; publishing checks that every part begun is written in both
languages, takes the figures as they are that moment, and copies the draft to the published
version, the only one the public page reads. Editing after that changes the draft alone.

Quotes are kept as answer ids and redacted whenever they are shown, so no resident's words are
ever stored in clear here, and an erased resident's quote is simply gone. The text message
"you said, we did" is drafted from the published summary (bot/core/response_text.py); the
figures are counted in bot/core/response_figures.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.core.response_figures import ResponseFigures, ThemeFigure, figures_now
from bot.runtime.crypto import Vault
from bot.runtime.refusal import RefusalError
from bot.store.db import UnitOfWork
from bot.store.responses import (
    DRAFT,
    PARTS,
    PUBLISHED,
    Bilingual,
    Quote,
    ResponseVersion,
    ThemeWords,
    find_quotable_picks,
    get_response,
    list_quote_choices,
    read_quotes,
    save_response,
)

#: Quotes an officer may pick under one theme.
MAX_QUOTES = 3
#: The longest overall summary: a few sentences, which the text message is drafted from.
MAX_SUMMARY = 600
#: The longest of what was heard, decided or why, for one theme in one language.
MAX_PART = 3000
#: Answers offered as quotes under each theme on the officers' page.
QUOTE_CHOICES = 12


class ResponseError(RefusalError):
    """The response cannot be saved or published as it is; the message says why."""


@dataclass(frozen=True)
class Problem:
    """One thing to put right before a response is saved or published, and where it is.

    `theme_id` None is the overall summary; `part` is summary, heard, decision, reasoning or
    quotes; `kind` is missing (not written in `language`), too_long (`length` over `limit`) or
    too_many (quotes over `limit`). The admin says it in the officer's words.
    """

    theme_id: int | None
    part: str
    kind: str
    language: str | None = None
    limit: int = 0
    length: int = 0


class ResponseProblemsError(ResponseError):
    """Everything to put right at once, each with its place."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("Put right what is marked, then try again.")
        self.problems = problems


def _length_problems(summary: Bilingual, themes: Mapping[int, ThemeWords]) -> list[Problem]:
    problems = []
    for theme_id, part, words, limit in [
        (None, "summary", summary, MAX_SUMMARY),
        *(
            (theme_id, name, theme.part(name), MAX_PART)
            for theme_id, theme in themes.items()
            for name in PARTS
        ),
    ]:
        for language in ("cy", "en"):
            length = len(words.in_(language).strip())
            if length > limit:
                problems.append(Problem(theme_id, part, "too_long", language, limit, length))
    problems += [
        Problem(theme_id, "quotes", "too_many", limit=MAX_QUOTES, length=len(theme.quotes))
        for theme_id, theme in themes.items()
        if len(theme.quotes) > MAX_QUOTES
    ]
    return problems


def save_draft(
    session: UnitOfWork,
    flow_id: str,
    summary: Bilingual,
    themes: Mapping[int, ThemeWords],
    *,
    user_id: int | None,
    now: datetime,
) -> ResponseVersion:
    """Save what the officer wrote as the flow's draft, whatever is still missing; refused
    (ResponseProblemsError) only for a part too long or too many quotes. Picks that are not this
    flow's answers tagged with that theme (or no longer stand) are dropped."""
    cleaned = {
        theme_id: ThemeWords(
            *(_tidy(theme.part(name)) for name in PARTS), quotes=tuple(dict.fromkeys(theme.quotes))
        )
        for theme_id, theme in themes.items()
    }
    problems = _length_problems(_tidy(summary), cleaned)
    if problems:
        raise ResponseProblemsError(problems)
    picks = [(theme_id, answer) for theme_id, theme in cleaned.items() for answer in theme.quotes]
    allowed = find_quotable_picks(session, flow_id, picks)
    kept = {
        theme_id: replace(theme, quotes=tuple(a for a in theme.quotes if (theme_id, a) in allowed))
        for theme_id, theme in cleaned.items()
    }
    draft = ResponseVersion(
        flow_id,
        DRAFT,
        _tidy(summary),
        {theme_id: theme for theme_id, theme in kept.items() if not theme.blank},
    )
    save_response(session, draft, now=now, user_id=user_id)
    return draft


def _tidy(words: Bilingual) -> Bilingual:
    """Line endings made one kind and the ends trimmed: what the officer meant, no more."""
    return Bilingual(
        *(words.in_(language).replace("\r\n", "\n").strip() for language in ("cy", "en"))
    )


def find_gaps(version: ResponseVersion) -> list[Problem]:
    """What must be written before publishing: the summary, and every part of each theme the
    officer began (a theme left blank is left off the page), in both languages."""
    gaps = [
        Problem(None, "summary", "missing", language)
        for language in ("cy", "en")
        if not version.summary.in_(language)
    ]
    for theme_id, theme in version.themes.items():
        gaps += [
            Problem(theme_id, name, "missing", language)
            for name in PARTS
            for language in ("cy", "en")
            if not theme.part(name).in_(language).strip()
        ]
    return gaps


def publish(
    session: UnitOfWork, flow_id: str, *, user_id: int | None, now: datetime
) -> ResponseVersion:
    """Make the saved draft what the public sees, with the figures as they are now."""
    draft = get_response(session, flow_id, DRAFT)
    if draft is None:
        raise ResponseError("Save the response before publishing it.")
    gaps = find_gaps(draft)
    if gaps:
        raise ResponseProblemsError(gaps)
    figures = figures_now(session, flow_id).as_json(set(draft.themes))
    published = replace(draft, stage=PUBLISHED, figures=figures)
    save_response(session, published, now=now, user_id=user_id)
    return published


@dataclass(frozen=True)
class ThemeSection:
    """One theme as a page shows it: its counts, what was written, and the quotes that stand."""

    figure: ThemeFigure
    words: ThemeWords
    quotes: list[Quote]


@dataclass(frozen=True)
class ResponsePage:
    """A flow's published response, ready to draw in one language."""

    flow_id: str
    summary: Bilingual
    figures: ResponseFigures
    sections: list[ThemeSection]
    published_at: datetime | None


def read_published(
    session: UnitOfWork, vault: Vault, flow_id: str, language: str
) -> ResponsePage | None:
    """The published response with its quotes redacted in `language`; None if never published."""
    version = get_response(session, flow_id, PUBLISHED)
    if version is None:
        return None
    figures = ResponseFigures.from_json(version.figures)
    quotes = read_quotes(session, vault, _quote_ids(version), language)
    sections = [
        ThemeSection(
            figure,
            version.themes[theme_id],
            [quotes[a] for a in version.themes[theme_id].quotes if a in quotes],
        )
        for theme_id, figure in figures.themes.items()
        if theme_id in version.themes
    ]
    return ResponsePage(flow_id, version.summary, figures, sections, version.updated_at)


def _quote_ids(version: ResponseVersion) -> set[int]:
    return {answer for theme in version.themes.values() for answer in theme.quotes}


@dataclass(frozen=True)
class Workbench:
    """Everything the officers' page shows for one flow's response."""

    draft: ResponseVersion
    published: ResponseVersion | None
    figures: ResponseFigures
    #: By theme id: the answers offered as quotes, picked ones first (those that still stand).
    choices: dict[int, list[Quote]]
    #: The themes the page lists: those with answers in this flow, or with words in the draft.
    theme_ids: list[int] = field(default_factory=list)

    @property
    def changed_since_publishing(self) -> bool:
        return self.published is not None and not self.draft.same_words_as(self.published)


def read_workbench(session: UnitOfWork, vault: Vault, flow_id: str, language: str) -> Workbench:
    """The draft (empty until first saved), the published version, the live figures, and each
    theme's quotes to pick from, redacted in `language`."""
    published = get_response(session, flow_id, PUBLISHED)
    draft = get_response(session, flow_id, DRAFT) or ResponseVersion(flow_id, DRAFT)
    figures = figures_now(session, flow_id)
    offered = list_quote_choices(session, vault, flow_id, language, per_theme=QUOTE_CHOICES)
    picked = read_quotes(session, vault, _quote_ids(draft), language)
    choices = {}
    theme_ids = [
        theme_id
        for theme_id, figure in figures.themes.items()
        if figure.answers or theme_id in draft.themes
    ]
    for theme_id in theme_ids:
        chosen = draft.themes.get(theme_id, ThemeWords()).quotes
        first = [picked[a] for a in chosen if a in picked]
        rest = [q for q in offered.get(theme_id, []) if q.answer_id not in chosen]
        choices[theme_id] = first + rest
    return Workbench(draft, published, figures, choices, theme_ids)
