"""How steps become text messages, and how a turn's pieces become one SMS.

Everything is built as bilingual `Text` first and only then put in the resident's language, so
a resident whose language is unknown gets the same content in Welsh first, then English.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.engine import texts as system_texts
from bot.flowspec.model import (
    ChoiceStep,
    ConsentStep,
    ExpectationsStep,
    Flow,
    Language,
    OpenStep,
    SayStep,
    Step,
    Text,
)


def join(*texts: Text, separator: str = "\n") -> Text:
    """Several bilingual texts as one, language by language."""
    return text_of(
        separator.join(text.cy for text in texts), separator.join(text.en for text in texts)
    )


def text_of(cy: str, en: str) -> Text:
    """A Text the engine made from checked ones: built without validating again, and with every
    field given (pydantic deep-copies the default of any field left out, which costs more than
    the rest of a step)."""
    return Text.model_construct(cy=cy, en=en, reviewed=None)


def options_text(step: ChoiceStep) -> Text:
    """'1 Yes / 2 No' lines, one per option, in each language."""
    return join(
        *(
            text_of(f"{n} {option.label.cy}", f"{n} {option.label.en}")
            for n, option in enumerate(step.options, start=1)
        )
    )


def step_prompt(flow: Flow, step: Step, *, simpler: bool = False) -> Text:
    """What the resident is sent on arriving at `step` (branch and end steps are not prompts)."""
    if isinstance(step, SayStep):
        return step.simpler if simpler and step.simpler else step.text
    if isinstance(step, ExpectationsStep):
        assert flow.expectations is not None  # the flow check requires it
        return join(flow.expectations.changes, flow.expectations.report_back, system_texts.SAY_NEXT)
    if isinstance(step, ChoiceStep):
        return join(step.text, options_text(step)) if step.show_options else step.text
    if isinstance(step, ConsentStep):
        return join(step.text, step.read_more)
    if isinstance(step, OpenStep):
        return step.text
    raise ValueError(f"step {step.id!r} of kind {step.kind} has no prompt")


def compose(parts: Sequence[Text], language: Language | None) -> str:
    """One message from a turn's pieces: in the resident's language, or Welsh then English."""
    whole = join(*parts)
    if language is None:
        return f"{whole.cy}\n\n{whole.en}"
    return whole.in_(language)
