"""Every message a flow can send, listed once for `sgwrs flows check` and the flows page.

Both describe each message a resident may receive. If each walked the flow on its own, a new
kind of step or variant could be costed by one and missed by the other; listing them here means
the check and the sheet can never disagree about which messages exist. A step's message is the
one the engine sends: its prompt as rendered, options included (bot.engine.render.step_prompt).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine import texts as system_texts
from bot.engine.render import step_prompt
from bot.flowspec.model import BranchStep, ConsentStep, EndStep, Flow, SayStep, Text


@dataclass(frozen=True)
class FlowMessage:
    """One message: the step (or FAQ entry, or system text) it belongs to, and its variant."""

    step_id: str
    #: The step's kind; "faq" for an FAQ answer, "system" for one of the bot's own texts.
    kind: str
    #: "" for the step's own message; "simpler", "declined" or "faq" for the others.
    variant: str
    text: Text

    @property
    def name(self) -> str:
        """How `sgwrs flows check` names it: the id, then any variant in brackets."""
        if self.variant == "faq":
            return f"faq {self.step_id}"
        return f"{self.step_id} ({self.variant})" if self.variant else self.step_id


def flow_messages(flow: Flow) -> list[FlowMessage]:
    """Every message a resident of `flow` can receive, in file order, FAQ answers last.

    A branch step sends nothing, so it has no message; an end step's text goes as written.
    """
    messages = []
    for step in flow.steps:
        if isinstance(step, BranchStep):
            continue
        text = step.text if isinstance(step, EndStep) else step_prompt(flow, step)
        messages.append(FlowMessage(step.id, step.kind, "", text))
        if isinstance(step, SayStep) and step.simpler:
            messages.append(FlowMessage(step.id, step.kind, "simpler", step.simpler))
        if isinstance(step, ConsentStep):
            messages.append(FlowMessage(step.id, step.kind, "declined", step.declined))
    messages.extend(FlowMessage(entry.id, "faq", "faq", entry.answer) for entry in flow.faq)
    return messages


def system_messages() -> list[FlowMessage]:
    """The bot's own texts (help, STOP replies and the like), named in lower case."""
    return [
        FlowMessage(name.lower(), "system", "", text) for name, text in system_texts.ALL.items()
    ]
