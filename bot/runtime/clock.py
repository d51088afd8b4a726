"""Time as Sgwrs sees it: timezone-aware UTC everywhere (stored as such on both databases).

Code that needs "now" takes a clock; tests pass a fixed one instead of patching datetime.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """An aware UTC time from one read back naive (SQLite and RQ keep naive UTC times)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
