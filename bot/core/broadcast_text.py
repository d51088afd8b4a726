"""The words of a "you said, we did" broadcast: both languages, how to stop, within the budget.

Every broadcast ends with how to get no more texts (STOP), in the resident's language, so that
no one is texted unasked without the way out in front of them. The ending is the engine's own
text (bot/engine/texts.yaml, BROADCAST_ENDING), reviewed by translators like any other, and it
counts against the segment budget: the preview costs the texts with it, and a message that
would go over the budget with it is refused, saying how many characters to cut.
"""

from __future__ import annotations

from bot.channels.sms import MOST_SEGMENTS, normalise, segment_info
from bot.engine import texts as system_texts
from bot.engine.render import compose
from bot.flowspec.model import Language, Text
from bot.runtime.refusal import RefusalError

#: The last line of every broadcast, in each language.
ENDING: Text = system_texts.BROADCAST_ENDING

#: Why a text is over the budget, by the language of the longest text it would be sent as
#: (None: residents who never chose a language, who get both, Welsh first).
OVER_BUDGET = {
    None: (
        "Residents who never chose a language get the Welsh and then the English in one text,"
        " each ending with how to stop texts, and that would be {segments} segments. Cut {cut}"
        " characters from either language to fit {most}."
    ),
    "cy": (
        "With how to stop texts at the end, the Welsh text would be {segments} segments."
        " Cut {cut} characters to fit {most}."
    ),
    "en": (
        "With how to stop texts at the end, the English text would be {segments} segments."
        " Cut {cut} characters to fit {most}."
    ),
}


class BroadcastError(RefusalError):
    """The broadcast cannot do that; the message says why."""


def resident_text(text: Text, language: Language | None) -> str:
    """What one resident receives: the message and then how to stop, in their language, or
    Welsh then English (each with its ending) when they never chose one."""
    return compose([text, ENDING], language)


def broadcast_text(body_cy: str, body_en: str, language: Language | None = None) -> Text:
    """The message in both languages, tidied, or the reason it cannot be sent.

    `language` is the only language it goes out in (a targeted broadcast), else None: then the
    longest text sent is the one in both languages, and that is what must fit.
    """
    cy, en = normalise(body_cy), normalise(body_en)
    if not cy or not en:
        raise BroadcastError("Write the message in both Welsh and English.")
    text = Text(cy=cy, en=en)
    longest = resident_text(text, language)
    segments = segment_info(longest).segments
    if segments > MOST_SEGMENTS:
        raise BroadcastError(
            OVER_BUDGET[language],
            segments=segments,
            cut=characters_over(longest, MOST_SEGMENTS),
            most=MOST_SEGMENTS,
        )
    return text


def characters_over(body: str, most: int) -> int:
    """The fewest characters to take off the end of `body` for it to cost `most` segments or
    fewer: what an officer is told to cut, from either language.

    A shorter text never costs more segments, so this is a binary search over how many to
    cut. The end of the text stands for anywhere in it: a plain letter costs the same wherever
    it is (one that costs two, such as €, or one that makes the text UCS-2, such as ŵ, saves
    more when it goes, so cutting those may need fewer).
    """
    fits, over = len(body), 0  # cutting everything fits; cutting nothing does not
    while fits - over > 1:
        middle = (fits + over) // 2
        if segment_info(body[: len(body) - middle]).segments <= most:
            fits = middle
        else:
            over = middle
    return fits
