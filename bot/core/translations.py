"""The translation round-trip: a flow's texts out to the council's translators and back.

Councils have Welsh translation units who work in spreadsheets or PO editors, not YAML. Export
writes every text of a flow with its id, what it is, the English, the current Welsh, its segment
budget and whether a fluent speaker has reviewed it. Import checks the whole file before writing
anything (an unknown id, Welsh over its budget, a changed {placeholder}, an English source that
changed since the export, empty Welsh, a file for another flow) and then writes back only what
the translator changed or marked reviewed, each text stamped with the reviewer and the date, and
the flow's version raised. Reviewed is per text (bot.flowspec.model.Review).

The product's own messages (bot/engine/texts.yaml: help, opt-out, re-asks) go the same way under
the name `system`, so nothing a resident reads escapes the translators.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

import openpyxl
import polib
from openpyxl.styles import Alignment, Font, PatternFill, Protection

from bot.channels.sms import segment_info
from bot.engine import texts as system_texts
from bot.flowspec.editing import review_mark, write_welsh
from bot.flowspec.loading import load_flow, load_system_texts
from bot.flowspec.model import ConsentStep, Flow, SayStep, Text, fingerprint

Format = Literal["xlsx", "po"]
#: The most segments any text may cost, and a privacy or consent text (bot.core.flow_check).
BUDGET = 3
PRIVACY_BUDGET = 2
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_HEADINGS = (
    "id",
    "what it is",
    "English",
    "Welsh",
    "budget (segments)",
    "reviewed",
    "Reviewed (yes/no)",
)
_YES = {"yes", "y", "ie", "do", "true", "1"}
#: The name the product's own messages go by in a translators' file.
SYSTEM = "system"


class TranslationError(ValueError):
    """The file cannot be imported; the message lists every problem, one per line."""


@dataclass(frozen=True)
class Row:
    id: str
    what: str
    english: str
    welsh: str
    budget: int
    reviewed: str
    #: The translator says this Welsh is right (a spreadsheet's yes, a PO entry not fuzzy).
    confirmed: bool = False


def _reviewed(text: Text) -> str:
    if text.awaits_review or text.reviewed is None:
        return "awaiting review"
    return f"{text.reviewed.by}, {text.reviewed.on.isoformat()}"


Entry = tuple[str, str, Text, int]


@dataclass(frozen=True)
class Source:
    """A file of texts the translators work on: a flow, or the product's own messages."""

    id: str
    version: int
    path: Path
    #: (id without the source's, what it is, text, budget), in the file's order.
    entries: list[Entry]
    #: Loads the file and so proves an edited copy still valid before it replaces the file.
    load: Callable[[Path], object]


def flow_source(path: Path) -> Source:
    flow = load_flow(path)
    return Source(flow.id, flow.version, path, list(_texts(flow)), load_flow)


def system_source(path: Path = system_texts.SOURCE) -> Source:
    found = load_system_texts(path)
    entries = [
        (f"texts/{name}", "a message of Sgwrs itself", text, BUDGET)
        for name, text in found.texts.items()
    ]
    return Source(SYSTEM, found.version, path, entries, load_system_texts)


def _texts(flow: Flow) -> Iterator[Entry]:
    """(id without the flow, what it is, text, budget) for every text of the flow, in order."""
    yield "title", "the flow's title (officers)", flow.title, BUDGET
    if flow.expectations:
        yield "expectations/changes", "what answers can change", flow.expectations.changes, BUDGET
        yield (
            "expectations/report_back",
            "when residents hear back",
            flow.expectations.report_back,
            BUDGET,
        )
    for step in flow.steps:
        private = isinstance(step, ConsentStep) or (isinstance(step, SayStep) and step.privacy)
        budget = PRIVACY_BUDGET if private else BUDGET
        if step.title:
            yield f"{step.id}/title", f"{step.kind} step's name (officers)", step.title, BUDGET
        for name in ("text", "simpler", "read_more", "declined", "voice"):
            text = getattr(step, name, None)
            if isinstance(text, Text):
                yield f"{step.id}/{name}", f"{step.kind} step: {name}", text, budget
        for option in getattr(step, "options", ()):
            yield f"{step.id}/option/{option.value}", "an answer to choose", option.label, BUDGET
    for entry in flow.faq:
        yield f"faq/{entry.id}/question", "a common question", entry.question, BUDGET
        yield f"faq/{entry.id}/answer", "its answer", entry.answer, BUDGET


def rows(source: Source) -> list[Row]:
    return [
        Row(f"{source.id}/{key}", what, text.en, text.cy, budget, _reviewed(text))
        for key, what, text, budget in source.entries
    ]


