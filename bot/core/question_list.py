"""The questions inbox as officers page through it: waiting questions, near-identical ones
together, overdue first, a page of groups at a time.

Grouping reads every waiting question that matches the filters (their words are sealed, so the
database cannot compare them), then only the page's questions are read in full with their
threads: a page is the same few queries however many questions wait. A group of hundreds (one
question everyone asks) shows its first few, and one in each language it needs an answer in,
while its answer still goes to every one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.question_groups import QuestionGroup, group_questions
from bot.core.questions import answer_languages
from bot.core.reply_times import reply_cutoffs
from bot.flowspec.model import FlowLibrary
from bot.runtime.crypto import Vault
from bot.store.db import UnitOfWork
from bot.store.question_filters import QuestionFilter
from bot.store.question_inbox import InboxQuestion, list_open_questions, list_waiting_keys

#: Questions of a group shown in full; the rest are counted.
SHOWN_PER_GROUP = 5


@dataclass(frozen=True)
class ListedGroup:
    """One waiting question, or near-identical ones answered together."""

    #: Every question of the group, oldest first: the answer goes to each.
    ids: tuple[int, ...]
    #: Those shown in full: the first few, and the first in each language.
    questions: tuple[InboxQuestion, ...]
    #: The answers the officer writes for them: ("cy",), ("en",), ("",) or ("cy", "en").
    languages: tuple[str, ...]
    overdue: bool

    @property
    def unshown(self) -> int:
        return len(self.ids) - len(self.questions)


@dataclass(frozen=True)
class WaitingPage:
    groups: list[ListedGroup]
    #: Groups (or questions, listed one by one) across every page.
    total_groups: int


def waiting_page(
    session: UnitOfWork,
    vault: Vault,
    library: FlowLibrary,
    filters: QuestionFilter,
    now: datetime,
    *,
    page: int,
    size: int,
    together: bool = True,
    language: str = "en",
) -> WaitingPage:
    """Page `page` (from 1) of `size` groups; `together=False` lists each question alone."""
    keys = list_waiting_keys(session, vault, filters, reply_cutoffs(library, now))
    groups = (
        group_questions(keys)
        if together
        else [
            QuestionGroup((key.id,), key.flow_id, frozenset({key.language}), key.overdue)
            for key in keys
        ]
    )
    shown = groups[(page - 1) * size : page * size]
    language_of = {key.id: key.language for key in keys}
    samples = {group.ids: _samples(group, language_of) for group in shown}
    ids = [question_id for group in shown for question_id in samples[group.ids]]
    found = {
        question.id: question
        for question in list_open_questions(session, vault, ids=ids, language=language)
    }
    listed = []
    for group in shown:
        questions = tuple(found[n] for n in samples[group.ids] if n in found)
        if questions:
            languages = answer_languages(language_of[n] for n in group.ids)
            listed.append(ListedGroup(group.ids, questions, languages, group.overdue))
    return WaitingPage(listed, len(groups))


def _samples(group: QuestionGroup, language_of: dict[int, str | None]) -> list[int]:
    """The group's questions read in full: the first few, and the first in each language
    (the answer boxes show one resident's question per language)."""
    chosen = list(group.ids[:SHOWN_PER_GROUP])
    for language in group.languages:
        if not any(language_of[n] == language for n in chosen):
            chosen.append(next(n for n in group.ids if language_of[n] == language))
    return sorted(chosen, key=group.ids.index)
