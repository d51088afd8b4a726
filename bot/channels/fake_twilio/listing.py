"""Twilio's Messages list: the filters (To, From, DateSent with its `<`/`>` forms) and paging.

Kept apart from the store so the query rules can be read against Twilio's documentation in one
place. `twilio.rest` sends the filters as `To`, `From`, `DateSent`, `DateSent<` and `DateSent>`
(`date_sent_before`/`date_sent_after`), dates as `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SSZ`, and pages
with `PageSize`, `Page` and the `PageToken` found in the previous page's `next_page_uri`.

A message Twilio has not handed to a carrier yet has no `date_sent`, so any DateSent filter
leaves it out, as Twilio does. The list is newest first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from bot.channels.fake_twilio.resources import API_VERSION, Failure

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
_FILTERS = ("To", "From", "DateSent", "DateSent<", "DateSent>")


class ListError(ValueError):
    """A filter Twilio would refuse; carries Twilio's error for the 400 answer."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


@dataclass(frozen=True)
class DateBound:
    """One DateSent filter: a day (a date alone) or an instant (a date and time)."""

    start: datetime
    whole_day: bool

    @property
    def end(self) -> datetime:
        """The last instant the bound covers: the end of its day, or the instant itself."""
        return self.start + (timedelta(days=1, microseconds=-1) if self.whole_day else timedelta())

    @classmethod
    def parse(cls, raw: str) -> DateBound:
        text = raw.strip().lstrip("<>=")
        for pattern, whole_day in (("%Y-%m-%d", True), ("%Y-%m-%dT%H:%M:%SZ", False)):
            try:
                return cls(datetime.strptime(text, pattern).replace(tzinfo=UTC), whole_day)
            except ValueError:
                continue
        raise ListError(Failure(400, 20001, "Invalid date value."))


@dataclass(frozen=True)
class Query:
    """A list request's filters and page, as Twilio reads them from the query string."""

    filters: Mapping[str, str]
    page: int
    page_size: int
    page_token: str | None

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> Query:
        try:
            page_size = int(params.get("PageSize") or DEFAULT_PAGE_SIZE)
            page = int(params.get("Page") or 0)
        except ValueError:
            raise ListError(Failure(400, 20001, "Invalid paging value.")) from None
        if not 1 <= page_size <= MAX_PAGE_SIZE or page < 0:
            raise ListError(Failure(400, 20001, "Invalid paging value."))
        filters = {name: params[name] for name in _FILTERS if params.get(name)}
        for name in ("DateSent", "DateSent<", "DateSent>"):
            if name in filters:
                DateBound.parse(filters[name])  # refuse a bad date before listing anything
        return cls(filters, page, page_size, params.get("PageToken") or None)

    def matches(self, resource: Mapping[str, Any]) -> bool:
        if "To" in self.filters and resource["to"] != self.filters["To"]:
            return False
        if "From" in self.filters and resource["from"] != self.filters["From"]:
            return False
        dated = {name: DateBound.parse(v) for name, v in self.filters.items() if "Date" in name}
        if not dated:
            return True
        sent: datetime | None = resource["_date_sent"]
        if sent is None:
            return False
        exact, before, after = dated.get("DateSent"), dated.get("DateSent<"), dated.get("DateSent>")
        return (
            (exact is None or exact.start <= sent <= exact.end)
            and (before is None or sent <= before.end)
            and (after is None or sent >= after.start)
        )


def page_json(
    account_sid: str, query: Query, newest_first: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """One page of the matching resources, with Twilio's paging fields around it.

    The PageToken names the last SID of the page before, so a page never repeats or skips a
    message when new ones arrive meanwhile (they come first, on pages already read).
    """
    matching = [r for r in newest_first if query.matches(r)]
    offset = 0
    if query.page_token:
        after = query.page_token.removeprefix("PA")
        sids = [r["sid"] for r in matching]
        offset = sids.index(after) + 1 if after in sids else len(matching)
    records = matching[offset : offset + query.page_size]
    base = f"/{API_VERSION}/Accounts/{account_sid}/Messages.json"

    def uri(page: int, token: str | None = None) -> str:
        params = {**query.filters, "PageSize": str(query.page_size), "Page": str(page)}
        if token:
            params["PageToken"] = token
        return f"{base}?{urlencode(params)}"

    has_more = offset + query.page_size < len(matching)
    start = query.page * query.page_size
    return {
        "messages": [{k: v for k, v in r.items() if not k.startswith("_")} for r in records],
        "end": start + max(len(records) - 1, 0),
        "first_page_uri": uri(0),
        "next_page_uri": uri(query.page + 1, "PA" + records[-1]["sid"]) if has_more else None,
        "previous_page_uri": uri(query.page - 1) if query.page > 0 else None,
        "page": query.page,
        "page_size": query.page_size,
        "start": start,
        "uri": uri(query.page, query.page_token),
    }
