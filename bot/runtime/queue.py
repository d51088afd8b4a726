"""Getting work to a worker: RQ on Redis in production, an in-process pump without Redis.

Both only ever carry ids. The database says what is due; a queue just says "look now".
Job ids are derived from the row (outbox id + attempt, timer id), so the sweep can tell
whether a job already exists and re-create only the ones Redis lost.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Protocol

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.queue import EnqueueData
from rq.serializers import JSONSerializer

from bot.runtime.clock import Clock, as_utc, utc_now
from bot.store.outbox import OutboxTicket


class QueueUnavailableError(RuntimeError):
    """Redis did not answer. The rows are safe in the database; the sweep queues them later."""


URGENT_QUEUE = "sgwrs-urgent"
BULK_QUEUE = "sgwrs-bulk"
#: Workers listen in this order, so a one-to-one answer never waits behind a broadcast.
QUEUE_ORDER = (URGENT_QUEUE, BULK_QUEUE)
DELIVER = "bot.runtime.jobs.deliver_outbox"
FETCH_RECORDING = "bot.runtime.jobs.fetch_recording"
DELETE_RECORDING = "bot.runtime.jobs.delete_recording_at_twilio"
#: A finished job is dropped at once (nothing reads its result: the outbox row says what
#: happened); a failed one is kept a day, to look into.
JOB_OPTIONS = {"result_ttl": 0, "failure_ttl": 86400}


class JobQueue(Protocol):
    def enqueue(self, tickets: Iterable[OutboxTicket]) -> None: ...

    def enqueue_timer(self, timer_id: int, due_at: datetime) -> None: ...

    def enqueue_recording(self, recording_id: int) -> None:
        """Fetch a caller's recording from Twilio (bot.core.recordings)."""
        ...

    def enqueue_recording_deletion(self, deletion_id: int) -> None:
        """Delete a recording at Twilio (bot.core.recordings)."""
        ...

    def forget(self, tickets: Iterable[OutboxTicket], timer_ids: Iterable[int]) -> None:
        """Drop the jobs of rows that were erased: no trace of them stays in the queue."""
        ...

    @property
    def mode(self) -> str: ...


def outbox_job_id(ticket: OutboxTicket) -> str:
    """Changes whenever the row is tried again or rescheduled, so each try has its own job."""
    return f"sgwrs-outbox-{ticket.id}-{ticket.attempts}-{int(ticket.not_before.timestamp())}"


def timer_job_id(timer_id: int) -> str:
    return f"sgwrs-timer-{timer_id}"


def recording_job_id(recording_id: int) -> str:
    return f"sgwrs-recording-{recording_id}"


def recording_deletion_job_id(deletion_id: int) -> str:
    return f"sgwrs-recording-deletion-{deletion_id}"


