"""`sgwrs flows check`: is every flow valid, and what will each message cost on a basic phone?

It reports each message as residents receive it (the rendered prompt, options included), so
the figures are the ones Twilio will bill, and it flags texts that need a second look.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.channels.sms import segment_info
from bot.core.flow_messages import flow_messages, system_messages
from bot.engine.render import compose
from bot.flowspec.loading import load_library
from bot.flowspec.model import LANGUAGES, FlowError, Text

#: An English text longer than this costs more than one SMS segment.
ONE_SEGMENT = 160


@dataclass
class CheckReport:
    lines: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        summary = f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)"
        return "\n".join([*self.lines, *self.warnings, *self.errors, summary])


def _describe(report: CheckReport, where: str, text: Text, first_contact: bool) -> None:
    variants = {"cy+en": compose([text], None)} if first_contact else {}
    variants |= {language: text.in_(language) for language in LANGUAGES}
    for language, body in variants.items():
        info = segment_info(body)
        report.lines.append(
            f"  {where:<28} {language:<5} {info.encoding:<6} {info.characters:>4} chars "
            f"{info.segments:>2} segment(s)"
        )
    english = segment_info(text.en)
    if english.encoding != "GSM-7":
        report.warnings.append(f"warning: {where}: English text is not GSM-7 (costs 2-3x)")
    elif english.characters > ONE_SEGMENT:
        report.warnings.append(f"warning: {where}: English text is over {ONE_SEGMENT} characters")


def check_flows(flows_dir: Path, default_flow: str) -> CheckReport:
    """Validate all flows in `flows_dir` and describe every message they (and the bot) send."""
    report = CheckReport()
    try:
        library = load_library(flows_dir, default_flow)
    except FlowError as error:
        report.errors.extend(f"error: {line}" for line in str(error).splitlines())
        return report
    for flow in library.flows.values():
        report.lines.append(f"{flow.id} v{flow.version}: {flow.title.en} / {flow.title.cy}")
        if not flow.welsh_reviewed:
            report.warnings.append(
                f"warning: {flow.id}: Welsh texts await review by a fluent speaker "
                "(set welsh_reviewed: true once done)"
            )
        for position, message in enumerate(flow_messages(flow)):
            first_contact = flow.id == library.welcome_flow and position == 0
            _describe(report, f"{flow.id}/{message.name}", message.text, first_contact)
    report.lines.append("system texts (bot/engine/texts.py)")
    for message in system_messages():
        _describe(report, message.name, message.text, first_contact=False)
    report.lines.append(f"partners: {', '.join(sorted(library.partners)) or 'none'}")
    return report
