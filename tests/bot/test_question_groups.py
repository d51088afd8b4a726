"""Grouping near-identical questions: the pairs that justify the thresholds, and the groups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.question_groups import group_questions, similar
from bot.store.question_inbox import WaitingKey

#: Asked in nearly the same words: one answer fits both.
SAME = [
    ("When will the scheme start?", "when will the scheme start"),
    ("Will my landlord be told?", "will my landlord be told??"),
    ("Who will see my data?", "who will see my data please?"),
    ("how do i get a grant", "How can I get a grant?"),
    ("Pwy sy'n gweld fy nata?", "pwy syn gweld fy nata"),
    ("Pryd fydd y cyngor yn penderfynu?", "pryd fydd y Cyngor yn penderfynu"),
    ("Is my boiler going to be checked?", "is my boiler going to be checked"),
]
#: Alike on the surface, asking different things: one answer would be wrong for one of them.
DIFFERENT = [
    ("When will the scheme start?", "When will the scheme end?"),
    ("Will my landlord be told?", "Will my neighbour be told?"),
    ("Will it cost me?", "Will it cost me money and who will see my data?"),
    ("What?", "What is a smart meter?"),
    ("Who will see my data?", "Who will delete my data?"),
    ("how do i get a grant", "how do i get a boiler check"),
    ("Can I opt out?", "Can I opt in?"),
    ("when will you decide?", "when will you text me?"),
    ("Pryd fydd y cynllun yn dechrau?", "When will the scheme start?"),  # a translation
]


@pytest.mark.parametrize(("first", "second"), SAME)
def test_near_identical_questions_group(first: str, second: str) -> None:
    assert similar(first, second)
    assert similar(second, first)


@pytest.mark.parametrize(("first", "second"), DIFFERENT)
def test_questions_asking_different_things_stay_apart(first: str, second: str) -> None:
    assert not similar(first, second)
    assert not similar(second, first)


def key(question_id: int, text: str, *, flow: str = "energy-data", language: str = "en"):
    created = datetime(2026, 12, 1, tzinfo=UTC) + timedelta(hours=question_id)
    return WaitingKey(question_id, flow, created, text, language, overdue=question_id == 1)


def test_groups_keep_the_order_of_their_first_question_and_stay_within_a_flow() -> None:
    keys = [
        key(1, "When will the scheme start?"),
        key(2, "Can I opt out?"),
        key(3, "when will the scheme start", language="cy"),
        key(4, "When will the scheme start?", flow="welcome"),
        key(5, "WHEN will the scheme start!!"),
    ]
    groups = group_questions(keys)
    assert [group.ids for group in groups] == [(1, 3, 5), (2,), (4,)]
    assert groups[0].languages == frozenset({"en", "cy"})
    assert groups[0].overdue
    assert not groups[1].overdue


def test_a_chain_of_small_differences_does_not_join_unlike_ends() -> None:
    keys = [
        key(1, "how do i get a grant"),
        key(2, "How can I get a grant?"),
        key(3, "How can I get a boiler grant?"),
    ]
    assert [group.ids for group in group_questions(keys)] == [(1, 2), (3,)]
