"""Conversations: the filtered, paged list of residents, one resident's thread, revealing a number.

Also the small form helpers the export and audit pages share: dates typed as day/month/year
(GOV.UK date input), page numbers and GOV.UK pagination, and the `uk_time` template filter.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import abort, render_template, request, url_for
from flask.typing import ResponseReturnValue

from admin.auth import current_user, requires, services
from admin.blueprint import bp
from admin.i18n import translate, ui_language
from bot.core.audit import record_event
from bot.flowspec.model import FlowLibrary
from bot.store.conversation_list import (
    STATUSES,
    ConversationFilters,
    count_conversations,
    get_participant_number,
    list_conversations,
    read_transcript,
)

PER_PAGE = 50
MAX_REASON = 500
try:
    UK: tzinfo = ZoneInfo("Europe/London")
except ZoneInfoNotFoundError:  # no time zone database on this machine: show UTC, not fail
    UK = UTC

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: English labels (translated in templates) for the values stored in the database.
STATUS_LABELS = {
    "active": "In progress",
    "completed": "Completed",
    "declined": "Declined",
    "expired": "Stopped replying",
    "handed_on": "Handed on",
    "opted_out": "Opted out",
}
LANGUAGE_LABELS = {"cy": "Welsh", "en": "English"}
CHANNEL_LABELS = {"sms": "SMS", "whatsapp": "WhatsApp"}
KIND_LABELS = {
    "choice": "Choice",
    "unexpected": "Unexpected reply",
    "hope": "Hope",
    "fear": "Fear",
    "feedback": "Feedback",
    "experience": "Experience",
    "other": "Other",
}
MESSAGE_STATUS_LABELS = {
    "received": "Received",
    "replied": "Replied at once",
    "accepted": "Queued",
    "scheduled": "Queued",
    "queued": "Queued",
    "sending": "Sending",
    "sent": "Sent",
    "delivered": "Delivered",
    "undelivered": "Not delivered",
    "failed": "Failed",
    "canceled": "Cancelled",
    "read": "Read",
}


@bp.app_template_filter("uk_time")
def uk_time(value: datetime | None, time_only: bool = False) -> str:
    """'3 Mar 2025, 14:05' (or '14:05') in UK time; an empty string for no time."""
    if value is None:
        return ""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    local = aware.astimezone(UK)
    if time_only:
        return f"{local:%H:%M}"
    return f"{local.day} {translate(MONTHS[local.month - 1])} {local:%Y, %H:%M}"


def parse_day(values: Mapping[str, str], prefix: str) -> tuple[date | None, bool]:
    """A GOV.UK date input's day/month/year; (None, True) when all empty, (None, False) if bad."""
    parts = [values.get(f"{prefix}-{part}", "").strip() for part in ("day", "month", "year")]
    if not any(parts):
        return None, True
    day, month, year = parts
    if not (day.isdigit() and month.isdigit() and year.isdigit() and len(year) == 4):
        return None, False
    try:
        return date(int(year), int(month), int(day)), True
    except ValueError:
        return None, False


def parse_date_range(
    values: Mapping[str, str],
) -> tuple[datetime | None, datetime | None, dict[str, str]]:
    """'from' and 'to' dates as UTC bounds [from, day after to), with GOV.UK error messages."""
    start, start_ok = parse_day(values, "from")
    end, end_ok = parse_day(values, "to")
    errors = {}
    if not start_ok:
        errors["from"] = translate("The start date must be a real date, like 27 3 2025")
    if not end_ok:
        errors["to"] = translate("The end date must be a real date, like 27 3 2025")
    if start and end and end < start:
        errors["to"] = translate("The end date must be the same as or after the start date")
        end = None
    lower = datetime.combine(start, time(), UK).astimezone(UTC) if start else None
    upper = datetime.combine(end + timedelta(days=1), time(), UK).astimezone(UTC) if end else None
    return lower, upper, errors


def parse_page(values: Mapping[str, str]) -> int:
    raw = values.get("page", "1")
    return max(1, min(int(raw), 100_000)) if raw.isdigit() else 1


def pagination(page: int, pages: int, *, has_next: bool | None = None) -> dict[str, Any] | None:
    """Parameters for govukPagination: numbered when `pages` is known, else previous/next."""

    def href(number: int) -> str:
        args = {**request.args.to_dict(), "page": str(number)}
        return url_for(str(request.endpoint), **(request.view_args or {}), **args)

    more = page < pages if has_next is None else has_next
    if page <= 1 and not more:
        return None
    params: dict[str, Any] = {"landmarkLabel": translate("Pages")}
    if page > 1:
        params["previous"] = {"href": href(page - 1), "text": translate("Previous")}
    if more:
        params["next"] = {"href": href(page + 1), "text": translate("Next")}
    if has_next is None:
        shown = sorted({1, pages, *range(max(1, page - 1), min(pages, page + 1) + 1)})
        items: list[dict[str, Any]] = []
        for number in shown:
            if items and number - items[-1].get("number", number) > 1:
                items.append({"ellipsis": True})
            items.append(
                {
                    "number": number,
                    "href": href(number),
                    "current": number == page,
                    "visuallyHiddenText": translate("Page {number}", number=number),
                }
            )
        params["items"] = items
    return params


