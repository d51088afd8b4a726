"""Export: the questions matching the inbox's filters and the answers given, as CSV or XLSX,
pseudonymised and audit-logged (the answers export, admin/views/export.py, is the pattern)."""

from __future__ import annotations

from flask import Blueprint, Response, request
from flask.typing import ResponseReturnValue

from admin.auth import current_user, requires, services
from admin.i18n import translate, ui_language
from admin.once import one_time, spend_form
from admin.views.questions import question_filter
from bot.core.audit import record_event
from bot.core.form_tokens import Earlier
from bot.core.reply_times import reply_cutoffs
from bot.store.exports import csv_lines
from bot.store.question_export import (
    QUESTION_COLUMNS,
    QuestionExportSize,
    iter_question_rows,
    measure_question_export,
    xlsx_bytes,
)
from bot.store.question_filters import QuestionFilter

bp = Blueprint("question_export", __name__)

FORMATS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _format() -> str:
    chosen = request.form.get("format", "csv")
    return chosen if chosen in FORMATS else "csv"


def describe(filters: QuestionFilter, chosen: str) -> str:
    """For the audit log: what was exported, never any resident's data."""
    return "; ".join(
        [
            f"flow={filters.flow_id or 'any'}",
            f"status={filters.status or 'any'}",
            f"format={chosen}",
        ]
    )


def _downloaded_already(earlier: Earlier) -> ResponseReturnValue:
    """The same export again (a double-click): the same file, audited once."""
    rows, last = (int(part) for part in earlier.result.split(":"))
    return _file(question_filter(request.args), QuestionExportSize(rows, last))


@bp.post("/questions/export")
@requires("admin", "officer")
@one_time(_downloaded_already)
def download() -> ResponseReturnValue:
    """The questions matching the filters in the URL, in the format chosen."""
    sgwrs, user = services(), current_user()
    filters = question_filter(request.args)
    with sgwrs.db.session() as session:
        spending = spend_form(session)
        size = measure_question_export(
            session, filters, reply_cutoffs(sgwrs.library, sgwrs.clock())
        )
        detail = f"{describe(filters, _format())}; rows={size.rows}"
        record_event(session, user.id if user else None, "questions_exported", "questions", detail)
        spending.resulted_in(f"{size.rows}:{size.last_question_id}")
    return _file(filters, size)


def _file(filters: QuestionFilter, size: QuestionExportSize) -> Response:
    sgwrs, chosen = services(), _format()
    rows = iter_question_rows(
        sgwrs.db,
        sgwrs.vault,
        filters,
        reply_cutoffs(sgwrs.library, sgwrs.clock()),
        size,
        language=ui_language(),
    )
    headings = [translate(column) for column in QUESTION_COLUMNS]
    body = xlsx_bytes(rows, headings) if chosen == "xlsx" else csv_lines(rows, headings)
    filename = f"sgwrs-questions-{sgwrs.clock():%Y-%m-%d}.{chosen}"
    return Response(
        body,
        mimetype=FORMATS[chosen],
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
