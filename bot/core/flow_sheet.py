"""The flows page's data: every message of every flow as residents receive it, and its cost.

Each message is rendered the way the engine sends it (bot.engine.render), measured the way the
carrier bills it (bot.channels.sms), and given a rough English reading age. The messages come
from bot.core.flow_messages and the warnings from `sgwrs flows check`, so the page and the
command never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

import textstat

from bot.channels.sms import segment_info
from bot.core.flow_check import CheckReport
from bot.core.flow_messages import FlowMessage, flow_messages, system_messages
from bot.engine.render import compose
from bot.flowspec.model import Flow, FlowLibrary, Text

#: textstat 0.7.13 looks English syllables up in NLTK's CMU dictionary, which it downloads at
#: first use; "en-GB" (not en_GB) makes it count them with pyphen's British English rules
#: instead, so the estimate works offline and never fetches anything during a request.
_READABILITY = textstat.textstat.__class__()
_READABILITY.set_lang("en-GB")


@dataclass(frozen=True)
class MessageFacts:
    body: str
    encoding: str
    characters: int
    segments: int

    @classmethod
    def of(cls, body: str) -> MessageFacts:
        info = segment_info(body)
        return cls(body, info.encoding, info.characters, info.segments)


@dataclass(frozen=True)
class SheetRow:
    """One message of a flow: its step, which variant it is, and each language as sent."""

    step_id: str
    kind: str
    #: "" for the step's own message; "simpler", "declined" or "faq" for the others.
    variant: str
    cy: MessageFacts
    en: MessageFacts
    reading_age: int | None
    #: The first message to a new resident goes in both languages as one text.
    both: MessageFacts | None = None
    #: The step's short name from the flow file, if it has one (FAQ and system texts do not).
    title: Text | None = None


@dataclass(frozen=True)
class FlowSheet:
    flow_id: str
    version: int | None
    title: Text | None
    rows: list[SheetRow]
    warnings: list[str]


def reading_age(text: str) -> int | None:
    """Flesch-Kincaid grade + 5 (US grade 1 is age 6), never under 5; None if it fails."""
    try:
        return max(5, round(_READABILITY.flesch_kincaid_grade(text) + 5))
    except Exception:  # an estimate must never break the page
        return None


def _row(message: FlowMessage, *, both: bool = False, title: Text | None = None) -> SheetRow:
    text = message.text
    combined = MessageFacts.of(compose([text], None)) if both else None
    en = MessageFacts.of(text.en)
    return SheetRow(
        message.step_id,
        message.kind,
        message.variant,
        MessageFacts.of(text.cy),
        en,
        reading_age(en.body),
        combined,
        title,
    )


def _title(flow: Flow, message: FlowMessage) -> Text | None:
    if message.kind == "faq" or not flow.has_step(message.step_id):
        return None
    return flow.step(message.step_id).title


def flow_sheets(library: FlowLibrary, report: CheckReport) -> list[FlowSheet]:
    """Each flow's messages, then the bot's own texts, with `sgwrs flows check` warnings."""
    warnings = [line.removeprefix("warning: ") for line in report.warnings]
    sheets = []
    claimed: set[str] = set()
    for flow in library.flows.values():
        rows = [
            _row(
                message,
                both=flow.id == library.welcome_flow and position == 0,
                title=_title(flow, message),
            )
            for position, message in enumerate(flow_messages(flow))
        ]
        mine = [w for w in warnings if w.startswith((f"{flow.id}:", f"{flow.id}/"))]
        claimed.update(mine)
        shown = [w.removeprefix(f"{flow.id}/").removeprefix(f"{flow.id}: ") for w in mine]
        sheets.append(FlowSheet(flow.id, flow.version, flow.title, rows, shown))
    system = [_row(message) for message in system_messages()]
    others = [w for w in warnings if w not in claimed]
    sheets.append(FlowSheet("system", None, None, system, others + report.errors))
    return sheets
