"""Quiet hours: the local night-time window in which Sgwrs sends nothing that can wait.

A text that buzzes at 2 a.m. wakes a resident and costs their trust, so jobs that are not an
immediate reply ask ``next_allowed`` and reschedule to that moment. The window is set in local
wall-clock time (Europe/London by default), so it follows the clocks through BST and GMT.

Each local day has one window, from ``start`` on that day to ``end`` on the same day (when
start < end) or the next (when it crosses midnight). Wall times are turned into instants the way
zoneinfo does (PEP 495, ``fold=0``): a time repeated when the clocks go back means its first
occurrence, and a time skipped when they go forward is read on the old offset, so a window edge
inside the skipped hour moves an hour later. ``contains`` and ``next_allowed`` both use these
instants, so they always agree.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_HH_MM = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


def _parse_time(value: str, name: str) -> time:
    match = _HH_MM.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"quiet hours {name} must be 24-hour HH:MM, like '21:00'; got {value!r}")
    return time(int(match[1]), int(match[2]))


def _parse_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise ValueError(
            f"quiet hours time zone must be an IANA name like 'Europe/London'; got {name!r}"
        ) from error


class QuietHours:
    """A daily window, in local time, in which deferrable messages wait. start == end: none."""

    def __init__(self, start: str = "21:00", end: str = "08:00", tz: str = "Europe/London") -> None:
        self.start = _parse_time(start, "start")  # local wall-clock time the window opens
        self.end = _parse_time(end, "end")  # local wall-clock time it closes (exclusive)
        self.tz = _parse_zone(tz)

    def contains(self, moment: datetime) -> bool:
        """Whether ``moment`` (timezone-aware) falls inside quiet hours."""
        return self._window(moment) is not None

    def next_allowed(self, moment: datetime) -> datetime:
        """``moment`` itself when sending is allowed, else the UTC instant quiet hours end."""
        window = self._window(moment)
        return moment if window is None else window[1]

    def _window(self, moment: datetime) -> tuple[datetime, datetime] | None:
        """The (start, end) UTC instants of the window holding ``moment``, if any."""
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("moment must be timezone-aware (UTC), not naive")
        if self.start == self.end:
            return None
        moment = moment.astimezone(UTC)  # same-zone comparisons would ignore the offset
        today = moment.astimezone(self.tz).date()
        crosses_midnight = self.end < self.start
        for day in (today - timedelta(days=1), today):  # a window crossing midnight began yesterday
            start = self._instant(day, self.start)
            end = self._instant(day + timedelta(days=1) if crosses_midnight else day, self.end)
            if start <= moment < end:
                return start, end
        return None

    def _instant(self, day: date, wall: time) -> datetime:
        return datetime.combine(day, wall, tzinfo=self.tz).astimezone(UTC)
