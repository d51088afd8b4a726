"""The "you said, we did" text message drafted from a published response.

The overall summary and the public page's address, in each language, within the budget a
broadcast is held to with its ending on how to stop (bot/core/broadcast_text.py, which the
broadcast form checks again): when it would not fit, words come off the end of the longer
summary one at a time, and three dots say it goes on at the address. The address is never cut.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.core.broadcast_text import BroadcastError, broadcast_text
from bot.core.responses import ResponseError
from bot.store.responses import Bilingual

#: The words before the public page's address in the text message, in each language.
MORE = {"cy": "Rhagor:", "en": "More:"}
#: Marks a summary shortened to fit (three dots, not "…", which would need UCS-2).
SHORTENED = "..."


@dataclass(frozen=True)
class TextMessage:
    """The "you said, we did" text drafted from a response, and whether the summary was cut."""

    cy: str
    en: str
    shortened: bool


def draft_text_message(summary: Bilingual, addresses: Mapping[str, str]) -> TextMessage:
    """The summary and the public page's address (`addresses`, by language) as a broadcast's
    Welsh and English, within the budget a broadcast is held to: when it would not fit, words
    come off the end of the longer summary, one at a time, and the text says it goes on."""
    words = {language: summary.in_(language).split() for language in ("cy", "en")}
    kept = {language: len(found) for language, found in words.items()}
    while True:
        bodies = {
            language: _text_body(words[language], kept[language], addresses[language], language)
            for language in ("cy", "en")
        }
        try:
            text = broadcast_text(bodies["cy"], bodies["en"])
        except BroadcastError:
            longer = max(
                kept, key=lambda language: len(" ".join(words[language][: kept[language]]))
            )
            if not kept[longer]:
                raise ResponseError(
                    "The public page's address is too long for a text message."
                ) from None
            kept[longer] -= 1
            continue
        shortened = any(kept[language] < len(words[language]) for language in words)
        return TextMessage(text.cy, text.en, shortened)


def _text_body(words: list[str], kept: int, address: str, language: str) -> str:
    summary = " ".join(words[:kept])
    if kept < len(words):
        summary = summary.rstrip(",;:.!?-") + SHORTENED if summary else ""
    return " ".join(part for part in (summary, MORE[language], address) if part)
