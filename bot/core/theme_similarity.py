"""How alike residents' answers are, for theme suggestions (bot/core/theme_suggestions.py).

Each answer's language is told offline (bot.runtime.language), its words reduced to their base
form in that language first (bot.runtime.words: Welsh mutations undone), common words of both
languages dropped, then TF-IDF over the words and over their letter sequences (so "boilr" is
still close to "boiler"), compared by cosine similarity. A theme's score for an answer is the
mean similarity of its NEAREST closest examples; answers no theme fits are grouped by k-means.
No text leaves the process and no model is downloaded: scikit-learn fits on the answers each
time. A pure function of the answers it is given, so it is measured on a fixture alone.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from bot.runtime.language import detect_language
from bot.runtime.words import words_of
from bot.store.suggestions import ReadAnswer

#: A theme's score is the mean similarity of this many of its closest examples: one lucky
#: match with a long answer does not make a suggestion.
NEAREST = 3
#: Below this score a theme is not offered (cosine similarity, 0 to 1).
FLOOR = 0.15
#: Themes offered per answer, best first.
MOST_GUESSES = 3
#: New groups need this many answers, and a pool of twice that to be looked for at all.
SMALLEST_GROUP = 3
#: Top words shown per proposed group.
GROUP_WORDS = 4
#: Base forms too common in either language to say what an answer is about.
STOP_WORDS = frozenset(
    """
    the an and or but of to in on for with be is are was it its this that they them their me
    my we our you your he she his her not no do have will would can could should so if at by
    from as about just very all any more what when who how which there than then too also get
    dont im ive theyre yes up out one like go make put say
    yn yr ac ar am gan gyda efo ei eu fy ein eich bod mae ma roedd dwi rwy dw ni chi nhw hi fe
    fo hyn hynny yma yna ond neu na nid ddim dim sydd oes beth pam sut pwy be wedi heb hefyd fel
    os achos iawn hwy ef ti pan wrth cyn tan ol pob arall lle gallu dal dylu cael mynd gwneud
    peth rhywun mewn
    """.split()  # noqa: SIM905 - read and kept as prose, a line per language
)


@dataclass(frozen=True)
class ThemeGuess:
    theme_id: int
    score: float
    #: The tagged answer of that theme most like this one, shown as "like: …".
    example_id: int


@dataclass(frozen=True)
class AnswerSuggestions:
    answer: ReadAnswer
    #: Best first; empty when no theme scores past FLOOR.
    guesses: tuple[ThemeGuess, ...]


@dataclass(frozen=True)
class NewGroup:
    answer_ids: tuple[int, ...]
    words: tuple[str, ...]


@dataclass(frozen=True)
class Suggestions:
    answers: list[AnswerSuggestions]
    groups: list[NewGroup]
    #: Every text read, by answer id: the page shows the examples suggestions point at.
    texts: dict[int, str]


def analysed(text: str) -> str:
    """The words an answer is compared by: base forms in its own language, common ones out."""
    words = words_of(text, detect_language(text))
    return " ".join(word for word in words if word not in STOP_WORDS)


def suggest(examples: list[ReadAnswer], untagged: list[ReadAnswer]) -> Suggestions:
    """Themes for each untagged answer from the tagged `examples`, and groups of the rest."""
    texts = {answer.id: answer.text for answer in (*examples, *untagged)}
    if not untagged:
        return Suggestions([], [], texts)
    documents = [analysed(answer.text) for answer in (*examples, *untagged)]
    words = _weigh(TfidfVectorizer(analyzer=str.split, sublinear_tf=True), documents)
    if words is None:
        return Suggestions([AnswerSuggestions(a, ()) for a in untagged], [], texts)
    letters = _weigh(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2),
        documents,
    )
    rows, vocabulary = words
    vectors = normalize(hstack([rows, letters[0]]).tocsr()) if letters else rows
    suggested = _guesses(vectors, examples, untagged)
    unsure = [i for i, answer in enumerate(suggested) if not answer.guesses]
    first = len(examples)
    groups = _groups(rows[[first + i for i in unsure]], [untagged[i] for i in unsure], vocabulary)
    return Suggestions(suggested, groups, texts)


def _weigh(
    vectoriser: TfidfVectorizer, documents: list[str]
) -> tuple[csr_matrix, np.ndarray] | None:
    """TF-IDF rows, one per document, and the terms they weigh; None when there is nothing to
    go on (every answer only common words)."""
    try:
        rows: csr_matrix = vectoriser.fit_transform(documents)
    except ValueError:  # an empty vocabulary
        return None
    return rows, vectoriser.get_feature_names_out()


def _guesses(
    vectors: csr_matrix, examples: list[ReadAnswer], untagged: list[ReadAnswer]
) -> list[AnswerSuggestions]:
    first = len(examples)
    by_theme: dict[int, list[int]] = defaultdict(list)
    for row, example in enumerate(examples):
        for theme_id in example.theme_ids:
            by_theme[theme_id].append(row)
    if not by_theme:
        return [AnswerSuggestions(answer, ()) for answer in untagged]
    similarity = (vectors[first:] @ vectors[:first].T).toarray()
    suggested = []
    for row, answer in enumerate(untagged):
        guesses = []
        for theme_id, rows in by_theme.items():
            if theme_id in answer.theme_ids:  # declined by an officer
                continue
            scores = similarity[row, rows]
            order = np.argsort(scores)[::-1]
            score = float(scores[order[:NEAREST]].mean())
            if score >= FLOOR:
                guesses.append(ThemeGuess(theme_id, score, examples[rows[order[0]]].id))
        guesses.sort(key=lambda guess: (-guess.score, guess.theme_id))
        suggested.append(AnswerSuggestions(answer, tuple(guesses[:MOST_GUESSES])))
    return suggested


def _groups(
    vectors: csr_matrix, answers: list[ReadAnswer], vocabulary: np.ndarray
) -> list[NewGroup]:
    """Groups of answers no theme fits, by k-means over their words; each keeps the words
    that weigh most at its centre."""
    if len(answers) < 2 * SMALLEST_GROUP or vectors.nnz == 0:
        return []
    count = min(12, max(2, len(answers) // 8))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        labels = KMeans(n_clusters=count, n_init=4, random_state=0).fit_predict(vectors)
    groups = []
    for label in range(count):
        members = np.flatnonzero(labels == label)
        if len(members) < SMALLEST_GROUP:
            continue
        centre = np.asarray(vectors[members].mean(axis=0)).ravel()
        top = [i for i in np.argsort(centre)[::-1][:GROUP_WORDS] if centre[i] > 0]
        words = tuple(str(vocabulary[i]) for i in top)
        groups.append(NewGroup(tuple(answers[i].id for i in members), words))
    groups.sort(key=lambda group: -len(group.answer_ids))
    return groups