def export_translations(source: Source, fmt: Format, output: Path) -> int:
    """Write the texts for translators; returns how many await review."""
    found = rows(source)
    if fmt == "xlsx":
        _write_xlsx(source, found, output)
    else:
        _write_po(source, found, output)
    return sum(1 for row in found if row.reviewed == "awaiting review")


def _write_xlsx(source: Source, found: list[Row], output: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Welsh"
    sheet.append(_HEADINGS)
    for row in found:
        sheet.append([row.id, row.what, row.english, row.welsh, row.budget, row.reviewed, ""])
    editable = PatternFill("solid", fgColor="FFF2CC")
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for cell in (cells[3], cells[6]):  # only the Welsh and the reviewer's yes may change
            cell.fill = editable
            cell.protection = Protection(locked=False)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCDEFG", (30, 24, 50, 50, 10, 18, 12), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    sheet.protection.sheet = True
    about = book.create_sheet("About")
    about.append(["flow", source.id])
    about.append(["version", source.version])
    about.append(["exported", date.today().isoformat()])
    book.save(output)


def _write_po(source: Source, found: list[Row], output: Path) -> None:
    po = polib.POFile()
    po.metadata = {
        "Project-Id-Version": f"{source.id} {source.version}",
        "Language": "cy",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "X-Sgwrs-Flow": source.id,
    }
    for row in found:
        entry = polib.POEntry(
            msgctxt=row.id,
            msgid=row.english,
            msgstr=row.welsh,
            comment=f"{row.what}; at most {row.budget} segment(s); reviewed: {row.reviewed}",
        )
        if row.reviewed == "awaiting review":
            entry.flags.append("fuzzy")
        po.append(entry)
    po.save(str(output))


def _read(path: Path) -> tuple[str | None, list[Row]]:
    """The flow id the file names, and its rows."""
    if path.suffix == ".po":
        po = polib.pofile(str(path))
        return po.metadata.get("X-Sgwrs-Flow"), [
            Row(e.msgctxt or "", "", e.msgid, e.msgstr, 0, "", confirmed="fuzzy" not in e.flags)
            for e in po
        ]
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path, read_only=True)
        about = {row[0]: row[1] for row in book["About"].iter_rows(values_only=True)}
        found = []
        for cells in list(book["Welsh"].iter_rows(values_only=True))[1:]:
            text_id, _, english, welsh, _, _, confirmed = (list(cells) + [None] * 7)[:7]
            if text_id is None:
                continue
            yes = str(confirmed or "").strip().lower() in _YES
            found.append(Row(str(text_id), "", str(english or ""), str(welsh or ""), 0, "", yes))
        return str(about.get("flow")), found
    raise TranslationError(f"{path.name}: not a .xlsx or .po file")


def import_translations(
    path: Path,
    flows_dir: Path,
    reviewer: str,
    today: date,
    system_path: Path = system_texts.SOURCE,
) -> list[str]:
    """Write the file's Welsh into its flow (or the system texts); returns the ids changed
    (none: nothing written)."""
    flow_id, given = _read(path)
    flow_path = flows_dir / f"{flow_id}.yaml"
    if flow_id == SYSTEM:
        source = system_source(system_path)
    elif flow_id and flow_path.exists():
        source = flow_source(flow_path)
    else:
        raise TranslationError(
            f"{path.name}: it is for flow {flow_id!r}, which is not in {flows_dir}"
        )
    current = {f"{source.id}/{key}": (text, budget) for key, _, text, budget in source.entries}
    problems: list[str] = []
    changes: dict[str, tuple[str, dict[str, object] | None]] = {}
    for row in given:
        problem = _problem(row, current)
        if problem:
            problems.append(f"{row.id}: {problem}")
            continue
        text, _ = current[row.id]
        welsh = row.welsh.strip()
        if welsh != text.cy or (row.confirmed and text.awaits_review):
            mark = review_mark(reviewer, today, fingerprint(text.en))
            changes[row.id.split("/", 1)[1]] = (welsh, mark)
    if problems:
        raise TranslationError("\n".join(problems))
    if changes:
        write_welsh(source.path, changes, source.load)
    return [f"{source.id}/{key}" for key in changes]


def _problem(row: Row, current: dict[str, tuple[Text, int]]) -> str | None:
    if row.id not in current:
        return "no such text in this flow"
    text, budget = current[row.id]
    welsh = row.welsh.strip()
    if not welsh:
        return "the Welsh is empty"
    if row.english.strip() != text.en:
        return "the English has changed since this file was exported: export again"
    if set(_PLACEHOLDER.findall(welsh)) != set(_PLACEHOLDER.findall(text.en)):
        return "the Welsh must keep the English's {placeholders} exactly"
    segments = segment_info(welsh).segments
    if segments > budget:
        return f"the Welsh is {segments} segments; at most {budget}"
    return None
