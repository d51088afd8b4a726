"""A plain-language measure for Welsh, beside the English reading age.

No reading-age formula has been validated for Welsh: Flesch-style formulas count English
syllables and were fitted to English readers, and Welsh spelling, mutations and word lengths
differ. So this measures three things plain-Welsh guidance (Cymraeg Clir) asks writers to watch,
and warns past a threshold on each, rather than pretend to give an age:

- **sentence length**: the average number of words in a sentence;
- **long words**: the share of words of more than LONG_WORD letters;
- **less common words**: the share of words outside a list of common Welsh words
  (bot/core/data/common-cy.txt), looked up after undoing soft, nasal and aspirate mutations
  and removing clitics, so "gartref", "nghartref" and "chartref" all count as "cartref".

Words in capitals (the product's keywords), numbers and the flow's accepted words count as
common. docs/plain-welsh.md says how to read the figures and where they mislead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

#: A word of more letters than this is long (Welsh words run longer than English ones:
#: "gwybodaeth" is 10 and common, so 10 itself is not long).
LONG_WORD = 10
#: Warn above these. Plain-language guidance in both languages aims at 15-20 words a sentence.
MOST_WORDS_PER_SENTENCE = 20
MOST_LONG_WORD_SHARE = 0.15
MOST_UNCOMMON_SHARE = 0.35

_WORDS_FILE = Path(__file__).with_name("data") / "common-cy.txt"
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)|\n")
_CLITICS = frozenset({"r", "n", "i", "w", "u", "m", "ch", "th", "s"})
#: Mutated initial -> the radical letters it may come from (soft, nasal, aspirate).
_RADICALS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ngh", ("c",)),
    ("mh", ("p",)),
    ("nh", ("t",)),
    ("ng", ("g",)),
    ("ch", ("c",)),
    ("ph", ("p",)),
    ("th", ("t",)),
    ("dd", ("d",)),
    ("f", ("b", "m")),
    ("g", ("c",)),
    ("b", ("p",)),
    ("d", ("t",)),
    ("l", ("ll",)),
    ("r", ("rh",)),
    ("m", ("b",)),
    ("n", ("d",)),
)
_VOWELS = "aeiouwyâêîôûŵŷ"


@cache
def common_words() -> frozenset[str]:
    lines = _WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def radicals(word: str) -> set[str]:
    """`word` and every form it may be a mutation of: "fysiau" -> {"fysiau", "bysiau", "mysiau"}.

    A soft-mutated g is dropped, so a word starting with a vowel may also have lost a g; an
    h before a vowel may be the h that follows "ei" (her) or "ein" (our).
    """
    forms = {word}
    for mutated, sources in _RADICALS:
        if word.startswith(mutated) and len(word) > len(mutated):
            forms |= {source + word[len(mutated) :] for source in sources}
    if word[:1] in _VOWELS:
        forms.add("g" + word)
    if word.startswith("h") and word[1:2] in _VOWELS:
        forms.add(word[1:])
    return forms


@dataclass(frozen=True)
class PlainWelsh:
    """The three figures for one Welsh text, and which of them pass their threshold."""

    words: int
    sentences: int
    words_per_sentence: float
    long_word_share: float
    uncommon_share: float
    #: The less common words, each once, in order: what a writer might replace.
    uncommon: tuple[str, ...]

    @property
    def hard(self) -> tuple[str, ...]:
        """Why this text may be hard to read, in words for a warning; empty when it is plain."""
        reasons = []
        if self.words_per_sentence > MOST_WORDS_PER_SENTENCE:
            reasons.append(
                f"sentences average {self.words_per_sentence:.0f} words "
                f"(aim for {MOST_WORDS_PER_SENTENCE} or fewer)"
            )
        if self.long_word_share > MOST_LONG_WORD_SHARE:
            reasons.append(
                f"{self.long_word_share:.0%} of words are long (over {LONG_WORD} letters; "
                f"aim for {MOST_LONG_WORD_SHARE:.0%} or fewer)"
            )
        if self.uncommon_share > MOST_UNCOMMON_SHARE:
            reasons.append(
                f"{self.uncommon_share:.0%} of words are less common "
                f"({', '.join(self.uncommon[:5])}; aim for {MOST_UNCOMMON_SHARE:.0%} or fewer)"
            )
        return tuple(reasons)


def _is_common(word: str, accepted: frozenset[str]) -> bool:
    if word.isupper() and len(word) > 1:
        return True  # a keyword (NESAF, STOPIO) or an acronym
    folded = word.casefold()
    parts = [part for part in re.split(r"['’]", folded) if part and part not in _CLITICS]
    known = common_words() | accepted
    return all(radicals(part) & known for part in parts)


def plain_welsh(text: str, accepted: Iterable[str] = ()) -> PlainWelsh:
    """Measure one Welsh text (a flow step, an FAQ answer, a system text)."""
    allowed = frozenset(word.casefold() for word in accepted)
    sentences = [part for part in _SENTENCE_END.split(text) if _WORD.search(part)]
    words = _WORD.findall(text)
    count = len(words) or 1
    uncommon = [word for word in words if not _is_common(word, allowed)]
    long_words = [word for word in words if len(word.replace("'", "")) > LONG_WORD]
    return PlainWelsh(
        words=len(words),
        sentences=len(sentences),
        words_per_sentence=len(words) / (len(sentences) or 1),
        long_word_share=len(long_words) / count,
        uncommon_share=len(uncommon) / count,
        uncommon=tuple(dict.fromkeys(uncommon)),
    )
