"""Theme suggestions for untagged answers, worked out on the council's own machine.

An officer tags the first answers by hand; after that, each untagged answer is compared with the
tagged ones and offered the themes of those it most resembles ("like: …" shows the nearest), and
untagged answers that resemble no theme are grouped, each group with its top words, as a theme
the codebook may be missing. Nothing is tagged until an officer accepts; a declined theme is not
offered for that answer again.

How texts are compared: each answer's language is told offline (bot.runtime.language), its
words reduced to their base form in that language first (bot.runtime.words: Welsh mutations
undone), common words of both languages dropped, then TF-IDF over the words and over their
letter sequences (so "boilr" is still close to "boiler"), compared by cosine similarity. A
theme's score for an answer is the mean similarity of its NEAREST closest examples. No text
leaves the process and no model is downloaded: scikit-learn fits on the answers each time.
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

from bot.core.audit import record_event
from bot.runtime.crypto import Vault
from bot.runtime.words import text_words
from bot.store.answers import get_answer
from bot.store.db import UnitOfWork
from bot.store.suggestions import (
    ReadAnswer,
    decline_theme,
    list_tagged_answers,
    list_untagged_answers,
)
from bot.store.themes import ThemeError, get_theme, tag_answers

#: Tagged answers compared against, newest first: enough examples, a bounded page time.
EXAMPLES = 1_500
#: Untagged answers suggested for at once, newest first.
UNTAGGED = 200
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


def suggest_for_flow(session: UnitOfWork, vault: Vault, flow_id: str | None) -> Suggestions:
    """Suggestions for the newest untagged answers of a flow (every flow when None)."""
    examples = list_tagged_answers(session, vault, flow_id=flow_id, limit=EXAMPLES)
    untagged = list_untagged_answers(session, vault, flow_id=flow_id, limit=UNTAGGED)
    return suggest(examples, untagged)


def analysed(text: str) -> str:
    """The words an answer is compared by: base forms in its own language, common ones out."""
    words = text_words(text)
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


def accept_theme(
    session: UnitOfWork, answer_id: int, theme_id: int, *, user_id: int | None
) -> bool:
    """An officer agrees the answer is about the theme: tagged, and audited as accepted (so
    the log tells suggestions taken from tags chosen by hand). False if it was tagged already."""
    theme = get_theme(session, theme_id)
    if get_answer(session, answer_id) is None:
        raise ThemeError("That answer no longer exists (the resident may have erased it).")
    added = tag_answers(session, [answer_id], theme_id) == 1
    if added:
        record_event(
            session,
            user_id,
            "theme_suggestion_accepted",
            f"answer:{answer_id}",
            f"theme={theme.name}",
        )
    return added


def decline_theme_suggestion(
    session: UnitOfWork, answer_id: int, theme_id: int, *, user_id: int | None
) -> None:
    """An officer says the answer is not about the theme: it is not offered for it again."""
    theme = get_theme(session, theme_id)
    if not decline_theme(session, answer_id, theme_id):
        raise ThemeError("That answer no longer exists (the resident may have erased it).")
    record_event(
        session,
        user_id,
        "theme_suggestion_declined",
        f"answer:{answer_id}",
        f"theme={theme.name}",
    )
