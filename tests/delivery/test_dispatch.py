"""The queue re-creates jobs a dead worker orphaned, and leaves live ones alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from redis import Redis

from bot.runtime.queue import BULK_QUEUE, RqQueue, outbox_job_id
from bot.store.outbox import OutboxTicket

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
TICKET = OutboxTicket(id=7, attempts=0, priority="bulk", not_before=NOW)


def rq_queue(redis: Redis) -> RqQueue:
    return RqQueue(redis, timedelta(seconds=30), clock=lambda: NOW)


def test_a_queued_job_is_not_queued_twice(redis_db: Redis) -> None:
    rq = rq_queue(redis_db)
    rq.enqueue([TICKET])
    rq.enqueue([TICKET])
    assert rq.queues[BULK_QUEUE].job_ids == [outbox_job_id(TICKET)]


def test_a_job_taken_off_the_queue_by_a_worker_that_died_is_queued_again(
    redis_db: Redis,
) -> None:
    """A worker killed between taking a job and starting it leaves it 'queued' but nowhere."""
    rq = rq_queue(redis_db)
    rq.enqueue([TICKET])
    queue = rq.queues[BULK_QUEUE]
    redis_db.lpop(queue.key)  # what the dead worker's dequeue did
    assert queue.job_ids == []
    rq.enqueue([TICKET])
    assert queue.job_ids == [outbox_job_id(TICKET)]


def test_a_row_due_later_is_scheduled_once(redis_db: Redis) -> None:
    rq = rq_queue(redis_db)
    later = OutboxTicket(id=8, attempts=1, priority="bulk", not_before=NOW + timedelta(minutes=5))
    rq.enqueue([later])
    rq.enqueue([later])
    registry = rq.queues[BULK_QUEUE].scheduled_job_registry
    assert registry.get_job_ids() == [outbox_job_id(later)]
    assert rq.queues[BULK_QUEUE].job_ids == []
