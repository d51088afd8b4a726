"""Forgiving reading of residents' replies: keywords, numbered options, yes and no.

People on basic phones type "1.", "one", "un", "Yes please", "yse" or "Cymraeg". The engine
should understand all of them in both languages and ask again only when it really cannot tell.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from enum import Enum
from functools import lru_cache

from bot.flowspec.model import Option, Text


class Keyword(Enum):
    """Words that work at any point, in both languages (Welsh Language Standards)."""

    STOP = "stop"
    START = "start"
    HELP = "help"
    REPEAT = "repeat"
    LANGUAGE = "language"
    ASK = "ask"
    DELETE = "delete"
    NEW = "new"
    NEXT = "next"
    SIMPLER = "simpler"


_KEYWORD_WORDS: dict[str, Keyword] = {
    # English first, then Welsh; Twilio's own opt-out words count as STOP too, because
    # Twilio blocks the number on them whatever we do.
    "stop": Keyword.STOP,
    "stopall": Keyword.STOP,
    "unsubscribe": Keyword.STOP,
    "cancel": Keyword.STOP,
    "end": Keyword.STOP,
    "quit": Keyword.STOP,
    "stopio": Keyword.STOP,
    "start": Keyword.START,
    "unstop": Keyword.START,
    "dechrau": Keyword.START,
    "help": Keyword.HELP,
    "cymorth": Keyword.HELP,
    "help!": Keyword.HELP,
    "repeat": Keyword.REPEAT,
    "eto": Keyword.REPEAT,
    "language": Keyword.LANGUAGE,
    "iaith": Keyword.LANGUAGE,
    "ask": Keyword.ASK,
    "gofyn": Keyword.ASK,
    "delete": Keyword.DELETE,
    "dileu": Keyword.DELETE,
    "new": Keyword.NEW,
    "newydd": Keyword.NEW,
    "next": Keyword.NEXT,
    "nesaf": Keyword.NEXT,
    "simpler": Keyword.SIMPLER,
    "symlach": Keyword.SIMPLER,
}
_QUESTION_PREFIX = re.compile(r"^\s*(ask|gofyn)\b[\s:,.-]*(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)

_NUMBER_WORDS: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "un": 1, "dau": 2, "dwy": 2, "tri": 3, "tair": 3, "pedwar": 4,
    "pedair": 4, "pump": 5, "pum": 5, "chwech": 6, "saith": 7, "wyth": 8, "naw": 9, "deg": 10,
    "first": 1, "second": 2, "third": 3, "cyntaf": 1, "ail": 2, "trydydd": 3,
}  # fmt: skip

YES = Option(
    value="yes",
    label=Text(cy="Ie", en="Yes"),
    aliases=(
        *("yes", "y", "yeah", "yep", "yup", "yea", "ok", "okay", "sure", "agree", "fine"),
        *("i agree", "of course", "go on", "yes please"),
        *("ie", "do", "ydw", "ydy", "ydyn", "ydych", "iawn", "cytuno", "wrth gwrs", "ie plis"),
        *("caiff", "cewch", "cei", "gallwch", "oedd", "do diolch", "oes", "ia", "aye", "yeh"),
    ),
)
NO = Option(
    value="no",
    label=Text(cy="Na", en="No"),
    aliases=(
        *("no", "n", "nope", "nah", "never", "no thanks", "no thank you", "not really", "naw"),
        *("na", "nage", "naddo", "nac", "nid", "dim", "dim diolch", "na diolch"),
        *("na chaiff", "na chewch", "na chei", "na allwch", "nag oedd", "nac oedd"),
        *("nac ydw", "nac ydy", "nac oes", "does dim", "dim un"),
    ),
)


#: Words that turn a reply around: with one, "sure" or "cytuno" alone no longer means yes.
NEGATIONS = frozenset(("not", "dont", "didnt", "doesnt", "isnt", "nac", "nag", "ddim", "nid"))
#: Words that are an answer only as the whole reply: in a sentence "y" is Welsh for "the",
#: and "do" (Welsh "yes") is an English verb.
_WHOLE_REPLY_ONLY = frozenset(("do", "a", "i"))
#: Words that still mean what they say in a negated reply ("No, I don't think so").
_NEGATIVE_ANSWERS = NEGATIONS | {"no", "na", "never", "nope"}


#: A thumbs-up alone: the one emoji residents send to mean yes.
THUMBS_UP = frozenset(("👍", "👍🏻", "👍🏼", "👍🏽", "👍🏾", "👍🏿"))


def _THUMBS_UP_OPTION(options: Sequence[Option], text: str) -> Option | None:  # noqa: N802
    """👍 alone picks the yes option, where there is one; no other emoji picks anything."""
    if text.strip() not in THUMBS_UP:
        return None
    return next((option for option in options if option.value == "yes"), None)


@lru_cache(maxsize=16384)
def fold(text: str) -> str:
    """Lower-case, strip accents and punctuation, squeeze spaces: 'Siŵr!' -> 'siwr'.

    Remembered: residents send the same few words (NEXT, 1, IE) again and again, and every
    option label is folded on every reply to a choice.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.replace("'", "").replace("\u2019", "")
    return " ".join(re.sub(r"[^\w\s]", " ", plain).split())


