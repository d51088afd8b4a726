"""Working days in Wales: when a reply promised "within N working days" falls due.

Residents are told an officer will reply within a number of working days (a flow's
`reply_within_working_days`, 5 unless it says otherwise). A working day is Monday to Friday and
not a bank holiday in Wales (the same days as England's, from the `holidays` package, which
ships its data: nothing is fetched). Days are counted in Europe/London, where residents live:
a question that arrives on Thursday 24 December 2026 is due on Tuesday 5 January 2027, after
Christmas, Boxing Day's substitute (Monday 28) and New Year's Day.

The rule: a reply is due by the end of the Nth working day after the day the question came,
and overdue from the next day on. Overdue is therefore the same as "came before the start of
the Nth working day before today" (`overdue_before`), which a database can count with one
indexed comparison per flow.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
#: What residents are promised when a flow does not say ("within 5 working days").
DEFAULT_REPLY_WITHIN = 5


@functools.cache
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="WLS", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def working_day_after(day: date, count: int) -> date:
    """The `count`th working day after `day` (`day` itself never counts)."""
    found = day
    while count > 0:
        found += timedelta(days=1)
        count -= is_working_day(found)
    return found


def working_day_before(day: date, count: int) -> date:
    """The `count`th working day before `day` (`day` itself never counts)."""
    found = day
    while count > 0:
        found -= timedelta(days=1)
        count -= is_working_day(found)
    return found


def working_days_between(after: date, up_to: date) -> int:
    """Working days later than `after`, up to and including `up_to`."""
    return sum(
        is_working_day(after + timedelta(days=offset))
        for offset in range(1, (up_to - after).days + 1)
    )


def london_day(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


@dataclass(frozen=True)
class ReplyDue:
    """When an answer to one question is due, and how many working days late it is now."""

    due: date
    #: 0 while it is not yet late; then the working days since the due day (at least 1).
    overdue_by: int

    @property
    def overdue(self) -> bool:
        return self.overdue_by > 0


def reply_due(created: datetime, within: int, now: datetime) -> ReplyDue:
    """`created` and `now` are aware times; the due day is a day in London."""
    due = working_day_after(london_day(created), within)
    today = london_day(now)
    late = max(1, working_days_between(due, today)) if today > due else 0
    return ReplyDue(due, late)


def overdue_before(now: datetime, within: int) -> datetime:
    """The moment (aware UTC) before which a question is overdue now: the start, in London,
    of the `within`th working day before today."""
    first_late_day = working_day_before(london_day(now), within)
    return datetime.combine(first_late_day, time(), LONDON).astimezone(UTC)
