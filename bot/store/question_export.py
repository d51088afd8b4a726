"""The questions export: residents' questions and the answers officers gave, pseudonymised,
as CSV or a spreadsheet, in batches.

As the answers export (bot/store/exports.py, whose pseudonyms and formula defusing this
shares): no number leaves, each resident has a random id that holds within one file, test
residents are left out, and the question's words are redacted of phone numbers, emails,
postcodes and addresses. The officer's answer is the council's own words and goes as given.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from openpyxl import Workbook
from sqlalchemy import Select, func
from sqlmodel import col, select

from bot.runtime.crypto import Vault
from bot.runtime.redaction import redact
from bot.store.db import Database, UnitOfWork
from bot.store.exports import BATCH, Pseudonyms, defuse
from bot.store.models import Participant, Question
from bot.store.question_filters import QuestionFilter, ReplyCutoffs, question_conditions

QUESTION_COLUMNS = (
    "participant",
    "flow",
    "step",
    "question_text",
    "contact_details",
    "language",
    "channel",
    "partner",
    "asked",
    "status",
    "answer_text",
    "answered",
    "dismissed_because",
)


@dataclass(frozen=True)
class QuestionExportSize:
    rows: int
    #: The newest question included: questions asked while the file is written are left out.
    last_question_id: int


def _filtered(statement: Select, filters: QuestionFilter, cutoffs: ReplyCutoffs) -> Select:
    """Every status unless the filters name one; never a test resident's questions."""
    return statement.join(Participant, col(Participant.id) == Question.participant_id).where(
        ~col(Participant.is_test), *question_conditions(filters, cutoffs)
    )


def measure_question_export(
    session: UnitOfWork, filters: QuestionFilter, cutoffs: ReplyCutoffs
) -> QuestionExportSize:
    statement = _filtered(
        select(func.count(col(Question.id)), func.max(Question.id)), filters, cutoffs
    )
    rows, last = session.exec(statement).one()
    return QuestionExportSize(rows, last or 0)


def iter_question_rows(
    db: Database,
    vault: Vault,
    filters: QuestionFilter,
    cutoffs: ReplyCutoffs,
    size: QuestionExportSize,
    *,
    language: str = "en",
) -> Iterator[list[str]]:
    """The rows measured in `size`, by question id, a batch (and one short session) at a time;
    contact details redacted with labels in `language` (the reader's)."""
    pseudonym, after = Pseudonyms(), 0
    base = select(Question, Participant.language, Participant.channel, Participant.partner_code)
    while True:
        statement = (
            _filtered(base, filters, cutoffs)
            .where(col(Question.id) > after, col(Question.id) <= size.last_question_id)
            .order_by(col(Question.id))
            .limit(BATCH)
        )
        with db.session() as session:
            batch = list(session.exec(statement).all())
        for question, resident_language, channel, partner in batch:
            redaction = redact(vault.open(question.text_encrypted), language)
            answer = vault.open(question.answer_encrypted) if question.answer_encrypted else ""
            yield [
                pseudonym(question.participant_id),
                question.flow_id,
                question.step_id,
                redaction.text,
                "yes" if question.contact_details or redaction.contact_details else "no",
                resident_language or "",
                channel,
                partner or "",
                question.created_at.strftime("%Y-%m-%d %H:%M"),
                question.status,
                answer,
                question.answered_at.strftime("%Y-%m-%d %H:%M") if question.answered_at else "",
                question.dismissed_reason or "",
            ]
            after = question.id or after
        if len(batch) < BATCH:
            return


def xlsx_bytes(rows: Iterable[list[str]], headings: Iterable[str]) -> bytes:
    """A one-sheet workbook: the headings then each row, every cell defused (openpyxl would
    otherwise store a cell starting "=" as a formula)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Questions")
    sheet.append(list(headings))
    for row in rows:
        sheet.append([defuse(cell) for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
