"""The answers export: pseudonymised CSV rows with theme tags, streamed in batches.

No number ever leaves: each resident gets a random id that holds within one export only, so two
exports cannot be joined on it. Test residents (the simulator, demos) are left out, as in figures,
and so are skips (no words) and rows an officer filed as not an answer or as a question.
Cells a spreadsheet would run as a formula are defused with a leading quote: those that start
with one, and those where one follows a separator inside the cell (`ok;=cmd|...`), because a
spreadsheet that splits on that separator (semicolons in much of Europe, tabs, lines) would make
it a cell of its own. A comma counts as well as a semicolon: the file's own quoting keeps
`ok,=1` one cell only for a reader that splits on commas. Phone numbers,
emails, postcodes and addresses in answers are redacted (bot.runtime.redaction), and the
contact_details column says which answers held them: the transcript has the full text.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, func
from sqlmodel import Session, col, select

from bot.runtime.crypto import Vault
from bot.runtime.redaction import redact
from bot.store.db import Database
from bot.store.filters import within
from bot.store.models import Answer, AnswerTheme, Participant, Theme
from bot.store.themes import theme_name

COLUMNS = (
    "participant",
    "flow",
    "step",
    "kind",
    "answer_text",
    "contact_details",
    "value",
    "themes",
    "significant",
    "language",
    "channel",
    "partner",
    "date",
)
KINDS = ("choice", "unexpected", "hope", "fear", "feedback", "experience", "other", "reaction")
BATCH = 500
#: What a spreadsheet may run as a formula at the start of a cell (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: A formula start just after a separator some reader may split the cell on.
FORMULA_INSIDE = re.compile(r"[,;\t\r\n][=+\-@]")


@dataclass(frozen=True)
class ExportFilters:
    """None or empty means any. Times are aware UTC bounds, the upper one exclusive."""

    flow_id: str | None = None
    kinds: tuple[str, ...] = ()
    answered_from: datetime | None = None
    answered_before: datetime | None = None

    def describe(self) -> str:
        """For the audit log: what was exported (never any resident's data)."""
        return "; ".join(
            [
                f"flow={self.flow_id or 'any'}",
                f"kinds={','.join(self.kinds) or 'any'}",
                f"from={self.answered_from.isoformat() if self.answered_from else 'any'}",
                f"before={self.answered_before.isoformat() if self.answered_before else 'any'}",
            ]
        )


@dataclass(frozen=True)
class ExportSize:
    rows: int
    #: The newest answer included: answers saved while the file streams are left out.
    last_answer_id: int


def _filtered(statement: Select, filters: ExportFilters) -> Select:
    statement = statement.join(Participant, col(Participant.id) == Answer.participant_id)
    conditions: list[ColumnElement[bool]] = [
        ~col(Participant.is_test),
        col(Answer.filed_as) == "answer",
        col(Answer.kind).in_(filters.kinds or KINDS),
    ]
    if filters.flow_id:
        conditions.append(col(Answer.flow_id) == filters.flow_id)
    conditions += within(col(Answer.created_at), filters.answered_from, filters.answered_before)
    return statement.where(*conditions)


def measure_export(session: Session, filters: ExportFilters) -> ExportSize:
    statement = _filtered(select(func.count(col(Answer.id)), func.max(Answer.id)), filters)
    rows, last = session.exec(statement).one()
    return ExportSize(rows=rows, last_answer_id=last or 0)


def list_export_batch(
    session: Session, filters: ExportFilters, *, after_id: int, up_to_id: int, limit: int
) -> list[tuple[Answer, str | None, str, str | None]]:
    """The next answers by id, with the resident's language, channel and partner."""
    statement = _filtered(
        select(Answer, Participant.language, Participant.channel, Participant.partner_code),
        filters,
    )
    statement = (
        statement.where(col(Answer.id) > after_id, col(Answer.id) <= up_to_id)
        .order_by(col(Answer.id))
        .limit(limit)
    )
    return [tuple(row) for row in session.exec(statement).all()]  # type: ignore[misc]


def list_theme_names(
    session: Session, answer_ids: list[int], language: str = "en"
) -> dict[int, list[str]]:
    """Each answer's theme names in `language`, alphabetical, in one query for the batch."""
    if not answer_ids:
        return {}
    name = theme_name(language)
    statement = (
        select(AnswerTheme.answer_id, name)
        .join(Theme, col(Theme.id) == AnswerTheme.theme_id)
        .where(col(AnswerTheme.answer_id).in_(answer_ids))
        .order_by(col(AnswerTheme.answer_id), name)
    )
    names: dict[int, list[str]] = {}
    for answer_id, name in session.exec(statement).all():
        names.setdefault(answer_id, []).append(name)
    return names


def defuse(cell: str) -> str:
    """'=SUM(A1)' -> "'=SUM(A1)", 'ok;=cmd' -> "'ok;=cmd": shown as text, never run."""
    dangerous = cell.startswith(FORMULA_STARTS) or FORMULA_INSIDE.search(cell)
    return "'" + cell if dangerous else cell


class Pseudonyms:
    """A fresh random id per resident, the same for all their rows in this export only."""

    def __init__(self) -> None:
        self._ids: dict[int, str] = {}
        self._taken: set[str] = set()

    def __call__(self, participant_id: int) -> str:
        if participant_id not in self._ids:
            pseudonym = secrets.token_hex(6)
            while pseudonym in self._taken:
                pseudonym = secrets.token_hex(6)
            self._ids[participant_id] = pseudonym
            self._taken.add(pseudonym)
        return self._ids[participant_id]


def iter_export_rows(
    db: Database,
    vault: Vault,
    filters: ExportFilters,
    size: ExportSize,
    *,
    language: str = "en",
) -> Iterator[list[str]]:
    """The rows measured in `size`, a batch (and one short session) at a time; answers redacted
    with labels in `language` (the reader's)."""
    pseudonym = Pseudonyms()
    after = 0
    while True:
        with db.session() as session:
            batch = list_export_batch(
                session, filters, after_id=after, up_to_id=size.last_answer_id, limit=BATCH
            )
            ids = [answer.id for answer, *_ in batch if answer.id]
            themes = list_theme_names(session, ids, language)
        if not batch:
            return
        for answer, resident_language, channel, partner in batch:
            assert answer.id is not None
            redaction = redact(vault.open(answer.text_encrypted), language)
            yield [
                pseudonym(answer.participant_id),
                answer.flow_id,
                answer.step_id,
                answer.kind,
                redaction.text,
                "yes" if answer.contact_details or redaction.contact_details else "no",
                answer.value or "",
                ";".join(themes.get(answer.id, [])),
                "yes" if answer.significant else "no",
                resident_language or "",
                channel,
                partner or "",
                answer.created_at.strftime("%Y-%m-%d %H:%M"),
            ]
            after = answer.id
        if len(batch) < BATCH:
            return


def csv_lines(rows: Iterable[list[str]], headings: Iterable[str] = COLUMNS) -> Iterator[str]:
    """The headings then each row as CSV text, every cell defused; starts with a BOM for Excel.

    `headings` name COLUMNS in the reader's language; the values stay the same codes in every
    language, so files exported in Welsh and in English can be put together."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(list(headings))
    for row in rows:
        writer.writerow([defuse(cell) for cell in row])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
