"""Dates and times as officers read them: UK time, short month names, in English or Welsh.

The database keeps UTC; every page shows UK time, and the date filters read UK days, so both
use the one `UK` zone here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from admin.i18n import translate
from bot.runtime.clock import as_utc

try:
    UK: tzinfo = ZoneInfo("Europe/London")
except ZoneInfoNotFoundError:  # no time zone database on this machine: show UTC, not fail
    UK = UTC

#: English short month names; the common catalogue has the Welsh.
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def short_date(day: date) -> str:
    """'5 Mar' (or '5 Maw' in Welsh)."""
    return f"{day.day} {translate(MONTHS[day.month - 1])}"


def uk_time(value: datetime | None, time_only: bool = False) -> str:
    """'3 Mar 2025, 14:05' (or '14:05') in UK time; an empty string for no time.

    Installed as the `uk_time` template filter by `init_admin`.
    """
    if value is None:
        return ""
    local = as_utc(value).astimezone(UK)
    if time_only:
        return f"{local:%H:%M}"
    return f"{short_date(local)} {local:%Y, %H:%M}"
