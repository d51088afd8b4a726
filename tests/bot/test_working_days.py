"""Working days in Wales: the promised reply time, counted past weekends and bank holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.runtime.working_days import (
    LONDON,
    is_working_day,
    overdue_before,
    reply_due,
    working_day_after,
)


def london(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=LONDON)


def test_a_question_on_christmas_eve_is_due_after_christmas_boxing_day_and_new_year() -> None:
    # Thu 24 Dec 2026: Fri 25 Christmas, Mon 28 Boxing Day's substitute, Fri 1 Jan New Year.
    assert not is_working_day(date(2026, 12, 25))
    assert not is_working_day(date(2026, 12, 28))
    assert not is_working_day(date(2027, 1, 1))
    due = reply_due(london(2026, 12, 24, 16), 5, london(2026, 12, 24, 17))
    assert due.due == date(2027, 1, 5)
    assert not due.overdue
    assert not reply_due(london(2026, 12, 24), 5, london(2027, 1, 5, 23)).overdue
    late = reply_due(london(2026, 12, 24), 5, london(2027, 1, 6, 9))
    assert (late.overdue, late.overdue_by) == (True, 1)


def test_a_week_without_holidays_is_due_five_working_days_on() -> None:
    assert working_day_after(date(2026, 12, 1), 5) == date(2026, 12, 8)  # Tue to Tue
    assert working_day_after(date(2026, 12, 5), 5) == date(2026, 12, 11)  # Sat: Mon to Fri
    late = reply_due(london(2026, 12, 1), 5, london(2026, 12, 10))
    assert (late.due, late.overdue_by) == (date(2026, 12, 8), 2)  # Wed 9 and Thu 10


def test_easter_and_the_welsh_bank_holidays_are_not_working_days() -> None:
    for holiday in (date(2027, 3, 26), date(2027, 3, 29), date(2027, 5, 3), date(2027, 8, 30)):
        assert not is_working_day(holiday), holiday
    assert is_working_day(date(2027, 3, 30))


def test_days_are_london_days_not_utc_days() -> None:
    # 23:30 UTC on Sunday 31 May 2026 is already Monday 1 June in London (summer time).
    sunday_night = datetime(2026, 5, 31, 23, 30, tzinfo=UTC)
    assert reply_due(sunday_night, 1, sunday_night).due == date(2026, 6, 2)
    assert reply_due(sunday_night - timedelta(hours=1), 1, sunday_night).due == date(2026, 6, 1)


@pytest.mark.parametrize("within", [1, 3, 5, 10])
def test_overdue_before_agrees_with_each_questions_due_day(within: int) -> None:
    """The one comparison a database makes gives the same answer as the question's due day."""
    now = london(2027, 1, 6, 9)
    cutoff = overdue_before(now, within)
    start = datetime(2026, 12, 1, tzinfo=UTC)
    for hours in range(0, 37 * 24, 5):
        created = start + timedelta(hours=hours)
        assert reply_due(created, within, now).overdue == (created < cutoff), created
