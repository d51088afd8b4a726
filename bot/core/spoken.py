"""Can a flow be spoken on a phone call? How long each text takes to say, and what cannot be said.

Calls will run on the same flow files as texts (issue 15), so `sgwrs flows check` measures every
text as a caller would hear it: its words at about 150 a minute, and anything that only works on
a screen (a web or email address, a table). "Reply NEXT" and the like are not flagged: the
renderer words each instruction for its channel. A choice must fit the keypad: keys 1 to 8 for
its options, since 0 (hear the options), 9 (repeat) and * (change language) are kept for the call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.flowspec.model import ChoiceStep, Flow

#: A steady, clear speaking pace for a recorded or synthesised voice.
WORDS_PER_MINUTE = 150
#: Keys 1 to 8 carry a choice's options; 0, 9 and * are kept for the call itself.
MOST_KEYPAD_OPTIONS = 8

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_WEB = re.compile(
    r"\b(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:cymru|wales|uk|com|org|net)\b(?:/\S*)?",
    re.IGNORECASE,
)
_TABLE = re.compile(r"[|\t]")


def spoken_words(text: str) -> int:
    """The words a voice says: "Byddai'r" is one, "01632" is one, "|" is none."""
    return len(_WORD.findall(text))


def spoken_seconds(text: str) -> float:
    """How long `text` takes to say at WORDS_PER_MINUTE."""
    return spoken_words(text) * 60 / WORDS_PER_MINUTE


@dataclass(frozen=True)
class Unspeakable:
    """Something in a text a caller cannot follow by ear, and the finding's English template."""

    template: str
    found: str


_EMAIL_TEMPLATE = (
    "an email address ({found}) relies on reading: a caller cannot follow it; "
    "say it in words, or offer to send it by text"
)
_WEB_TEMPLATE = (
    "a web address ({found}) relies on reading: a caller cannot follow it; "
    "say where to find it in words, or offer to send it by text"
)
_TABLE_TEMPLATE = (
    "a table (a line with | or a tab) relies on reading: a caller cannot follow it; "
    "say it as sentences"
)


def unspeakable(text: str) -> list[Unspeakable]:
    """What in `text` only works when read: email and web addresses, then a table, once each."""
    found = [Unspeakable(_EMAIL_TEMPLATE, match) for match in _EMAIL.findall(text)]
    rest = _EMAIL.sub(" ", text)
    found += [Unspeakable(_WEB_TEMPLATE, match.rstrip(".,;:!?)")) for match in _WEB.findall(rest)]
    if any(_TABLE.search(line) for line in text.splitlines()):
        found.append(Unspeakable(_TABLE_TEMPLATE, ""))
    return found


def too_many_keys(flow: Flow) -> list[ChoiceStep]:
    """The choice steps of `flow` with more options than the keypad can offer."""
    return [
        step
        for step in flow.steps
        if isinstance(step, ChoiceStep) and len(step.options) > MOST_KEYPAD_OPTIONS
    ]
