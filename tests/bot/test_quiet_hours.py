"""Quiet hours follow the local clock, through BST, GMT and both nights the clocks change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.runtime.quiet_hours import QuietHours


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# (moment UTC, what next_allowed gives; None: sending is allowed now). Default 21:00-08:00 London.
DEFAULT_CASES = [
    pytest.param("2026-01-15 20:59", None, id="winter-evening-before"),
    pytest.param("2026-01-15 21:00", "2026-01-16 08:00", id="winter-start"),
    pytest.param("2026-01-16 03:00", "2026-01-16 08:00", id="winter-small-hours"),
    pytest.param("2026-01-16 07:59:59", "2026-01-16 08:00", id="winter-last-second"),
    pytest.param("2026-01-16 08:00", None, id="winter-end"),
    pytest.param("2026-07-01 19:59", None, id="summer-2059-bst"),
    pytest.param("2026-07-01 20:00", "2026-07-02 07:00", id="summer-2100-bst"),
    pytest.param("2026-07-02 06:59", "2026-07-02 07:00", id="summer-0759-bst"),
    pytest.param("2026-07-02 07:00", None, id="summer-0800-bst"),
    # Clocks go forward at 01:00 UTC on 29 March 2026: a ten-hour night.
    pytest.param("2026-03-28 20:59", None, id="spring-eve-2059-gmt"),
    pytest.param("2026-03-28 21:00", "2026-03-29 07:00", id="spring-night-starts-gmt"),
    pytest.param("2026-03-29 00:59", "2026-03-29 07:00", id="spring-before-change"),
    pytest.param("2026-03-29 01:00", "2026-03-29 07:00", id="spring-after-change"),
    pytest.param("2026-03-29 06:59", "2026-03-29 07:00", id="spring-0759-bst"),
    pytest.param("2026-03-29 07:00", None, id="spring-ends-0800-bst"),
    pytest.param("2026-03-29 19:59", None, id="spring-day-2059-bst"),
    pytest.param("2026-03-29 20:00", "2026-03-30 07:00", id="spring-next-night-bst"),
    # Clocks go back at 01:00 UTC on 25 October 2026: a twelve-hour night, 01:xx twice.
    pytest.param("2026-10-24 19:59", None, id="autumn-eve-2059-bst"),
    pytest.param("2026-10-24 20:00", "2026-10-25 08:00", id="autumn-night-starts-bst"),
    pytest.param("2026-10-25 00:30", "2026-10-25 08:00", id="autumn-first-0130"),
    pytest.param("2026-10-25 01:30", "2026-10-25 08:00", id="autumn-second-0130"),
    pytest.param("2026-10-25 07:59", "2026-10-25 08:00", id="autumn-0759-gmt"),
    pytest.param("2026-10-25 08:00", None, id="autumn-ends-0800-gmt"),
    pytest.param("2026-10-25 20:59", None, id="autumn-day-2059-gmt"),
    pytest.param("2026-10-25 21:00", "2026-10-26 08:00", id="autumn-next-night-gmt"),
]


@pytest.mark.parametrize(("moment", "allowed_at"), DEFAULT_CASES)
def test_default_quiet_hours_in_london(moment: str, allowed_at: str | None) -> None:
    quiet = QuietHours()
    assert quiet.contains(utc(moment)) is (allowed_at is not None)
    assert quiet.next_allowed(utc(moment)) == utc(allowed_at or moment)


@pytest.mark.parametrize(
    ("window", "moment", "allowed_at"),
    [
        pytest.param(("12:00", "14:00"), "2026-07-01 10:59", None, id="day-before"),
        pytest.param(("12:00", "14:00"), "2026-07-01 11:00", "2026-07-01 13:00", id="day-bst"),
        pytest.param(("12:00", "14:00"), "2026-01-15 13:59", "2026-01-15 14:00", id="day-gmt"),
        pytest.param(("12:00", "14:00"), "2026-01-15 14:00", None, id="day-after"),
        pytest.param(("12:00", "14:00"), "2026-01-15 23:00", None, id="day-late-evening"),
        pytest.param(("09:00", "09:00"), "2026-01-15 09:00", None, id="start-equals-end"),
        pytest.param(("09:00", "09:00"), "2026-01-15 03:00", None, id="start-equals-end-night"),
        pytest.param(("22:00", "6:00"), "2026-01-15 23:59", "2026-01-16 06:00", id="one-digit"),
        pytest.param(("00:00", "07:00"), "2026-01-15 00:00", "2026-01-15 07:00", id="midnight"),
        # 01:30 is skipped on 29 March; like zoneinfo it is read on GMT: 01:30 UTC, 02:30 BST.
        pytest.param(("00:30", "01:30"), "2026-03-29 01:15", "2026-03-29 01:30", id="end-skipped"),
        # 01:30 happens twice on 25 October; the window opens at the first (BST) one.
        pytest.param(("01:30", "07:00"), "2026-10-25 00:29", None, id="start-repeated-before"),
        pytest.param(("01:30", "07:00"), "2026-10-25 00:30", "2026-10-25 07:00", id="start-rep"),
    ],
)
def test_other_windows(window: tuple[str, str], moment: str, allowed_at: str | None) -> None:
    quiet = QuietHours(*window)
    assert quiet.contains(utc(moment)) is (allowed_at is not None)
    assert quiet.next_allowed(utc(moment)) == utc(allowed_at or moment)


def test_another_zone_and_a_non_utc_moment() -> None:
    quiet = QuietHours("22:00", "07:00", "America/New_York")
    moment = datetime(2026, 7, 1, 22, 30, tzinfo=ZoneInfo("America/New_York"))
    assert quiet.contains(moment)
    assert quiet.next_allowed(moment) == utc("2026-07-02 11:00")  # 07:00 EDT
    assert quiet.next_allowed(moment).tzinfo is UTC


@pytest.mark.parametrize("days", [("2026-03-28", "2026-03-30"), ("2026-10-24", "2026-10-26")])
def test_next_allowed_is_the_first_moment_outside_quiet_hours(days: tuple[str, str]) -> None:
    """Every 5 minutes over a clock change: the answer is allowed, and just before it is not."""
    quiet = QuietHours()
    moment, last = utc(days[0]), utc(days[1])
    while moment <= last:
        allowed = quiet.next_allowed(moment)
        assert allowed >= moment
        assert not quiet.contains(allowed)
        if allowed != moment:
            assert quiet.contains(allowed - timedelta(microseconds=1))
        moment += timedelta(minutes=5)


@pytest.mark.parametrize(
    ("start", "end", "tz", "message"),
    [
        pytest.param("25:00", "08:00", "Europe/London", "start must be 24-hour HH:MM", id="hour"),
        pytest.param("21:00", "08:60", "Europe/London", "end must be 24-hour HH:MM", id="minute"),
        pytest.param("9pm", "08:00", "Europe/London", "start must be", id="words"),
        pytest.param("21.00", "08:00", "Europe/London", "start must be", id="dot"),
        pytest.param("", "08:00", "Europe/London", "start must be", id="empty"),
        pytest.param("21:00", "08:00", "Europe/Atlantis", "time zone", id="unknown-zone"),
        pytest.param("21:00", "08:00", "", "time zone", id="empty-zone"),
    ],
)
def test_bad_settings_are_refused_clearly(start: str, end: str, tz: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        QuietHours(start, end, tz)


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        QuietHours().contains(datetime(2026, 1, 15, 22, 0))
