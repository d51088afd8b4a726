"""Reading what officers type or pick, the same way on every page.

Whole numbers and page numbers from query strings and forms, the GOV.UK date inputs of a
"from ... to ..." filter (admin/templates/admin/_date_range.html draws them), the flows to
choose from, and GOV.UK pagination links that carry the page's filters along.

Every reader here answers for any text at all (unicode digits, 5,000 digits, year 9999) with
"not a number" or a message, never an exception: a view that reads through them cannot fail on
what was typed, and no number it passes on is too big for a database column.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import request, url_for

from admin.dates import UK
from admin.i18n import translate, ui_language
from bot.flowspec.model import FlowLibrary

#: No list is this long; a bigger number is a typo (and too big an OFFSET for PostgreSQL).
MAX_PAGE = 100_000
#: The largest id or count a form may carry: PostgreSQL's INTEGER (SQLite's is wider).
MAX_WHOLE = 2**31 - 1
#: Years a date filter takes: nothing is older, and past year 9999 a day has no next day.
YEARS = (1900, 2100)


def whole_number(value: str | None) -> int | None:
    """'12' -> 12; None for anything else (empty, negative, '1.5', '²', past MAX_WHOLE), which
    callers ignore. Length is checked first: int() refuses (raises on) 4,301 digits or more."""
    if not value or not value.isascii() or not value.isdigit() or len(value) > 10:
        return None
    number = int(value)
    return number if number <= MAX_WHOLE else None


def page_number(values: Mapping[str, str], name: str = "page") -> int:
    """The page asked for in `values[name]`: 1 when missing or not a number, never past MAX_PAGE."""
    return max(1, min(whole_number(values.get(name)) or 1, MAX_PAGE))


def parse_day(values: Mapping[str, str], prefix: str) -> tuple[date | None, str | None]:
    """A GOV.UK date input's day/month/year, and what is wrong with it: (None, None) when all
    empty, (None, "date") when not a real date, (None, "year") when outside YEARS."""
    parts = [values.get(f"{prefix}-{part}", "").strip() for part in ("day", "month", "year")]
    if not any(parts):
        return None, None
    day, month, year = (whole_number(part) for part in parts)
    if day is None or month is None or year is None or len(parts[2]) != 4:
        return None, "date"
    if not YEARS[0] <= year <= YEARS[1]:
        return None, "year"
    try:
        return date(year, month, day), None
    except ValueError:
        return None, "date"


#: (field, problem) -> the message an officer reads.
DATE_PROBLEMS = {
    ("from", "date"): "The start date must be a real date, like 27 3 2025",
    ("to", "date"): "The end date must be a real date, like 27 3 2025",
    ("from", "year"): "The start date must be in a year from {first} to {last}",
    ("to", "year"): "The end date must be in a year from {first} to {last}",
}


def parse_date_range(
    values: Mapping[str, str],
) -> tuple[datetime | None, datetime | None, dict[str, str]]:
    """'from' and 'to' UK days as UTC bounds [from, day after to), with GOV.UK error messages.

    The upper bound is exclusive so that a whole last day is included whatever its times.
    """
    start, start_problem = parse_day(values, "from")
    end, end_problem = parse_day(values, "to")
    errors = {
        name: translate(DATE_PROBLEMS[name, problem], first=YEARS[0], last=YEARS[1])
        for name, problem in (("from", start_problem), ("to", end_problem))
        if problem
    }
    if start and end and end < start:
        errors["to"] = translate("The end date must be the same as or after the start date")
        end = None
    lower = datetime.combine(start, time(), UK).astimezone(UTC) if start else None
    upper = datetime.combine(end + timedelta(days=1), time(), UK).astimezone(UTC) if end else None
    return lower, upper, errors


def chosen_options(
    values: Mapping[str, str], options: Mapping[str, list[tuple[str, str]]]
) -> dict[str, str | None]:
    """Each filter's value when it is one of its choices, else None ("any"): a URL typed or
    edited by hand never asks for what the page does not offer."""
    return {
        name: value if value in {choice for choice, _label in choices} else None
        for name, choices in options.items()
        for value in [values.get(name, "")]
    }


def flow_choices(library: FlowLibrary) -> list[tuple[str, str]]:
    """(flow id, title in the interface language) for a flow select, by id."""
    return [(key, flow.title.in_(ui_language())) for key, flow in sorted(library.flows.items())]


def partner_names(library: FlowLibrary) -> dict[str, str]:
    """Each partner's code with its name in the interface language."""
    return {code: partner.name.in_(ui_language()) for code, partner in library.partners.items()}


def partner_choices(library: FlowLibrary) -> list[tuple[str, str]]:
    """(code, "LIB1 – Llyfrgell Ganolog") for a partner select, by code."""
    return [(code, f"{code} – {name}") for code, name in sorted(partner_names(library).items())]


def pagination(page: int, pages: int, *, has_next: bool | None = None) -> dict[str, Any] | None:
    """Parameters for govukPagination: numbered when `pages` is known, else previous/next.

    Each link is this page's own URL with its query string kept and only `page` changed.
    """

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
