"""The dispatcher re-creates jobs a dead worker orphaned, and leaves live ones alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from redis import Redis

from bot.runtime.queue import BULK_QUEUE, RqDispatcher, outbox_job_id
from bot.store.outbox import OutboxTicket

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
TICKET = OutboxTicket(id=7, attempts=0, priority="bulk", not_before=NOW)


def dispatcher(redis: Redis) -> RqDispatcher:
    return RqDispatcher(redis, timedelta(seconds=30), clock=lambda: NOW)


def test_a_queued_job_is_not_queued_twice(redis_db: Redis) -> None:
    rq = dispatcher(redis_db)
    rq.send([TICKET])
    rq.send([TICKET])
    assert rq.queues[BULK_QUEUE].job_ids == [outbox_job_id(TICKET)]


def test_a_job_taken_off_the_queue_by_a_worker_that_died_is_queued_again(
    redis_db: Redis,
) -> None:
    """A worker killed between taking a job and starting it leaves it 'queued' but nowhere."""
    rq = dispatcher(redis_db)
    rq.send([TICKET])
    queue = rq.queues[BULK_QUEUE]
    redis_db.lpop(queue.key)  # what the dead worker's dequeue did
    assert queue.job_ids == []
    rq.send([TICKET])
    assert queue.job_ids == [outbox_job_id(TICKET)]


def test_a_row_due_later_is_scheduled_once(redis_db: Redis) -> None:
    rq = dispatcher(redis_db)
    later = OutboxTicket(id=8, attempts=1, priority="bulk", not_before=NOW + timedelta(minutes=5))
    rq.send([later])
    rq.send([later])
    registry = rq.queues[BULK_QUEUE].scheduled_job_registry
    assert registry.get_job_ids() == [outbox_job_id(later)]
    assert rq.queues[BULK_QUEUE].job_ids == []
