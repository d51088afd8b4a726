"""Faults the design promises to survive: "a lost job, a killed worker or a Redis restart delays
a message; it never loses or repeats one" (DESIGN.md, Data rules)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from redis import Redis
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

import bot.core.delivery
from bot.channels.fake_twilio import FakeTwilio
from tests.delivery.support import (
    FLOW_ID,
    Harness,
    MovableClock,
    Resident,
    WorkerProcess,
    drama_number,
    insert_residents,
    wait_for,
    worker_settings,
)

pytestmark = pytest.mark.redis

BODY_CY = "Diolch. Byddwn yn cysylltu eto yn y gwanwyn."
BODY_EN = "Thank you. We will be in touch again in the spring."
RESIDENT = "+447700900123"


def broadcast_to(harness: Harness, count: int) -> list[str]:
    """`count` English-speaking residents who asked to hear back, and a started broadcast."""
    numbers = [drama_number(i) for i in range(count)]
    insert_residents(harness.services, (Resident(number, "en") for number in numbers))
    broadcasts = harness.services.broadcasts
    broadcast_id = broadcasts.create(FLOW_ID, BODY_CY, BODY_EN, created_by="officer@example.test")
    assert broadcasts.start(broadcast_id) == count
    return numbers


def test_redis_flushed_mid_broadcast_each_resident_still_gets_it_once(
    sqlite_url: str, make_harness: Callable[..., Harness], fake: FakeTwilio, redis_db: Redis
) -> None:
    harness = make_harness(sqlite_url)
    numbers = broadcast_to(harness, 200)

    harness.run_worker(max_jobs=50)
    assert len(fake.messages) == 50
    redis_db.flushdb()  # a Redis restart without persistence: every queued job is gone
    assert harness.queued() == 0

    recovered = harness.sweep()
    harness.run_worker()

    assert recovered["sends"] == 150
    assert Counter(m.to for m in fake.messages) == Counter(numbers)
    assert harness.statuses() == {"sent": 200}


def test_a_worker_killed_mid_broadcast_sends_each_text_once(
    pg_url: str, make_harness: Callable[..., Harness], fake: FakeTwilio, tmp_path: Path
) -> None:
    """Two real `sgwrs worker` processes on PostgreSQL; the first is SIGKILLed while sending.

    A row claimed when the worker died stays `sending`; after LOST_SEND_AFTER_SECONDS the
    sweep asks Twilio about it (bot/core/delivery.py) and sends it again only if Twilio never
    had it. So: every resident exactly once, crash or not.
    """
    harness = make_harness(pg_url)
    settings = worker_settings(
        pg_url,
        fake,
        SEND_RATE_PER_SECOND=40,  # 150 texts take about 4 s: time to kill it mid-way
        SWEEP_INTERVAL_SECONDS=1,
        LOST_SEND_AFTER_SECONDS=3,
    )
    workers = [WorkerProcess(settings, tmp_path / "worker-1.log")]
    try:
        workers[0].wait_until_listening()
        numbers = broadcast_to(harness, 150)
        wait_for(lambda: len(fake.messages) >= 60, 30, "the first worker to send 60 texts")
        workers[0].kill()
        sent_before_the_crash = len(fake.messages)
        assert sent_before_the_crash < 150, "the first worker finished before it was killed"

        workers.append(WorkerProcess(settings, tmp_path / "worker-2.log"))
        wait_for(
            lambda: set(harness.statuses()) <= {"sent", "failed"},
            60,
            "every row to be sent after the crash",
        )
    finally:
        for worker in workers:
            worker.kill()

    received = Counter(m.to for m in fake.messages)
    assert set(received) == set(numbers), "a resident got nothing"
    duplicates = sum(count - 1 for count in received.values())
    assert duplicates == 0, f"{duplicates} duplicate texts for one crash"
    assert harness.statuses() == {"sent": 150}


# -- the sweep must re-create any job that will not deliver its row -------------------------------


def test_a_job_that_crashed_before_claiming_its_row_is_recreated_by_the_sweep(
    sqlite_url: str,
    make_harness: Callable[..., Harness],
    fake: FakeTwilio,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A database blip makes a delivery job raise before it claims its row: the row is still
    pending and due, and the job is in RQ's failed registry. The sweep must hand the row on
    again ("a lost job delays a message"), not wait for the failed job to expire."""
    harness = make_harness(sqlite_url)
    question_id = harness.ask(RESIDENT, "when will you decide?")
    ticket = harness.services.questions.answer(question_id, "In March 2027.")
    claim = bot.core.delivery.claim_outbox_message
    blips = [OperationalError("UPDATE outbox", {}, Exception("connection reset"))]

    def claim_after_a_blip(session: Session, outbox_id: int, now: object) -> bool:
        if blips:
            raise blips.pop()
        return claim(session, outbox_id, now)  # type: ignore[arg-type]

    monkeypatch.setattr(bot.core.delivery, "claim_outbox_message", claim_after_a_blip)
    harness.run_worker(allow_failed=True)
    assert fake.messages == []
    assert harness.outbox_row(ticket.id).status == "pending"

    harness.sweep()
    harness.run_worker(allow_failed=True)

    assert [m.to for m in fake.messages] == [RESIDENT]
    assert harness.outbox_row(ticket.id).status == "sent"


def test_a_retry_the_scheduler_releases_early_in_its_second_still_goes(
    sqlite_url: str, make_harness: Callable[..., Harness], fake: FakeTwilio
) -> None:
    """RQ's scheduler counts whole seconds: a job for 12:00:05.6 is queued at 12:00:05.0-ish,
    before the row's not_before, so the delivery finds it not yet due. The row must still go
    once it is due, by the sweep's next look, not wait for the finished job to expire."""
    clock = MovableClock()
    clock.advance(seconds=0.6)
    harness = make_harness(sqlite_url, clock=clock, RETRY_BACKOFF_MINUTES="5")
    question_id = harness.ask(RESIDENT, "when will you decide?")
    ticket = harness.services.questions.answer(question_id, "In March 2027.")
    fake.fail_next_rate_limited(1)
    harness.run_worker()
    due = harness.outbox_row(ticket.id).not_before
    assert due.microsecond == 600_000

    clock.set(due.replace(microsecond=100_000))  # same whole second: released, not yet due
    harness.run_worker()
    assert fake.messages == []

    clock.advance(seconds=15)  # due now, and a sweep (every 15 s) looks again
    harness.sweep()
    harness.run_worker()

    assert [m.to for m in fake.messages] == [RESIDENT]
    assert harness.outbox_row(ticket.id).status == "sent"
