"""Queries about the officers' codebook: themes, tagging answers with them, flagging answers.

A theme has an English name and, once an officer gives it, a Welsh one. Each is unique whatever
its case and across both languages ("Cost", "cost" and a Welsh name "Cost" are one theme), so
the codebook does not drift into near-duplicates and typing either name finds the theme; merging
two themes moves every tag, then deletes the first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, delete, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.runtime.refusal import RefusalError
from bot.store.models import Answer, AnswerTheme, Theme, ThemeNames

#: The longest theme name the table holds.
MAX_THEME_NAME = 80


class ThemeError(RefusalError):
    """The codebook cannot change that way; the message says why, in an officer's words."""


@dataclass(frozen=True)
class TagChange:
    """What tagging one answer changed, by theme name (for the audit log)."""

    added: list[str]
    removed: list[str]


def list_themes(session: Session) -> list[Theme]:
    """The whole codebook, by name."""
    return list(session.exec(select(Theme).order_by(func.lower(Theme.name), col(Theme.id))))


def theme_name(language: str) -> ColumnElement[str]:
    """The theme's name for a reader of `language`: in Welsh when it has a Welsh name."""
    if language == "cy":
        return func.coalesce(col(Theme.name_cy), col(Theme.name))
    return col(Theme.name)


def get_theme_by_name(session: Session, name: str) -> Theme | None:
    """The theme with this name, English or Welsh, in any case. The exact name is matched too:
    SQLite's lower() folds ASCII letters only, so 'Í' would otherwise slip past to the unique
    constraint."""
    cleaned = clean_theme_name(name)
    statement = select(Theme).where(
        or_(
            *(
                or_(column == cleaned, func.lower(column) == cleaned.lower())
                for column in (col(Theme.name), col(Theme.name_cy))
            )
        )
    )
    return session.exec(statement).first()


def clean_theme_name(name: str) -> str:
    """Collapse runs of spaces; theme names are short labels, not text."""
    return " ".join(name.split())


def _checked_name(session: Session, name: str, *, ignore_id: int | None = None) -> str:
    cleaned = clean_theme_name(name)
    if not cleaned:
        raise ThemeError("Enter a name for the theme.")
    if len(cleaned) > MAX_THEME_NAME:
        raise ThemeError("Theme names must be {limit} characters or fewer.", limit=MAX_THEME_NAME)
    existing = get_theme_by_name(session, cleaned)
    if existing is not None and existing.id != ignore_id:
        raise ThemeError("There is already a theme called “{name}”.", name=existing.name)
    return cleaned


def _checked_welsh(session: Session, name_cy: str, *, ignore_id: int | None = None) -> str | None:
    """A Welsh name checked like an English one; none given is none (the English shows)."""
    return _checked_name(session, name_cy, ignore_id=ignore_id) if name_cy.strip() else None


def add_theme(session: Session, name: str, name_cy: str = "") -> Theme:
    checked = _checked_name(session, name)
    theme = Theme(name=checked, name_cy=_one_welsh(checked, _checked_welsh(session, name_cy)))
    try:
        with session.begin_nested():
            session.add(theme)
            session.flush()
    except IntegrityError as error:  # another officer added the same name just now
        raise ThemeError("There is already a theme called “{name}”.", name=theme.name) from error
    return theme


def find_or_add_theme(session: Session, name: str) -> Theme:
    """The theme with this name (any case), added to the codebook if it is new."""
    return get_theme_by_name(session, name) or add_theme(session, name)


@dataclass(frozen=True)
class Renamed:
    """A theme's names before and after (for the audit log and the message)."""

    old: ThemeNames
    new: ThemeNames


def rename_theme(session: Session, theme_id: int, name: str, name_cy: str = "") -> Renamed:
    """Give a theme new names, English and Welsh; tags stay on their answers. An empty Welsh
    name takes the Welsh away (the English shows again)."""
    theme = get_theme(session, theme_id)
    old = theme.names
    theme.name = _checked_name(session, name, ignore_id=theme_id)
    theme.name_cy = _one_welsh(theme.name, _checked_welsh(session, name_cy, ignore_id=theme_id))
    session.add(theme)
    session.flush()
    return Renamed(old, theme.names)


def _one_welsh(name: str, welsh: str | None) -> str | None:
    """No Welsh name when it is the English one ("Data"): one name serves both."""
    return None if welsh is not None and welsh.casefold() == name.casefold() else welsh


