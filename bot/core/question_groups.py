"""Near-identical waiting questions of one flow, put together so an officer answers them once.

Residents ask the same thing in nearly the same words ("when will the scheme start?", "When
will the scheme start"). Two questions group when their folded words (case, accents and
punctuation gone: the engine's `fold`) are near-identical by two measures at once:

- rapidfuzz's token_set_ratio >= SET_THRESHOLD: the same words, in any order;
- token_sort_ratio >= SORT_THRESHOLD: and not one short question inside a longer one, which
  token_set_ratio alone scores 100 ("Will it cost me?" in "Will it cost me money and who
  will see my data?").

Both thresholds come from tests/bot/test_question_groups.py, a list of pairs that must and must
not group: they hold "how do I get a grant" with "How can I get a grant?" and keep apart
"...start?" from "...end?" and "opt out" from "opt in". Wrongly grouped questions would get a
wrong answer, so the rule is strict: a question that only resembles another is listed alone.

Grouping is by leader: each question, oldest (or most overdue) first, joins the first group
whose first question it matches, so a chain of small differences never joins two unlike ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.engine.matching import fold
from bot.store.question_inbox import WaitingKey

SET_THRESHOLD = 90.0
SORT_THRESHOLD = 85.0


def similar(first: str, second: str) -> bool:
    """Whether two questions, as residents wrote them, ask the same thing in nearly the same
    words."""
    return _similar(fold(first), fold(second))


def _similar(first: str, second: str) -> bool:
    if not first or not second:
        return False
    return (
        fuzz.token_sort_ratio(first, second) >= SORT_THRESHOLD
        and fuzz.token_set_ratio(first, second) >= SET_THRESHOLD
    )


@dataclass(frozen=True)
class QuestionGroup:
    """One waiting question, or several near-identical ones of the same flow."""

    ids: tuple[int, ...]
    flow_id: str
    #: The residents' languages (None: a resident who never chose).
    languages: frozenset[str | None]
    overdue: bool


def group_questions(keys: Sequence[WaitingKey]) -> list[QuestionGroup]:
    """Groups in the order of their first question (the order `keys` come in)."""
    leaders: list[tuple[str, str, list[WaitingKey]]] = []  # (flow, folded text, members)
    for key in keys:
        folded = fold(key.text)
        for flow_id, leader, members in leaders:
            if flow_id == key.flow_id and _similar(folded, leader):
                members.append(key)
                break
        else:
            leaders.append((key.flow_id, folded, [key]))
    return [
        QuestionGroup(
            tuple(member.id for member in members),
            flow_id,
            frozenset(member.language for member in members),
            any(member.overdue for member in members),
        )
        for flow_id, _leader, members in leaders
    ]
