"""Contact details taken out of residents' words wherever those words leave the transcript.

UK GDPR's data minimisation: a partner's answers page, the questions inbox and the CSV export
need what residents said, not how to reach them. `redact` replaces phone numbers, email
addresses, postcodes and street addresses with a label in the reader's language ("[phone
number]", "[rhif ffôn]") and says which kinds it found, so a page can tag the answer and send an
officer to the transcript, which alone keeps the full text.

It errs towards keeping words that only look like contact details: a run of digits is a phone
number only when it could be dialled (it starts with +, 00 or 0 and has at least nine digits),
so dates, times, amounts, years and counts stay as written; an address needs a house number and
a street word, with the street's name in capitals where the street word has an everyday sense
("3 very close friends", "3 ffordd o wneud hyn" stay).

Pure: the standard library and phonenumbers, no input or output.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from phonenumbers import Leniency, PhoneNumberMatcher

PHONE, EMAIL, POSTCODE, ADDRESS = "phone", "email", "postcode", "address"
#: Every kind `redact` finds, in the order it looks for them (emails hold digits, addresses
#: are read last so a postcode after a street is labelled as a postcode).
KINDS = (EMAIL, PHONE, POSTCODE, ADDRESS)
LABELS: dict[str, dict[str, str]] = {
    "en": {
        PHONE: "[phone number]",
        EMAIL: "[email]",
        POSTCODE: "[postcode]",
        ADDRESS: "[address]",
    },
    "cy": {
        PHONE: "[rhif ffôn]",
        EMAIL: "[e-bost]",
        POSTCODE: "[cod post]",
        ADDRESS: "[cyfeiriad]",
    },
}

#: Fewer digits than this is not a resident's number (UK numbers have 10 or 11 with the 0).
MIN_PHONE_DIGITS = 9

EMAIL_PATTERN = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
#: Numbers phonenumbers does not match whole, e.g. one digit too many: digits with single
#: spaces, hyphens or brackets between them, from + or 0. Dots are left out (0.5 0.25 ...).
DIGIT_RUN = re.compile(r"(?<![\w.,£$€])\(?(?:\+|0)[\d ()-]*\d")
#: 01/02/2026, 12.03.26, 2026-03-12: a date is never a phone number, whatever follows it.
DATE = re.compile(
    r"(?<![\d./-])(?:\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})|\d{4}-\d{1,2}-\d{1,2})(?![\d./-])"
)
#: The outward code (CF10, SW1A, M1) and the inward code (1AA, whose letters are never C, I, K,
#: M, O or V, so "9am" is never one), with or without the space, in any case.
POSTCODE_PATTERN = re.compile(
    r"(?<![^\W_])(?:GIR\s?0AA|(?:[A-PR-UWYZ][0-9][0-9A-HJKPSTUW]?"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][0-9ABEHMNPRVWXY]?)\s{0,2}([0-9][ABD-HJLNP-UW-Z]{2}))(?![^\W_])",
    re.IGNORECASE,
)
#: "2nd", "4th": an inward code that reads as an ordinal counts only when written in capitals.
ORDINAL = re.compile(r"\d(?:st|nd|rd|th)", re.IGNORECASE)


def _words(words: str) -> str:
    """A regex alternation of the space-separated words, longest first ("street" before "st")."""
    unique = dict.fromkeys(words.split())
    return "|".join(sorted((re.escape(word) for word in unique), key=len, reverse=True))


#: Words that make "5 minutes up the road" or "3 very close friends" a phrase, not an address.
STOP_WORDS = _words(
    """a an the to up down on in into of off my our your their his her its from at by for
    and or but is are was were be been very really so too quite more most less per each every
    other one two min mins minute minutes hour hours hrs mile miles mph km yard yards metre
    metres meter meters feet ft time times bedroom bedrooms bed car cars bus buses lane
    y yr o i i'r a ac am ar at gan gyda heb dros drwy trwy wrth yn yw ydy mae oedd sy sydd neu
    ond fy dy ei ein eich eu o'r â ag munud milltir awr"""
)
#: English street words that are always a street after a house number and a name.
STREETS_EN = _words("street st road rd avenue ave lane ln")
#: English street words with an everyday sense: the name before them must be in capitals.
NAMED_STREETS_EN = _words(
    """close cl drive dr way place pl court ct gardens gdns crescent cres terrace ter grove
    park hill mews row square sq walk view rise green parade boulevard"""
)
#: Welsh street words come before the name: "Heol y Frenhines", "Stryd Fawr".
STREETS_CY = _words("heol stryd rhodfa cilgant")
NAMED_STREETS_CY = _words("ffordd lôn lon teras maes clos llwyn parc cae bryn")

