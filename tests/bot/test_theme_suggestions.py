"""Theme suggestions measured on 372 made-up but realistic answers in Welsh and English
(tests/data/theme_answers.yaml, ten themes), as an officer meets them: a part tagged by hand,
suggestions for the rest.

The figures printed are the ones reported: top-1 accuracy (the first theme offered is the
answer's theme) among answers given a suggestion, the share given any, and how often the
answer's theme is among the (up to three) offered. The floors asserted sit below what was
measured, so a change that makes suggestions worse fails here.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from bot.core.theme_similarity import MOST_GUESSES, analysed, suggest
from bot.runtime.language import detect_language
from bot.store.suggestions import ReadAnswer

FIXTURE = Path(__file__).parent.parent / "data" / "theme_answers.yaml"
ANSWERS = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
THEMES = sorted({answer["theme"] for answer in ANSWERS})
#: The share an officer tags by hand before asking for suggestions, and the splits averaged.
TAGGED_SHARE = 0.4
SPLITS = 5


def _split(seed: int) -> tuple[list[ReadAnswer], list[ReadAnswer], dict[int, int]]:
    """Examples (tagged), untagged answers and each untagged answer's true theme."""
    order = list(range(len(ANSWERS)))
    random.Random(seed).shuffle(order)
    cut = int(len(order) * TAGGED_SHARE)
    theme_of = {i: THEMES.index(ANSWERS[i]["theme"]) for i in order}
    examples = [ReadAnswer(i, ANSWERS[i]["text"], frozenset({theme_of[i]})) for i in order[:cut]]
    untagged = [ReadAnswer(i, ANSWERS[i]["text"], frozenset()) for i in order[cut:]]
    return examples, untagged, {i: theme_of[i] for i in order[cut:]}


def test_the_fixture_is_large_and_in_both_languages() -> None:
    languages = [answer["language"] for answer in ANSWERS]
    assert len(ANSWERS) >= 300
    assert min(languages.count("cy"), languages.count("en")) >= 150


def test_the_language_of_an_answer_is_told_offline() -> None:
    right = sum(detect_language(a["text"]) == a["language"] for a in ANSWERS)
    print(f"\nlanguage told right: {right} of {len(ANSWERS)}")
    assert right / len(ANSWERS) >= 0.95


def test_suggestions_for_existing_themes_are_measured() -> None:
    suggested = right = within = total = 0
    for seed in range(SPLITS):
        examples, untagged, truth = _split(seed)
        for answer in suggest(examples, untagged).answers:
            total += 1
            if answer.guesses:
                suggested += 1
                right += answer.guesses[0].theme_id == truth[answer.answer.id]
                within += truth[answer.answer.id] in {g.theme_id for g in answer.guesses}
    accuracy, coverage, top = right / suggested, suggested / total, within / suggested
    print(
        f"\n{len(ANSWERS)} answers, {TAGGED_SHARE:.0%} tagged, {SPLITS} splits: top-1 accuracy"
        f" {accuracy:.1%} of {suggested / SPLITS:.0f} suggested; any suggestion for"
        f" {coverage:.1%}; the theme among the {MOST_GUESSES} offered {top:.1%}"
    )
    assert accuracy >= 0.42
    assert coverage >= 0.5
    assert top >= 0.5


def test_welsh_mutations_and_english_endings_meet_the_same_word() -> None:
    assert analysed("fy mil i") == analysed("biliau")
    assert analysed("Watching us") == analysed("watched")


def test_a_declined_theme_is_not_offered_again() -> None:
    examples, untagged, _truth = _split(0)
    first = next(a for a in suggest(examples, untagged).answers if a.guesses)
    declined = ReadAnswer(
        first.answer.id, first.answer.text, frozenset({first.guesses[0].theme_id})
    )
    again = suggest(examples, [declined]).answers[0]
    assert first.guesses[0].theme_id not in {guess.theme_id for guess in again.guesses}


def test_answers_no_theme_fits_are_grouped_with_their_top_words() -> None:
    hobbies = [
        "my allotment and the tomatoes",
        "allotment tomatoes are lovely",
        "the allotment needs water for tomatoes",
        "cycling to work on the cycle path",
        "a new cycle path for cycling",
        "cycling path is too narrow",
    ]
    untagged = [ReadAnswer(i, text, frozenset()) for i, text in enumerate(hobbies)]
    groups = suggest([], untagged).groups
    assert sorted(group.answer_ids for group in groups) == [(0, 1, 2), (3, 4, 5)]
    assert all(group.words for group in groups)
    assert {"allotment", "cycle"} <= {word for group in groups for word in group.words}


@pytest.mark.parametrize("texts", [[], ["!!!", "👍"]])
def test_nothing_to_go_on_suggests_nothing(texts: list[str]) -> None:
    untagged = [ReadAnswer(i, text, frozenset()) for i, text in enumerate(texts)]
    result = suggest([], untagged)
    assert result.groups == []
    assert all(not answer.guesses for answer in result.answers)
