"""Export: answers and their theme tags as a pseudonymised CSV, streamed, and audit-logged."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from admin.auth import current_user, requires, services
from admin.forms import flow_choices, parse_date_range
from admin.i18n import translate, ui_language
from admin.labels import KIND_LABELS
from admin.once import one_time, spend_form
from bot.core.audit import record_event
from bot.core.form_tokens import Earlier
from bot.flowspec.model import FlowLibrary
from bot.store.exports import (
    COLUMNS,
    KINDS,
    ExportFilters,
    ExportSize,
    csv_lines,
    iter_export_rows,
    measure_export,
)

bp = Blueprint("export", __name__)


def parse_export(
    form: MultiDict[str, str], library: FlowLibrary
) -> tuple[ExportFilters, dict[str, str]]:
    """Known flows and kinds only (nothing chosen means all), and the date range checked."""
    flow = form.get("flow", "")
    lower, upper, errors = parse_date_range(form)
    filters = ExportFilters(
        flow_id=flow if flow in library.flows else None,
        kinds=tuple(kind for kind in KINDS if kind in form.getlist("kinds")),
        answered_from=lower,
        answered_before=upper,
    )
    return filters, errors


def show_form(values: MultiDict[str, str], errors: dict[str, str]) -> str:
    return render_template(
        "admin/export.html",
        values=values,
        kinds=[(kind, KIND_LABELS[kind]) for kind in KINDS],
        chosen_kinds=values.getlist("kinds"),
        flows=flow_choices(services().library),
        errors=errors,
    )


def _downloaded_already(earlier: Earlier) -> ResponseReturnValue:
    """The same export form again (a double-click, whose first response the browser may well
    have dropped): the same file once more, to the same last answer, while the audit log keeps
    the one download."""
    filters, _errors = parse_export(request.form, services().library)
    rows, last_answer_id = (int(part) for part in earlier.result.split(":"))
    return _csv(filters, ExportSize(rows=rows, last_answer_id=last_answer_id))


@bp.route("/export", methods=["GET", "POST"])
@requires("admin", "officer")
@one_time(_downloaded_already)
def index() -> ResponseReturnValue:
    """The choices (GET), then the CSV download (POST); each download goes in the audit log."""
    sgwrs, user = services(), current_user()
    if request.method == "GET":
        return show_form(MultiDict(), {})
    filters, errors = parse_export(request.form, sgwrs.library)
    if errors:
        return show_form(request.form, errors), 400
    assert user is not None
    with sgwrs.db.session() as session:
        spending = spend_form(session)
        size = measure_export(session, filters)
        detail = f"{filters.describe()}; rows={size.rows}"
        record_event(session, user.id, "export_downloaded", "answers", detail)
        spending.resulted_in(f"{size.rows}:{size.last_answer_id}")
    return _csv(filters, size)


def _csv(filters: ExportFilters, size: ExportSize) -> Response:
    sgwrs = services()
    filename = f"sgwrs-answers-{sgwrs.clock():%Y-%m-%d}.csv"
    return Response(
        csv_lines(
            iter_export_rows(sgwrs.db, sgwrs.vault, filters, size, language=ui_language()),
            [translate(column) for column in COLUMNS],
        ),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
