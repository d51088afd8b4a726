"""How a flow is spoken on a phone call, and what a key pressed means at each step.

Flow files are written for text messages. On a call the same steps are said: a step's `voice`
text where it has one, else its text less the closing reply instruction ("Reply NEXT ..."), and
then the keys to press, built here from the step's kind, so no flow says them twice. Keys 0, 9
and * belong to the call itself (options, repeat, language) and never carry an option; a call
answers only by key, or in the caller's own voice at an own-words step (Twilio cannot yet
recognise Welsh speech, so no step listens for spoken words).
"""

from __future__ import annotations

import re
from typing import Literal

from bot.engine import texts as say
from bot.engine.render import join, text_of
from bot.flowspec.model import (
    ChoiceStep,
    ConsentStep,
    EndStep,
    ExpectationsStep,
    Flow,
    OpenStep,
    SayStep,
    Step,
    Text,
)

#: The call's own keys: say the step again, hear its options, change language.
REPEAT, OPTIONS, SWITCH = "9", "0", "*"
#: Keys 1 to 8 carry a choice's options (bot/core/spoken.py checks that flows fit them).
OPTION_KEYS = "12345678"

#: What a step waits for on a call: a key, a recording (or a key to skip it), or nothing more.
Listen = Literal["key", "recording", "nothing"]

#: "Reply NEXT, or SIMPLER for easier words", "Anfonwch GOFYN os oes gennych gwestiwn": a
#: closing sentence saying what to send, which means nothing on a call.
_INSTRUCTION = re.compile(
    r"(?:^|(?<=[.!?:])\s+)(?:Reply|Send|Text|Atebwch|Anfonwch|Tecstiwch)\b[^.!?]*[.!?]?\s*$"
)

#: The engine's texts that speak of sending words, and what a caller hears instead.
_SAID_INSTEAD: dict[Text, Text] = {
    say.GO_ON_WHEN_READY: say.VOICE_GO_ON,
    say.SAY_NEXT: say.VOICE_GO_ON,
    say.CONSENT_AGAIN: say.VOICE_YES_NO,
    say.DECLINE_CONFIRMED: say.VOICE_DECLINED,
    say.ENDED: say.VOICE_ENDED,
}


def aloud(text: Text) -> Text:
    """`text` as a caller should hear it: an engine text's spoken twin, else less its reply
    instruction (in each language)."""
    twin = _SAID_INSTEAD.get(text)
    if twin is not None:
        return twin
    return text_of(_without_instructions(text.cy), _without_instructions(text.en))


def spoken_prompt(flow: Flow, step: Step, *, simpler: bool = False) -> Text:
    """What a caller hears on arriving at `step`: its words, then the keys to press."""
    if isinstance(step, SayStep):
        words = step.simpler if simpler and step.simpler else step.text
        keys = say.VOICE_GO_ON_OR_SIMPLER if step.simpler and not simpler else say.VOICE_GO_ON
        return join(step.voice or aloud(words), keys, separator=" ")
    if isinstance(step, ExpectationsStep):
        assert flow.expectations is not None  # the flow check requires it
        changes, report_back = flow.expectations.changes, flow.expectations.report_back
        return join(changes, report_back, say.VOICE_GO_ON, separator=" ")
    if isinstance(step, ChoiceStep):
        words = step.voice or aloud(step.text)
        return join(words, options_said(step), separator=" ") if step.show_options else words
    if isinstance(step, ConsentStep):
        words = step.voice or join(aloud(step.text), aloud(step.read_more), separator=" ")
        return join(words, say.VOICE_YES_NO, separator=" ")
    if isinstance(step, OpenStep):
        return join(step.voice or aloud(step.text), say.VOICE_RECORD, separator=" ")
    raise ValueError(f"step {step.id!r} of kind {step.kind} has no prompt")


def spoken_end(step: EndStep) -> Text:
    """The last words of a flow, said."""
    return step.voice or aloud(step.text)


def options_said(step: ChoiceStep) -> Text:
    """ "Press 1: Yes. Press 2: No." in each language."""
    template = say.VOICE_OPTION
    return join(
        *(
            text_of(
                template.cy.format(n=key, label=option.label.cy),
                template.en.format(n=key, label=option.label.en),
            )
            for key, option in zip(OPTION_KEYS, step.options, strict=False)
        ),
        separator=" ",
    )


def listens_for(step: Step, *, ended: bool) -> Listen:
    """What the call waits for at `step` once its prompt is said."""
    if ended or isinstance(step, EndStep):
        return "nothing"
    return "recording" if isinstance(step, OpenStep) else "key"


def key_reply(step: Step, key: str) -> str | None:
    """The reply a key stands for at `step`, in words the engine reads as from a text, or
    None when the key means nothing here (the call then says the options again)."""
    if isinstance(step, SayStep | ExpectationsStep):
        if key == "1":
            return "next"
        if key == "2" and isinstance(step, SayStep) and step.simpler:
            return "simpler"
        return None
    if isinstance(step, ChoiceStep):
        position = OPTION_KEYS.find(key) if len(key) == 1 else -1
        return str(position + 1) if 0 <= position < len(step.options) else None
    if isinstance(step, ConsentStep):
        return {"1": "yes", "2": "no"}.get(key)
    if isinstance(step, OpenStep):
        return "skip" if key == "1" else None
    return None


def _without_instructions(words: str) -> str:
    """`words` less the sentences at its end that say what to send; all of it if that is all."""
    shorter = words
    while (cut := _INSTRUCTION.sub("", shorter)) != shorter:
        shorter = cut
    return shorter or words
