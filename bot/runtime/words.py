"""Residents' words reduced to one form each, so that search and theme suggestions meet
the same word however it was typed.

Welsh mutates the start of a word ("bysiau", "fysiau", "mysiau") and residents text without
accents ("siwr" for "siŵr") and in either language; English inflects ("watched", "watching").
Every word is folded to lower case without accents, then reduced to its dictionary form by
simplemma, trying Welsh first and then English (or the text's own language first, when it is
known), until it stops changing ("fysiau" becomes "bysiau", then "bws"). Nothing leaves the
machine: the dictionaries ship with the package.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import simplemma

#: Letters and digits; an apostrophe parts words ("dwi'n" is "dwi" and "n", "i'r" is "i" and
#: "r"), as a reader hears them.
_WORD = re.compile(r"[^\W_]+")
#: Welsh first by default: its mutations are undone before English gets a turn.
_ORDERS = {"cy": ("cy", "en"), "en": ("en", "cy")}
#: "fysiau" -> "bysiau" -> "bws": a few rounds reach the dictionary form.
_ROUNDS = 3


def fold(text: str) -> str:
    """Lower case without accents: "Siŵr" and "siwr" are the same word to a reader."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@lru_cache(maxsize=50_000)
def base_form(word: str, first: str = "cy") -> str:
    """A folded word's dictionary form in Welsh or English, trying the `first` language
    first (the word itself when unknown)."""
    current = word
    for _ in range(_ROUNDS):
        lemma = fold(simplemma.lemmatize(current, lang=_ORDERS[first]))
        if lemma == current:
            break
        current = lemma
    return current


def raw_words(text: str) -> list[str]:
    """The words of `text` folded but not reduced, single letters dropped ("a", "i" and "y"
    are too common in both languages to find anything by)."""
    return [word for word in (m.group() for m in _WORD.finditer(fold(text))) if len(word) > 1]


def words_of(text: str, first: str) -> list[str]:
    """Each word of `text` in its base form, reading it as `first` (cy or en) first, in order,
    repeats kept. The language matters: Welsh rules read English "town" as a mutated "toi"."""
    forms = (base_form(word, first) for word in raw_words(text))
    return [form for form in forms if len(form) > 1]


def load_dictionaries() -> None:
    """Read both languages' dictionaries now (about 70 MiB, half a second), so a web
    worker's first resident does not wait for them: called when the web app is built."""
    for language, word in (("cy", "bysiau"), ("en", "buses")):
        simplemma.lemmatize(word, lang=language)