class RqQueue:
    """Enqueues jobs on Redis; a job scheduled for later uses RQ's scheduler (enqueue_at)."""

    mode = "rq"

    def __init__(self, redis: Redis, lost_after: timedelta, clock: Clock = utc_now) -> None:
        self.redis = redis
        self.clock = clock
        #: A job marked started this long ago belonged to a worker that died (SIGKILL, OOM).
        self.lost_after = lost_after
        self.queues = {
            name: Queue(name, connection=redis, serializer=JSONSerializer) for name in QUEUE_ORDER
        }

    def _enqueue(self, queue: Queue, func: str, job_id: str, arg: int, at: datetime) -> None:
        if self._job_alive(job_id, queue):
            return
        if at > self.clock():
            queue.enqueue_at(at, func, arg, job_id=job_id, **JOB_OPTIONS)
        else:
            queue.enqueue(func, arg, job_id=job_id, **JOB_OPTIONS)

    def _job_alive(self, job_id: str, queue: Queue) -> bool:
        try:
            job = Job.fetch(job_id, connection=self.redis, serializer=JSONSerializer)
        except NoSuchJobError:
            return False
        return self._still_runs(job, queue)

    def _still_runs(self, job: Job, queue: Queue) -> bool:
        """Whether a job will still run: then it is left alone. A finished or failed job, or one
        orphaned by a worker that died (taken off the queue but never started, or started long
        ago), is deleted so the row gets a new one."""
        job_id = job.id
        status = job.get_status(refresh=False)
        if status == JobStatus.QUEUED:
            alive = job.get_position() is not None
        elif status == JobStatus.SCHEDULED:
            alive = job_id in queue.scheduled_job_registry
        elif status == JobStatus.STARTED:
            started = job.started_at
            alive = started is not None and as_utc(started) > self.clock() - self.lost_after
        else:
            alive = status == JobStatus.DEFERRED
        if not alive:
            job.delete()
        return alive

    def enqueue(self, tickets: Iterable[OutboxTicket]) -> None:
        """A job per row. Rows due now (a broadcast's thousands) go in one round trip: their
        jobs are looked up together and the missing ones written in one pipeline."""
        tickets = list(tickets)
        try:
            now = self.clock()
            later = [ticket for ticket in tickets if ticket.not_before > now]
            for ticket in later:
                self._enqueue(
                    self._queue_for(ticket),
                    DELIVER,
                    outbox_job_id(ticket),
                    ticket.id,
                    ticket.not_before,
                )
            self._enqueue_due([ticket for ticket in tickets if ticket.not_before <= now])
        except (RedisConnectionError, RedisTimeoutError) as error:
            raise QueueUnavailableError("Redis did not answer") from error

    def _queue_for(self, ticket: OutboxTicket) -> Queue:
        return self.queues[URGENT_QUEUE if ticket.priority == "urgent" else BULK_QUEUE]

    def _enqueue_due(self, tickets: list[OutboxTicket]) -> None:
        if not tickets:
            return
        ids = [outbox_job_id(ticket) for ticket in tickets]
        found = Job.fetch_many(ids, connection=self.redis, serializer=JSONSerializer)
        by_queue: dict[str, list[EnqueueData]] = {}
        for ticket, job_id, job in zip(tickets, ids, found, strict=True):
            queue = self._queue_for(ticket)
            if job is not None and self._still_runs(job, queue):
                continue
            by_queue.setdefault(queue.name, []).append(
                Queue.prepare_data(DELIVER, (ticket.id,), job_id=job_id, **JOB_OPTIONS)
            )
        with self.redis.pipeline() as pipeline:
            for name, datas in by_queue.items():
                self.queues[name].enqueue_many(datas, pipeline=pipeline)
            pipeline.execute()

    def enqueue_timer(self, timer_id: int, due_at: datetime) -> None:
        queue = self.queues[BULK_QUEUE]
        try:
            self._enqueue(
                queue, "bot.runtime.jobs.fire_timer", timer_job_id(timer_id), timer_id, due_at
            )
        except (RedisConnectionError, RedisTimeoutError) as error:
            raise QueueUnavailableError("Redis did not answer") from error

    def enqueue_recording(self, recording_id: int) -> None:
        self._enqueue_now(FETCH_RECORDING, recording_job_id(recording_id), recording_id)

    def enqueue_recording_deletion(self, deletion_id: int) -> None:
        self._enqueue_now(DELETE_RECORDING, recording_deletion_job_id(deletion_id), deletion_id)

    def _enqueue_now(self, func: str, job_id: str, arg: int) -> None:
        """A job for now on the bulk queue: a recording waits safely behind a text."""
        try:
            self._enqueue(self.queues[BULK_QUEUE], func, job_id, arg, self.clock())
        except (RedisConnectionError, RedisTimeoutError) as error:
            raise QueueUnavailableError("Redis did not answer") from error

    def forget(self, tickets: Iterable[OutboxTicket], timer_ids: Iterable[int]) -> None:
        """Delete each job (and its place in every registry), whatever state it is in."""
        ids = [outbox_job_id(ticket) for ticket in tickets]
        ids += [timer_job_id(timer_id) for timer_id in timer_ids]
        for job in Job.fetch_many(ids, connection=self.redis, serializer=JSONSerializer):
            if job is not None:
                job.delete()


class InlineQueue:
    """Without Redis: wake the in-process pump, which finds due work in the database itself."""

    mode = "inline"

    def __init__(self) -> None:
        self.wake_up = threading.Event()

    def enqueue(self, tickets: Iterable[OutboxTicket]) -> None:
        if list(tickets):
            self.wake_up.set()

    def enqueue_timer(self, timer_id: int, due_at: datetime) -> None:
        """Timers are found by the pump's sweep when due; nothing to do now."""

    def enqueue_recording(self, recording_id: int) -> None:
        """The pump fetches every recording waiting (bot.core.recordings): look now."""
        self.wake_up.set()

    def enqueue_recording_deletion(self, deletion_id: int) -> None:
        self.wake_up.set()

    def forget(self, tickets: Iterable[OutboxTicket], timer_ids: Iterable[int]) -> None:
        """In-process work is found in the database, where erased rows no longer are."""
