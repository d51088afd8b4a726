"""The questions inbox as officers page through it: waiting questions, near-identical ones
together, overdue first, a page of groups at a time.

Grouping reads every waiting question that matches the filters (their words are sealed, so the
database cannot compare them), then only the page's questions are read in full with their
threads: a page is the same few queries however many questions wait.
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


@dataclass(frozen=True)
class ListedGroup:
    """One waiting question, or near-identical ones answered together."""

    questions: tuple[InboxQuestion, ...]
    #: The answers the officer writes for them: ("cy",), ("en",), ("",) or ("cy", "en").
    languages: tuple[str, ...]
    overdue: bool

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(question.id for question in self.questions)


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
    ids = [question_id for group in shown for question_id in group.ids]
    found = {
        question.id: question
        for question in list_open_questions(session, vault, ids=ids, language=language)
    }
    listed = []
    for group in shown:
        questions = tuple(found[question_id] for question_id in group.ids if question_id in found)
        if questions:
            languages = answer_languages(question.language for question in questions)
            listed.append(ListedGroup(questions, languages, group.overdue))
    return WaitingPage(listed, len(groups))
