"""Spelling for the flow check: every Welsh and English text against a real dictionary.

Welsh texts are checked with Debian's aspell-cy and English ones with aspell-en's en_GB, through
the aspell command's pipe mode (one run per batch of texts, so checking every text of every flow
costs one process per language). Welsh needs its own word splitting: a clitic after an
apostrophe ("Mae'r", "i'w", "ohono'i") is part of the grammar, not a misspelling, so each side of
the apostrophe is checked on its own and the clitics themselves are always accepted. Words in
capitals are the product's keywords (NESAF, STOPIO, YES) or acronyms and are not checked; digits
and {placeholders} are skipped. aspell-cy lists many mutated forms but not all ("Gymraeg",
"hanfon"), so a Welsh word it does not know is accepted when the word it is a mutation of is
known (bot.core.plain_welsh.radicals).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from bot.core.plain_welsh import radicals

Language = Literal["cy", "en"]

#: The aspell dictionary for each language, and the Debian package that provides it.
DICTIONARIES: dict[Language, tuple[str, str]] = {
    "cy": ("cy", "aspell-cy"),
    "en": ("en_GB", "aspell-en"),
}
#: Welsh clitics written after an apostrophe (and the English 's, 't...): never misspellings.
_CLITICS = frozenset({"r", "n", "i", "w", "u", "m", "ch", "th", "s", "t", "ll", "re", "ve", "d"})
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
#: How many suggestions a writer is shown for each unknown word.
SUGGESTIONS = 5


class DictionaryMissingError(RuntimeError):
    """aspell or one of its dictionaries is not installed, so spelling cannot be checked."""


@dataclass(frozen=True)
class Misspelling:
    word: str
    #: What aspell offers instead, best first, at most SUGGESTIONS.
    suggestions: tuple[str, ...]


def _words(text: str) -> list[str]:
    """The words of `text` to look up: split at apostrophes, keywords and clitics left out."""
    found: list[str] = []
    for match in _WORD.finditer(_PLACEHOLDER.sub(" ", text)):
        whole = match.group()
        if len(whole) > 1 and whole.isupper():
            continue
        for part in re.split(r"['’]", whole):
            if part and part.lower() not in _CLITICS and part not in found:
                found.append(part)
    return found


_cache: dict[tuple[Language, str], Misspelling | None] = {}


def _look_up(words: list[str], language: Language) -> None:
    """Ask aspell about every word not yet known, in one run, and remember each answer."""
    wanted = [word for word in dict.fromkeys(words) if (language, word) not in _cache]
    if not wanted:
        return
    dictionary, package = DICTIONARIES[language]
    if shutil.which("aspell") is None:
        raise DictionaryMissingError(f"the aspell command is missing: install {package}")
    # "^" makes each line data, so a word that looks like an aspell command is only a word.
    given = "".join(f"^{word}\n" for word in wanted)
    result = subprocess.run(
        ["aspell", "-a", f"--lang={dictionary}", "--encoding=utf-8"],
        input=given,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise DictionaryMissingError(
            f"aspell has no {dictionary} dictionary: install {package} ({result.stderr.strip()})"
        )
    answers = [line for line in result.stdout.splitlines()[1:] if line]
    if len(answers) != len(wanted):
        raise DictionaryMissingError(f"aspell gave {len(answers)} answers for {len(wanted)} words")
    for word, answer in zip(wanted, answers, strict=True):
        _cache[(language, word)] = _parse(word, answer)


def _parse(word: str, answer: str) -> Misspelling | None:
    """aspell's pipe-mode line: '*' (known), '& word n offset: a, b' or '# word offset'."""
    if answer.startswith(("*", "-", "+")):
        return None
    suggestions: tuple[str, ...] = ()
    if answer.startswith("&") and ":" in answer:
        suggestions = tuple(s.strip() for s in answer.split(":", 1)[1].split(","))
    return Misspelling(word, suggestions[:SUGGESTIONS])


def _unmutated(word: str) -> list[str]:
    """The forms `word` may be a mutation of, capitalised like it ("Gymraeg" -> "Cymraeg")."""
    forms = sorted(radicals(word.lower()) - {word.lower()})
    return [form.capitalize() for form in forms] if word[:1].isupper() else forms


def _forgive_mutations(words: list[str]) -> None:
    """Accept each unknown Welsh word whose unmutated form the dictionary knows."""
    unknown = [word for word in dict.fromkeys(words) if _cache[("cy", word)] is not None]
    forms = {word: _unmutated(word) for word in unknown}
    _look_up([form for candidates in forms.values() for form in candidates], "cy")
    for word, candidates in forms.items():
        if any(_cache[("cy", form)] is None for form in candidates):
            _cache[("cy", word)] = None


def _allowed(word: str, language: Language, allowed: set[str]) -> bool:
    """An accepted word, or in Welsh a mutation of one ("wiriad" when "gwiriad" is accepted)."""
    if language == "cy":
        return bool(radicals(word.casefold()) & allowed)
    return word.casefold() in allowed


def check_many(
    texts: Iterable[str], language: Language, accepted: Iterable[str] = ()
) -> dict[str, list[Misspelling]]:
    """Each text with its unknown words (texts with none are left out), in one aspell run."""
    allowed = {word.casefold() for word in accepted}
    by_text = {text: _words(text) for text in texts}
    _look_up([word for words in by_text.values() for word in words], language)
    if language == "cy":
        _forgive_mutations([word for words in by_text.values() for word in words])
    found: dict[str, list[Misspelling]] = {}
    for text, words in by_text.items():
        wrong = [
            miss
            for word in words
            if not _allowed(word, language, allowed)
            and (miss := _cache[(language, word)]) is not None
        ]
        if wrong:
            found[text] = wrong
    return found


def misspellings(text: str, language: Language, accepted: Iterable[str] = ()) -> list[Misspelling]:
    """The unknown words of one text, each once, in the order they appear."""
    return check_many([text], language, accepted).get(text, [])
