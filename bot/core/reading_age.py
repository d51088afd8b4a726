"""A rough English reading age for a text, for the flow check and the flows page.

textstat 0.7.13 looks English syllables up in NLTK's CMU dictionary, which it downloads at first
use; "en-GB" (not en_GB) makes it count them with pyphen's British English rules instead, so the
estimate works offline and never fetches anything during a request. Welsh has no such formula;
bot.core.plain_welsh measures it another way.

textstat is loaded on first use, not at import: it brings NLTK, and NLTK brings scikit-learn
when it is installed (about 90 MiB), which a web worker answering residents never needs.
"""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def _readability() -> Any:
    import textstat

    readability = textstat.textstat.__class__()
    readability.set_lang("en-GB")
    return readability


def _lines_as_sentences(text: str) -> str:
    """A line break ends a sentence on a phone's screen (HELP lists one word a line), but the
    formula counts sentences by their full stops: give each unpunctuated line one."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " ".join(line if line[-1] in ".!?:" else f"{line}." for line in lines)


def reading_age(text: str) -> int | None:
    """Flesch-Kincaid grade + 5 (US grade 1 is age 6), never under 5; None if it fails."""
    try:
        return max(5, round(_readability().flesch_kincaid_grade(_lines_as_sentences(text)) + 5))
    except Exception:  # an estimate must never break the page
        return None
