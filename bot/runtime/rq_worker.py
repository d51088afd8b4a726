"""RQ's worker loop, kept going through Redis restarts and connection resets.

RQ retries a lost connection only while it waits for a job; anywhere else (finishing a job,
its heartbeat, the scheduler) a Redis error ends `work()`, by raising or by returning, and
`sgwrs worker` would exit with sends still due. Here the loop starts again after a wait that
doubles from 1 s to 30 s, with a log line (no numbers or bodies: RQ's own lines carry job ids
and Redis's address only). Only a stop asked for by a signal (SIGTERM, Ctrl+C) ends it.

Nothing is lost meanwhile: the database holds every unsent row, and the sweep queues them
again once Redis answers, however empty it came back. PostgreSQL restarts are survived by the
engine's pre-ping (bot.store.db), and a job that failed on one is re-queued by the sweep.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from types import FrameType

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import Queue, SimpleWorker
from rq.exceptions import StopRequested
from rq.serializers import JSONSerializer

log = logging.getLogger(__name__)

#: The first wait before starting the loop again, and the longest (it doubles in between).
FIRST_WAIT_S = 1.0
LONGEST_WAIT_S = 30.0


class SgwrsWorker(SimpleWorker):
    """RQ's in-process worker, remembering whether a signal asked it to stop (RQ ends `work()`
    the same way for a stop and for a Redis error)."""

    stop_asked = False

    def request_stop(self, signum: int, frame: FrameType | None) -> None:
        self.stop_asked = True
        super().request_stop(signum, frame)


def work_forever(
    queues: Sequence[Queue],
    redis: Redis,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Run the worker (with RQ's scheduler) until a signal stops it, whatever Redis does."""
    wait = FIRST_WAIT_S
    while True:
        began = time.monotonic()
        worker: SgwrsWorker | None = None
        try:
            worker = SgwrsWorker(queues, connection=redis, serializer=JSONSerializer)
            worker.work(with_scheduler=True)
            reason = "worker_loop_ended"
        except (RedisConnectionError, RedisTimeoutError, ConnectionError) as error:
            reason = type(error).__name__  # ConnectionError: a reset redis-py did not wrap
        except StopRequested:  # a signal while RQ was not inside its own loop
            return
        if worker is not None and worker.stop_asked:
            return
        if time.monotonic() - began > LONGEST_WAIT_S:
            wait = FIRST_WAIT_S  # it ran a good while: this is a new outage, not the same one
        log.warning("worker_redis_lost reason=%s restart_in_s=%g", reason, wait)
        try:
            sleep(wait)
        except StopRequested:  # RQ's signal handler is still the last worker's
            return
        if worker is not None and worker.stop_asked:
            return
        wait = min(wait * 2, LONGEST_WAIT_S)
