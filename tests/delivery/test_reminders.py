"""Timers for a resident who stops mid-flow: one reminder, then expiry; no bulk texts at night."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from redis import Redis

from bot.channels.fake_twilio import FakeTwilio
from bot.runtime.clock import utc_now
from tests.delivery.support import Harness, MovableClock

pytestmark = pytest.mark.redis

RESIDENT = "+447700900123"
REMINDER = "Hello again from the council."
SMART_METERS = "Smart meters send energy use to energy firms by themselves."
ALGORITHM = "The team would add council tax and benefit records."
LONDON = ZoneInfo("Europe/London")
TIMERS = {"REMINDER_AFTER_HOURS": 24, "EXPIRE_AFTER_HOURS": 72}


def stop_at_smart_meters(harness: Harness) -> None:
    """A new resident chooses English, reads the first step and goes quiet on the second."""
    reply = harness.texts(RESIDENT, "Hi", "2", "next")[-1]
    assert reply is not None
    assert reply.startswith(SMART_METERS)


def catch_up(harness: Harness) -> None:
    """What a running worker does over time: sweep the database, run what is due."""
    harness.sweep()
    harness.run_worker()


def test_one_reminder_then_expiry_and_a_welcome_back(
    sqlite_url: str,
    make_harness: Callable[..., Harness],
    clock: MovableClock,
    fake: FakeTwilio,
    redis_db: Redis,
) -> None:
    harness = make_harness(sqlite_url, clock=clock, **TIMERS)
    stop_at_smart_meters(harness)
    quiet_since = clock()
    participant = harness.participant(RESIDENT)
    # Redis restarts while the resident is quiet: the timers are rows, the sweep finds them.
    redis_db.flushdb()

    clock.advance(hours=23, minutes=59)
    catch_up(harness)
    assert fake.messages == []

    clock.advance(minutes=2)
    catch_up(harness)
    [reminder] = fake.messages
    assert reminder.to == RESIDENT
    assert reminder.body is not None
    assert reminder.body.startswith(REMINDER)
    assert SMART_METERS in reminder.body  # the question they stopped at, again
    [row] = harness.outbox()
    assert (row.purpose, row.priority, row.status) == ("reminder", "bulk", "sent")

    for hours in (1, 12, 24):
        clock.advance(hours=hours)
        catch_up(harness)
    assert len(fake.messages) == 1  # never a second reminder
    assert harness.conversation_status(participant.id) == "active"

    clock.set(quiet_since + timedelta(hours=72, minutes=1))  # past EXPIRE_AFTER_HOURS
    catch_up(harness)
    assert harness.conversation_status(participant.id) == "expired"
    assert len(fake.messages) == 1  # expiry is silent

    reply = harness.text(RESIDENT, "sorry, I was away")
    assert reply is not None
    assert reply.startswith("Welcome back. Here is where we were:")
    assert SMART_METERS in reply


def test_a_resident_who_replies_in_time_gets_no_reminder_for_the_old_step(
    sqlite_url: str, make_harness: Callable[..., Harness], clock: MovableClock, fake: FakeTwilio
) -> None:
    harness = make_harness(sqlite_url, clock=clock, **TIMERS)
    stop_at_smart_meters(harness)

    clock.advance(hours=23)
    reply = harness.text(RESIDENT, "next")
    assert reply is not None
    assert reply.startswith(ALGORITHM)
    clock.advance(hours=1, minutes=1)  # the first reminder would have been due now
    catch_up(harness)
    assert fake.messages == []

    clock.advance(hours=23)  # 24 hours after their last reply: reminded about the new step
    catch_up(harness)
    [reminder] = fake.messages
    assert reminder.body is not None
    assert reminder.body.startswith(REMINDER)
    assert ALGORITHM in reminder.body
    assert SMART_METERS not in reminder.body


def test_a_reminder_due_at_night_waits_for_the_morning_but_an_answer_does_not(
    sqlite_url: str, make_harness: Callable[..., Harness], fake: FakeTwilio
) -> None:
    evening = next_local(22, 30)
    clock = MovableClock(evening.astimezone(UTC))
    harness = make_harness(
        sqlite_url,
        clock=clock,
        QUIET_HOURS_START="21:00",
        QUIET_HOURS_END="08:00",
        TIMEZONE="Europe/London",
        **TIMERS,
    )
    stop_at_smart_meters(harness)
    question_id = harness.ask_again(RESIDENT, "when will you decide?")

    clock.set(evening + timedelta(days=1))  # 22:30 the next night: the reminder is due
    ticket = harness.services.questions.answer(question_id, "In March 2027.")
    catch_up(harness)

    [answer] = fake.messages  # urgent: quiet hours or not
    assert answer.body == (
        "The council's answer to your question 'when will you decide?':\n"
        "In March 2027.\nText ASK with another question."
    )
    assert harness.outbox_row(ticket.id).status == "sent"
    [reminder] = harness.outbox(purpose="reminder")
    morning = (evening + timedelta(days=2)).replace(hour=8, minute=0)
    assert reminder.status == "pending"
    assert reminder.not_before == morning.astimezone(UTC)

    clock.set(morning - timedelta(minutes=1))
    catch_up(harness)
    assert len(fake.messages) == 1

    clock.set(morning + timedelta(seconds=1))
    catch_up(harness)
    assert len(fake.messages) == 2
    reminded = fake.messages[1]
    assert reminded.to == RESIDENT
    assert reminded.body is not None
    assert reminded.body.startswith(REMINDER)


def next_local(hour: int, minute: int) -> datetime:
    """The next time the London wall clock shows hour:minute (later than the real now, so jobs
    for it are scheduled in RQ as they would be in production, never run early)."""
    now = utc_now().astimezone(LONDON)
    moment = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return moment if moment > now + timedelta(minutes=1) else moment + timedelta(days=1)


def test_timers_replaced_by_every_text_leave_no_jobs_behind_in_redis(
    sqlite_url: str,
    make_harness: Callable[..., Harness],
    clock: MovableClock,
    fake: FakeTwilio,
    redis_db: Redis,
) -> None:
    """Each text cancels the resident's timers and sets new ones: as rows only, so nothing
    scheduled in Redis outlives a cancelled timer; the sweep queues a timer once it is due."""
    harness = make_harness(sqlite_url, clock=clock, **TIMERS)
    stop_at_smart_meters(harness)
    harness.texts(RESIDENT, "next", "next")

    assert list(redis_db.scan_iter("rq:job:sgwrs-timer-*")) == []
    assert harness.queued() == 0

    clock.advance(hours=24, minutes=1)
    assert harness.sweep()["timers"] == 1, "only the one live reminder is due"
    harness.run_worker()
    [reminder] = fake.messages
    assert reminder.body.startswith(REMINDER)
