"""The flows page's data: every message of every flow as residents receive it, and its cost.

Each message is rendered the way the engine sends it (bot.engine.render), measured the way the
carrier bills it (bot.channels.sms), and given a rough English reading age and a plain-Welsh
measure. The messages come from bot.core.flow_messages and the findings and main-route figures
from `sgwrs flows check`, so the page and the command never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.channels.sms import segment_info
from bot.core.flow_check import CheckReport, Finding
from bot.core.flow_messages import FlowMessage, flow_messages, system_messages
from bot.core.plain_welsh import PlainWelsh, plain_welsh
from bot.core.reading_age import reading_age
from bot.engine.render import compose
from bot.flowspec.model import FlowLibrary, Text


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
    plain_cy: PlainWelsh
    #: The Welsh was never checked by a fluent speaker, or the English changed since.
    awaits_review: bool
    #: The first message to a new resident goes in both languages as one text.
    both: MessageFacts | None = None
    #: The step's short name from the flow file, if it has one (FAQ and system texts do not).
    title: Text | None = None
    #: What `sgwrs flows check` found about this message, in either language.
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class FlowSheet:
    flow_id: str
    version: int | None
    title: Text | None
    rows: list[SheetRow]
    #: What the check found about the flow as a whole (route, privacy notice, review).
    findings: list[Finding]
    #: The main route's segments in each language ({} for the bot's own texts).
    route: dict[str, int]

    @property
    def awaiting_review(self) -> int:
        return sum(1 for row in self.rows if row.awaits_review)


def _row(
    message: FlowMessage,
    findings: list[Finding],
    *,
    flow_id: str = "",
    accepted: tuple[str, ...] = (),
    both: bool = False,
) -> SheetRow:
    text = message.text
    combined = MessageFacts.of(compose([text], None)) if both else None
    en = MessageFacts.of(text.en)
    mine = tuple(
        finding
        for finding in findings
        if finding.flow_id == flow_id and finding.subject.rpartition(" ")[0] == message.name
    )
    return SheetRow(
        message.step_id,
        message.kind,
        message.variant,
        MessageFacts.of(text.cy),
        en,
        reading_age(en.body),
        plain_welsh(text.cy, accepted),
        text.awaits_review,
        combined,
        message.title,
        mine,
    )


def flow_sheets(library: FlowLibrary, report: CheckReport) -> list[FlowSheet]:
    """Each flow's messages, then the bot's own texts, with what `sgwrs flows check` found."""
    found = report.findings
    sheets = []
    for flow in library.flows.values():
        rows = [
            _row(
                message,
                found,
                flow_id=flow.id,
                accepted=flow.accepted_words,
                both=flow.id == library.welcome_flow and position == 0,
            )
            for position, message in enumerate(flow_messages(flow))
        ]
        whole = [f for f in found if f.flow_id == flow.id and not f.subject]
        sheets.append(
            FlowSheet(
                flow.id, flow.version, flow.title, rows, whole, report.routes.get(flow.id, {})
            )
        )
    system = [_row(message, found) for message in system_messages()]
    sheets.append(FlowSheet("system", None, None, system, [], {}))
    return sheets


def general_findings(report: CheckReport) -> list[Finding]:
    """What the check found about no one flow: the whole conversation's route, a missing
    dictionary, a library that does not load."""
    return [f for f in report.findings if not f.flow_id and not f.subject]
