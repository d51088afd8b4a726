"""When a question's answer is due, in an officer's words: "Due Tue 8 Dec", "Overdue by 2
working days" (bot.runtime.working_days counts the days; this only says them)."""

from __future__ import annotations

from datetime import date

from admin.dates import short_date
from admin.i18n import translate
from bot.runtime.working_days import ReplyDue

#: A weekday before a date, Monday first; the questions catalogue has the Welsh ("dydd Mawrth").
WEEKDAYS = (
    "Mon {date}",
    "Tue {date}",
    "Wed {date}",
    "Thu {date}",
    "Fri {date}",
    "Sat {date}",
    "Sun {date}",
)


def day_and_date(day: date) -> str:
    """'Tue 8 Dec' (or 'dydd Mawrth 8 Rhag')."""
    return translate(WEEKDAYS[day.weekday()], date=short_date(day))


def due_words(due: ReplyDue) -> str:
    if due.overdue_by == 1:
        return translate("Overdue by 1 working day")
    if due.overdue:
        return translate("Overdue by {count} working days", count=due.overdue_by)
    return translate("Due {day}", day=day_and_date(due.due))
