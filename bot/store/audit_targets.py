"""What the audit log's targets point at now, so a page of the log can name them in words.

An entry's target is `kind:id` (`participant:7`, `answer:12`, `user:3`). For the ids one page
shows, this finds in one query per kind which residents are still held (an erased resident's
entries keep their id, with nothing left to open), whose answers and questions the others are,
and the accounts' and themes' names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select
from sqlmodel import Session, col, select

from bot.store.models import Answer, Participant, Question, Theme, ThemeNames, User


@dataclass(frozen=True)
class TargetRows:
    """The rows a page of the log names, as they are now; an id missing here has gone."""

    residents: set[int] = field(default_factory=set)
    #: Answer id -> the resident it belongs to; the same for questions.
    answers: dict[int, int] = field(default_factory=dict)
    questions: dict[int, int] = field(default_factory=dict)
    #: Account id -> (name, email).
    users: dict[int, tuple[str, str]] = field(default_factory=dict)
    themes: dict[int, ThemeNames] = field(default_factory=dict)


def _ids_by_kind(targets: Iterable[str]) -> dict[str, set[int]]:
    found: dict[str, set[int]] = defaultdict(set)
    for target in targets:
        kind, _, row = target.partition(":")
        if row.isascii() and row.isdigit() and len(row) <= 10:
            found[kind].add(int(row))
    return found


def find_target_rows(session: Session, targets: Iterable[str]) -> TargetRows:
    """The rows behind these targets: one small query for each kind the page names."""
    ids = _ids_by_kind(targets)

    def found(kind: str, statement: Select) -> list[Any]:
        return list(session.exec(statement)) if ids[kind] else []

    answers = select(Answer.id, Answer.participant_id).where(col(Answer.id).in_(ids["answer"]))
    asked = select(Question.id, Question.participant_id)
    residents = select(Participant.id).where(col(Participant.id).in_(ids["participant"]))
    users = select(User.id, User.name, User.email).where(col(User.id).in_(ids["user"]))
    themes = select(Theme).where(col(Theme.id).in_(ids["theme"]))
    return TargetRows(
        residents=set(found("participant", residents)),
        answers=dict(found("answer", answers)),
        questions=dict(found("question", asked.where(col(Question.id).in_(ids["question"])))),
        users={uid: (name, email) for uid, name, email in found("user", users)},
        themes={theme.id or 0: theme.names for theme in found("theme", themes)},
    )