@dataclass(frozen=True)
class Merged:
    """Which theme went into which, and how many answers gained the second (for the message)."""

    source: ThemeNames
    target: ThemeNames
    moved: int


def merge_themes(session: Session, from_id: int, into_id: int) -> Merged:
    """Move every tag from one theme to another (no answer tagged twice), then delete the first."""
    if not from_id or not into_id:
        raise ThemeError("Choose the theme to merge and the theme to merge it into.")
    if from_id == into_id:
        raise ThemeError("Choose two different themes to merge.")
    source, target = get_theme(session, from_id), get_theme(session, into_id)
    already = select(AnswerTheme.answer_id).where(AnswerTheme.theme_id == target.id)
    moved = session.execute(
        update(AnswerTheme)
        .where(col(AnswerTheme.theme_id) == source.id)
        .where(col(AnswerTheme.answer_id).not_in(already))
        .values(theme_id=target.id)
    ).rowcount
    session.execute(delete(AnswerTheme).where(col(AnswerTheme.theme_id) == source.id))
    session.execute(delete(Theme).where(col(Theme.id) == source.id))
    session.expunge(source)
    return Merged(source.names, target.names, moved)


def set_answer_themes(session: Session, answer_id: int, theme_ids: Iterable[int]) -> TagChange:
    """Make the answer's themes exactly `theme_ids` (unknown ids are ignored)."""
    if session.get(Answer, answer_id) is None:
        raise ThemeError("That answer no longer exists (the resident may have erased it).")
    names = {theme.id: theme.name for theme in list_themes(session)}
    wanted = {theme_id for theme_id in theme_ids if theme_id in names}
    current = set(
        session.exec(select(AnswerTheme.theme_id).where(AnswerTheme.answer_id == answer_id))
    )
    added, removed = wanted - current, current - wanted
    session.add_all(AnswerTheme(answer_id=answer_id, theme_id=theme_id) for theme_id in added)
    if removed:
        session.execute(
            delete(AnswerTheme)
            .where(col(AnswerTheme.answer_id) == answer_id)
            .where(col(AnswerTheme.theme_id).in_(removed))
        )
    session.flush()
    return TagChange(
        added=sorted(names[t] for t in added), removed=sorted(names[t] for t in removed)
    )


def set_answer_significant(session: Session, answer_id: int, significant: bool) -> bool:
    """Flag or unflag an answer as significant; False if there is no such answer."""
    result = session.execute(
        update(Answer).where(col(Answer.id) == answer_id).values(significant=significant)
    )
    return result.rowcount == 1


def get_theme(session: Session, theme_id: int) -> Theme:
    """The theme, or ThemeError saying it has gone (merged away while a page was open)."""
    theme = session.get(Theme, theme_id)
    if theme is None:
        raise ThemeError("That theme no longer exists: someone may have merged it.")
    return theme


def tag_answers(session: Session, answer_ids: Iterable[int], theme_id: int) -> int:
    """Add one theme to many answers; how many gained it (those already tagged are left)."""
    wanted = set(answer_ids)
    present = set(session.exec(select(Answer.id).where(col(Answer.id).in_(wanted))))
    tagged = set(
        session.exec(
            select(AnswerTheme.answer_id)
            .where(AnswerTheme.theme_id == theme_id)
            .where(col(AnswerTheme.answer_id).in_(present))
        )
    )
    new = sorted(present - tagged)
    session.add_all(AnswerTheme(answer_id=answer_id, theme_id=theme_id) for answer_id in new)
    session.flush()
    return len(new)


def untag_answers(session: Session, answer_ids: Iterable[int], theme_id: int) -> int:
    """Take one theme off many answers; how many had it."""
    result = session.execute(
        delete(AnswerTheme)
        .where(col(AnswerTheme.theme_id) == theme_id)
        .where(col(AnswerTheme.answer_id).in_(set(answer_ids)))
    )
    return result.rowcount


def set_answers_significant(session: Session, answer_ids: Iterable[int], significant: bool) -> int:
    """Flag or unflag many answers; how many changed."""
    result = session.execute(
        update(Answer)
        .where(col(Answer.id).in_(set(answer_ids)))
        .where(col(Answer.significant).is_(not significant))
        .values(significant=significant)
    )
    return result.rowcount