def detect_keyword(text: str) -> Keyword | None:
    """The keyword a whole message is, if any: 'Stop.' is STOP, 'stop using my data' is not."""
    folded = fold(text)
    keyword = _KEYWORD_WORDS.get(folded)
    if keyword is None and _QUESTION_PREFIX.match(text):
        return Keyword.ASK
    return keyword


#: While opted out, these lift the block as START does: Twilio's own YES, and its Welsh.
_LIFT_WORDS = frozenset({"yes", "ie"})
#: While opted out, a text with one of these words asks us to erase (nothing else is read then).
_ERASE_WORDS = re.compile(r"\b(delete|erase|dileu|dilewch|dilëwch|remove my|forget me)\b")


def is_lift_word(text: str) -> bool:
    return fold(text) in _LIFT_WORDS


def is_erase_request(text: str) -> bool:
    """'please delete everything about me', 'dilewch fy manylion': an explicit request."""
    return bool(_ERASE_WORDS.search(text.casefold()))


def is_shouted(text: str) -> bool:
    """Whether the keyword at the start is in capitals ('ASK why?'), as the help text shows it."""
    first = text.strip().split(maxsplit=1)[0] if text.strip() else ""
    return first.rstrip(":,.-").isupper()


def question_after_keyword(text: str) -> str:
    """The question a resident wrote after ASK/GOFYN, or '' when they sent the word alone."""
    match = _QUESTION_PREFIX.match(text)
    return match.group("rest").strip() if match else ""


def _edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein (optimal string alignment): 'yse' is one edit from 'yes'."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def _typo_allowance(word: str) -> int:
    return 0 if len(word) < 3 else 1 if len(word) < 7 else 2


@lru_cache(maxsize=1024)
def _vocabularies(options: tuple[Option, ...], numbered: bool) -> tuple[frozenset[str], ...]:
    """The words that pick each option; once per step's options (flows are loaded once)."""
    vocabularies = []
    for number, option in enumerate(options, start=1):
        words = {option.value, fold(option.label.cy), fold(option.label.en)}
        words |= {fold(alias) for alias in option.aliases}
        if numbered:
            words.add(str(number))
            words |= {word for word, value in _NUMBER_WORDS.items() if value == number}
        vocabularies.append(frozenset(word for word in words if word))
    return tuple(vocabularies)


def _unique(candidates: set[int]) -> int | None:
    return next(iter(candidates)) if len(candidates) == 1 else None


def match_option(options: Sequence[Option], text: str, *, numbered: bool = True) -> Option | None:
    """The option a reply picks, or None when it picks none or is ambiguous.

    `numbered` says whether the resident was shown numbers: where they were not ("Reply YES
    or NO"), a "2" is not an answer, so it never counts as one.
    """
    folded = fold(text)
    if not folded:
        return _THUMBS_UP_OPTION(options, text)
    vocabularies = _vocabularies(tuple(options), numbered)
    exact = {i for i, words in enumerate(vocabularies) if folded in words}
    leading = re.match(r"^(\d+)\b\D*$", folded) if numbered else None
    if not exact and leading and 1 <= int(leading.group(1)) <= len(options):
        exact = {int(leading.group(1)) - 1}
    found = _unique(exact)
    if found is None and not exact:
        found = _match_within(vocabularies, folded)
    if found is None and not exact:
        found = _match_typo(vocabularies, folded)
    return options[found] if found is not None else None


def _match_within(vocabularies: list[set[str]], folded: str) -> int | None:
    """A known phrase or word inside a longer reply: 'yes please', 'I am not sure'.

    A reply with a negation ('not', 'ddim'...) only matches words that carry the negation
    themselves, so 'not sure' or 'I don't agree' never count as 'sure' or 'agree'.
    """
    padded = f" {folded} "
    tokens = set(folded.split())
    negated = bool(tokens & NEGATIONS)

    def counts(word: str) -> bool:
        return not negated or bool(set(word.split()) & _NEGATIVE_ANSWERS)

    phrases = {
        i
        for i, words in enumerate(vocabularies)
        for w in words
        if " " in w and f" {w} " in padded and counts(w)
    }
    if phrases:
        return _unique(phrases)
    tokens = {token for token in tokens if len(token) > 1 and token not in _WHOLE_REPLY_ONLY}
    return _unique(
        {i for i, words in enumerate(vocabularies) if any(counts(w) for w in tokens & words)}
    )


def _match_typo(vocabularies: list[set[str]], folded: str) -> int | None:
    """A whole reply one or two slips from an option word ('yse', 'Cymraig')."""
    best: dict[int, int] = {}
    for i, words in enumerate(vocabularies):
        for word in words:
            if word.isdigit() or abs(len(word) - len(folded)) > _typo_allowance(word):
                continue
            distance = _edit_distance(folded, word)
            if distance <= _typo_allowance(word):
                best[i] = min(best.get(i, distance), distance)
    if not best:
        return None
    closest = min(best.values())
    return _unique({i for i, distance in best.items() if distance == closest})


def read_yes_no(text: str, *, numbered: bool = False) -> bool | None:
    """True for yes, False for no (in either language, forgivingly), None when unclear.

    A question back ("what do you do with it?") is never read as an answer, and numbers count
    only where they were shown (`numbered`, as in "1 Yes 2 No").
    """
    if "?" in text and len(text.split()) > 2:
        return None
    option = match_option((YES, NO), text, numbered=numbered)
    return None if option is None else option is YES