LETTER = r"[^\W\d_]"
WORD = rf"(?!(?i:{STOP_WORDS})(?![\w'’-]))(?i:{LETTER}+(?:['’.-]{LETTER}+)*)"
CAPITAL_WORD = rf"[A-ZÂÊÎÔÛŴŶ]{LETTER}*(?:['’-]{LETTER}+)*"
#: "12", "3a", "Flat 2, 14": a number that is not part of an amount, a time or a code.
HOUSE = (
    r"(?<![\w£$€.,:/-])(?<![Tt]he )(?:(?i:flat|fflat|apartment|apt|unit|uned)\.?\s*\d{1,4}"
    r"[A-Za-z]?,?\s+)?\d{1,4}[A-Za-z]?,?\s+"
)
END = rf"(?!{LETTER})"
ADDRESS_PATTERNS = tuple(
    re.compile(pattern)
    for pattern in (
        rf"{HOUSE}(?:{WORD}\s+){{1,3}}(?i:{STREETS_EN}){END}",
        rf"{HOUSE}(?:{CAPITAL_WORD}\s+){{1,3}}(?i:{NAMED_STREETS_EN}){END}",
        rf"{HOUSE}The\s+(?:{CAPITAL_WORD}\s+)?(?i:{STREETS_EN}|{NAMED_STREETS_EN}){END}",
        rf"{HOUSE}(?i:{STREETS_CY})(?:['’]r)?(?:\s+(?i:yr?))?\s+{WORD}(?:\s+{CAPITAL_WORD})?{END}",
        rf"{HOUSE}(?i:{NAMED_STREETS_CY})(?:['’]r)?(?:\s+(?i:yr?))?\s+{CAPITAL_WORD}"
        rf"(?:\s+{CAPITAL_WORD})?{END}",
    )
)

Span = tuple[int, int]


@dataclass(frozen=True)
class Redaction:
    """The text with contact details replaced by labels, and which kinds (KINDS) were there."""

    text: str
    found: frozenset[str]

    @property
    def contact_details(self) -> bool:
        return bool(self.found)


def redact(text: str, language: str = "en") -> Redaction:
    """Replace each phone number, email, postcode and street address with a label in
    `language` ("en" or "cy"; any other gives English)."""
    labels = LABELS.get(language, LABELS["en"])
    found: set[str] = set()
    for kind in KINDS:
        spans = FINDERS[kind](text)
        if spans:
            found.add(kind)
            text = _replace(text, spans, labels[kind])
    return Redaction(text, frozenset(found))


def has_contact_details(text: str) -> bool:
    """Whether the text holds a phone number, email, postcode or street address."""
    return redact(text).contact_details


def _replace(text: str, spans: list[Span], label: str) -> str:
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + label + text[end:]
    return text


def _dialable(candidate: str) -> bool:
    digits = sum(character.isdigit() for character in candidate)
    return (
        candidate.lstrip("(").startswith(("+", "0"))
        and digits >= MIN_PHONE_DIGITS
        and not DATE.search(candidate)
    )


def _phone_spans(text: str) -> list[Span]:
    """phonenumbers' matches (UK and international forms, "(0)", dots, "ext"), at its most
    lenient because Ofcom's drama numbers are not "valid", then any longer run of digits."""
    spans = [
        (match.start, match.end)
        for match in PhoneNumberMatcher(text, "GB", leniency=Leniency.POSSIBLE)
        if _dialable(match.raw_string)
    ]
    for run in DIGIT_RUN.finditer(text):
        start, end = run.span()
        if _dialable(run.group()) and not any(s < end and start < e for s, e in spans):
            spans.append((start, end))
    return spans


def _email_spans(text: str) -> list[Span]:
    return [match.span() for match in EMAIL_PATTERN.finditer(text)]


def _postcode_spans(text: str) -> list[Span]:
    return [
        match.span()
        for match in POSTCODE_PATTERN.finditer(text)
        if not ORDINAL.fullmatch(match.group(1)) or match.group(1).isupper()
    ]


def _address_spans(text: str) -> list[Span]:
    spans: list[Span] = []
    for pattern in ADDRESS_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if not any(s < end and start < e for s, e in spans):
                spans.append((start, end))
    return spans


FINDERS: dict[str, Callable[[str], list[Span]]] = {
    EMAIL: _email_spans,
    PHONE: _phone_spans,
    POSTCODE: _postcode_spans,
    ADDRESS: _address_spans,
}
