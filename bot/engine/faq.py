"""Instant answers: match a resident's question to the flow's FAQ, or admit we cannot.

Matching is fuzzy (typos, word order, Welsh or English) but conservative: below the threshold
the question goes to an officer rather than getting a confident wrong answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz

from bot.engine.matching import fold
from bot.flowspec.model import FaqEntry, Language

#: 0-100 similarity a question needs to be answered from the FAQ without an officer.
THRESHOLD = 72.0


def _phrasings(entry: FaqEntry, language: Language | None) -> list[str]:
    questions = (
        [entry.question.in_(language)] if language else [entry.question.cy, entry.question.en]
    )
    return [fold(text) for text in (*questions, *entry.also)]


def _score(question: str, phrasing: str) -> float:
    """Whole-phrase similarity, forgiving of word order but not of missing key words."""
    return max(fuzz.token_sort_ratio(question, phrasing), fuzz.ratio(question, phrasing))


def best_answer(
    faq: Sequence[FaqEntry], question: str, language: Language | None
) -> FaqEntry | None:
    """The FAQ entry that answers `question`, or None when none is close enough."""
    folded = fold(question)
    if not folded or not faq:
        return None
    scored = [
        (max(_score(folded, phrasing) for phrasing in _phrasings(entry, language)), entry)
        for entry in faq
    ]
    score, entry = max(scored, key=lambda pair: pair[0])
    return entry if score >= THRESHOLD else None
