"""Spelling for the flow check: every Welsh and English text against a real dictionary.

Welsh texts are checked with Debian's aspell-cy and English ones with aspell-en's en_GB, through
the aspell command's pipe mode: one run per batch of texts, so checking every text of every flow
costs one process per language (about 0.06 s for the shipped flows), and every answer is
remembered by word, so the flows page, which checks on every render, starts no process once the
words are known.

Welsh needs its own word splitting: a clitic after an apostrophe ("Mae'r", "i'w", "ohono'i") is
grammar, not a misspelling, so each side of the apostrophe is looked up on its own and the
clitics themselves are always right. English keeps its apostrophes ("isn't", "council's"), which
the English dictionary knows whole. Reply words in capitals (NESAF, STOP, YES, CYMRAEG: what the
texts tell residents to send, taken from the engine) and the product's name are always right;
other capitals (an acronym, a misspelt keyword) are looked up. Numbers, phone numbers, web and
email addresses and {placeholders} are skipped. aspell-cy lists many mutated forms but not all
("Gymraeg", "hanfon"), so a Welsh word it does not know is accepted when the word it is a
mutation of is known (bot.core.plain_welsh.radicals).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from bot.core.plain_welsh import radicals
from bot.engine.matching import NO, YES, detect_keyword, fold
from bot.engine.reading import LANGUAGE_NAMES

Language = Literal["cy", "en"]

#: The aspell dictionary for each language, and the Debian package that provides it.
DICTIONARIES: dict[Language, tuple[str, str]] = {
    "cy": ("cy", "aspell-cy"),
    "en": ("en_GB", "aspell-en"),
}
#: How many suggestions a writer is shown for each unknown word.
SUGGESTIONS = 5
#: Always right, in any text: the product's name.
PRODUCT_NAME = "sgwrs"
#: Welsh clitics written after (or before) an apostrophe: never misspellings on their own.
_CLITICS = frozenset({"r", "n", "i", "w", "u", "m", "ch", "th", "s"})
#: The yes and no answers a text may tell residents to send ("reply YES or NO", "atebwch IE").
_ANSWERS = frozenset(
    fold(word)
    for option in (YES, NO)
    for word in (option.label.cy, option.label.en, *option.aliases)
)
#: Not words: {placeholders}, web addresses and email addresses.
_NOT_WORDS = re.compile(r"\{[^{}]*\}|(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
#: A run of letters and apostrophes; digits are caught so "2il" or "07700" is skipped whole.
_TOKEN = re.compile(r"[\w'’]+")
_APOSTROPHES = "'’"


class DictionaryMissingError(RuntimeError):
    """aspell or one of its dictionaries is not installed, so spelling cannot be checked.

    The message names the Debian package to install (it brings the aspell command with it).
    """


@dataclass(frozen=True)
class Misspelling:
    word: str
    #: What aspell offers instead, best first, at most SUGGESTIONS.
    suggestions: tuple[str, ...]


def _is_reply_word(word: str) -> bool:
    """A word the text tells residents to send back: a keyword, a language's name, yes or no."""
    folded = fold(word)
    return detect_keyword(word) is not None or folded in LANGUAGE_NAMES or folded in _ANSWERS


def _words(text: str, language: Language) -> list[str]:
    """The words of `text` to look up, each once, in order: clitics, reply words, the product's
    name, numbers and anything that is not a word left out."""
    found: dict[str, str] = {}
    for match in _TOKEN.finditer(_NOT_WORDS.sub(" ", text)):
        token = match.group().strip(_APOSTROPHES)
        if not token or any(ch.isdigit() or ch == "_" for ch in token):
            continue
        if token.isupper() and len(token) > 1 and _is_reply_word(token):
            continue
        parts = re.split(f"[{_APOSTROPHES}]", token) if language == "cy" else [token]
        for part in parts:
            part = part.replace("’", "'")
            folded = part.casefold()
            if part and folded != PRODUCT_NAME and folded not in _CLITICS:
                found.setdefault(folded, part)
    return list(found.values())


_cache: dict[tuple[Language, str], Misspelling | None] = {}


def _look_up(words: list[str], language: Language) -> None:
    """Ask aspell about every word not yet known, in one run, and remember each answer."""
    wanted = [word for word in dict.fromkeys(words) if (language, word) not in _cache]
    if not wanted:
        return
    dictionary, package = DICTIONARIES[language]
    if shutil.which("aspell") is None:
        raise DictionaryMissingError(
            f"the aspell command is missing: install {package} (sudo apt-get install {package})"
        )
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
            f"aspell has no {dictionary} dictionary: install {package} "
            f"(sudo apt-get install {package}; aspell said: {result.stderr.strip()})"
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
    """Each text with its unknown words (texts with none are left out), in one aspell run.

    `accepted` words (names, local terms) are right in any capitalisation.
    """
    allowed = {word.casefold() for word in accepted}
    by_text = {text: _words(text, language) for text in texts}
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