def filter_options(library: FlowLibrary) -> dict[str, list[tuple[str, str]]]:
    """(value, label) pairs for each filter; fixed labels in English, for templates to translate."""
    return {
        "flow": [
            (key, flow.title.in_(ui_language())) for key, flow in sorted(library.flows.items())
        ],
        "partner": [(code, f"{code} – {p.name}") for code, p in sorted(library.partners.items())],
        "language": list(LANGUAGE_LABELS.items()),
        "channel": list(CHANNEL_LABELS.items()),
        "status": [(status, STATUS_LABELS[status]) for status in STATUSES],
    }


def parse_filters(
    values: Mapping[str, str], library: FlowLibrary
) -> tuple[ConversationFilters, dict[str, str]]:
    """Known choices only (anything else means "any"), and the date range checked."""
    options = filter_options(library)
    chosen = {
        name: value if value in {v for v, _ in options[name]} else None
        for name in options
        for value in [values.get(name, "")]
    }
    lower, upper, errors = parse_date_range(values)
    filters = ConversationFilters(
        flow_id=chosen["flow"],
        partner_code=chosen["partner"],
        language=chosen["language"],
        channel=chosen["channel"],
        status=chosen["status"],
        started_from=lower,
        started_before=upper,
    )
    return filters, errors


def labels() -> dict[str, dict[str, str]]:
    return {
        "status": STATUS_LABELS,
        "language": LANGUAGE_LABELS,
        "channel": CHANNEL_LABELS,
        "kind": KIND_LABELS,
        "message_status": MESSAGE_STATUS_LABELS,
    }


@bp.get("/conversations")
@requires("admin", "officer")
def conversations() -> ResponseReturnValue:
    """Residents' conversations, newest first: filtered, 50 a page, numbers masked."""
    sgwrs = services()
    filters, errors = parse_filters(request.args, sgwrs.library)
    page = parse_page(request.args)
    with sgwrs.db.session() as session:
        total = count_conversations(session, filters)
        rows = list_conversations(
            session, sgwrs.vault, filters, limit=PER_PAGE, offset=(page - 1) * PER_PAGE
        )
    return render_template(
        "admin/conversations.html",
        rows=rows,
        total=total,
        errors=errors,
        values=request.args,
        options=filter_options(sgwrs.library),
        labels=labels(),
        partners={code: p.name for code, p in sgwrs.library.partners.items()},
        pagination=pagination(page, max(1, -(-total // PER_PAGE))),
    ), (400 if errors else 200)


def show_transcript(
    participant_id: int, *, revealed: str | None = None, error: str | None = None, reason: str = ""
) -> ResponseReturnValue:
    sgwrs = services()
    with sgwrs.db.session() as session:
        transcript = read_transcript(session, sgwrs.vault, participant_id)
    if transcript is None:
        abort(404)
    page = render_template(
        "admin/transcript.html",
        t=transcript,
        revealed=revealed,
        error=error,
        reason=reason,
        labels=labels(),
        partners={code: p.name for code, p in sgwrs.library.partners.items()},
        flows=dict(filter_options(sgwrs.library)["flow"]),
    )
    return page, (400 if error else 200)


@bp.get("/conversations/<int:participant_id>")
@requires("admin", "officer")
def transcript(participant_id: int) -> ResponseReturnValue:
    """One resident's thread as on a phone, with their answers and questions."""
    return show_transcript(participant_id)


@bp.post("/conversations/<int:participant_id>/reveal")
@requires("admin", "officer")
def reveal_number(participant_id: int) -> ResponseReturnValue:
    """Show the full number once, for a stated reason that goes in the audit log."""
    reason = request.form.get("reason", "").strip()
    if not reason or len(reason) > MAX_REASON:
        message = "Enter why you need the full number" if not reason else "The reason is too long"
        return show_transcript(participant_id, error=translate(message), reason=reason)
    sgwrs, user = services(), current_user()
    assert user is not None
    with sgwrs.db.session() as session:
        number = get_participant_number(session, sgwrs.vault, participant_id)
        if number is None:
            abort(404)
        record_event(session, user.id, "number_revealed", f"participant:{participant_id}", reason)
    return show_transcript(participant_id, revealed=number)
