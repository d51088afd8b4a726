"""SMS text rules: which alphabet a message needs, how many parts it is billed as, and tidying it.

Carriers bill per segment, and a single character outside GSM 03.38 switches the whole message to
UCS-2, cutting a segment from 160 characters to 70. Welsh circumflex letters (ŵ, ŷ, â …) are such
characters, so every part of Sgwrs that previews, checks or sends text asks this module, and they
all agree. Pure functions, standard library only, no I/O.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

GSM7_BASIC: frozenset[str] = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
"""GSM 03.38 default alphabet: each character costs one septet."""

GSM7_EXTENDED: frozenset[str] = frozenset("^{}\\[~]|€\f")
"""GSM 03.38 extension table: reached through an escape code, so each costs two septets."""

MAX_BODY_CHARS = 1600
"""Twilio rejects a message body longer than this."""

MOST_SEGMENTS = 3
"""No text Sgwrs writes may cost more: past it, one idea has become several, and every segment
is paid for."""

Encoding = Literal["GSM-7", "UCS-2"]

_GSM7 = GSM7_BASIC | GSM7_EXTENDED
# (single-message budget, per-part budget once a message is split and each part carries a header)
_BUDGETS: dict[Encoding, tuple[int, int]] = {"GSM-7": (160, 153), "UCS-2": (70, 67)}

_SUBSTITUTES: dict[int, str | None] = {
    **dict.fromkeys(map(ord, "‘’‚‛′"), "'"),
    **dict.fromkeys(map(ord, "“”„‟″"), '"'),
    **dict.fromkeys(map(ord, "–—―−‐‑‒"), "-"),
    ord("…"): "...",
    **dict.fromkeys([0x00A0, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000], " "),
    **dict.fromkeys([0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF], None),
}


@dataclass(frozen=True)
class SegmentInfo:
    """What a message will cost to send, in the units the carrier bills by."""

    #: GSM-7 if every character is in the GSM 03.38 tables, otherwise UCS-2.
    encoding: Encoding
    #: What a person counts: ``len(text)``.
    characters: int
    #: Septets (extension characters count 2) for GSM-7; UTF-16 code units for UCS-2.
    units: int
    #: How many SMS the carrier sends and bills; never 0, since even an empty body is sent.
    segments: int
    #: The budget each segment was packed against: 160/153 for GSM-7, 70/67 for UCS-2.
    per_segment: int


def normalise(text: str) -> str:
    """Replace typographic look-alikes with GSM-7 characters so a message is not sent as UCS-2.

    Curly quotes, fancy dashes and odd spaces usually arrive by pasting from a word processor and
    would otherwise more than double the cost of an English message. Welsh accented letters are
    real letters and are kept; NFC runs first so a decomposed "w" + combining circumflex becomes
    the single letter "ŵ". Whitespace at the start and end of the whole text is removed.
    """
    text = unicodedata.normalize("NFC", text).translate(_SUBSTITUTES)
    return text.replace("\r\n", "\n").strip()


def is_gsm7(text: str) -> bool:
    """True if the text can be sent in the GSM 7-bit alphabet (the cheap 160-character kind)."""
    return all(ch in _GSM7 for ch in text)


def fits_twilio(text: str) -> bool:
    """True if Twilio will accept this as a message body (it rejects more than 1600 characters)."""
    return len(text) <= MAX_BODY_CHARS


def segment_info(text: str) -> SegmentInfo:
    """Encoding, length and segment count of the text, exactly as the carrier will split it."""
    return _layout(text)[0]


def split_segments(text: str) -> list[str]:
    """The text of each segment, in order; joining them gives back the original text."""
    return _layout(text)[1]


def _layout(text: str) -> tuple[SegmentInfo, list[str]]:
    """Cost the text character by character, and pack it greedily if it needs several segments.

    Packing (rather than dividing the total by the per-part budget) matters because a character
    is never split across segments: a 2-septet extension character or a 2-unit emoji that does
    not fit at the end of one segment moves to the next, which can add a segment.
    """
    encoding: Encoding
    if is_gsm7(text):
        encoding = "GSM-7"
        costs = [2 if ch in GSM7_EXTENDED else 1 for ch in text]
    else:
        encoding = "UCS-2"
        costs = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
    single, part = _BUDGETS[encoding]
    units = sum(costs)
    if units <= single:
        return SegmentInfo(encoding, len(text), units, 1, single), [text]

    pieces: list[str] = []
    start = used = 0
    for index, cost in enumerate(costs):
        if used + cost > part:
            pieces.append(text[start:index])
            start, used = index, 0
        used += cost
    pieces.append(text[start:])
    return SegmentInfo(encoding, len(text), units, len(pieces), part), pieces


def words_outside_gsm7(text: str) -> list[str]:
    """The words that make `text` UCS-2, each once, in order: what a writer could reword.

    A Welsh text often goes as UCS-2, at less than half the characters per segment, because of
    one ŵ or ŷ; naming the words lets the writer choose another where Welsh allows one.
    """
    found: list[str] = []
    for word in text.split():
        word = word.strip(".,;:!?()\"'")
        if word and not is_gsm7(word) and word not in found:
            found.append(word)
    return found
