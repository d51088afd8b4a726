"""Background loops: the embedded run's in-process worker, and the worker's sweeper.

Both are the same small loop (tick, then wait for the interval or a wake-up) around code the
RQ jobs also run, so a laptop demo behaves like production, only in one process.
"""

from __future__ import annotations

import logging
import threading

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.runtime.container import Container
from bot.runtime.queue import InlineQueue

log = logging.getLogger(__name__)


class _Loop:
    """Calls `tick` every sweep interval, or at once when `wake_up` is set, until stopped."""

    name = "sgwrs-loop"

    def __init__(self, services: Container, wake_up: threading.Event | None = None) -> None:
        self.services = services
        self.wake_up = wake_up or threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.wake_up.set()
        self._thread.join(timeout=10)

    def tick(self) -> object:
        raise NotImplementedError

    def _run(self) -> None:
        interval = self.services.settings.sweep_interval_seconds
        while not self._stop.is_set():
            self.wake_up.clear()
            try:
                self.tick()
            except (RedisConnectionError, RedisTimeoutError, ConnectionError) as error:
                # Redis is restarting: one line a round, not a traceback; the next round retries
                log.warning("%s_waiting_for_redis error=%s", self.name, type(error).__name__)
            except Exception:  # a failed round must not stop the loop; the next one retries
                log.exception("%s_error", self.name)
            self.wake_up.wait(timeout=interval)


class InlinePump(_Loop):
    """Without Redis: delivers due sends, fires due timers and fetches callers' recordings in
    this process."""

    name = "sgwrs-pump"

    def __init__(self, services: Container) -> None:
        if not isinstance(services.queue, InlineQueue):
            raise ValueError("the in-process pump is for runs without REDIS_URL")
        super().__init__(services, services.queue.wake_up)

    def tick(self) -> int:
        """Fire every due timer, then deliver every due send; returns how many were handled."""
        self.services.sweep.purge()
        deferred = self.services.sweep.rerun_deferred()
        timers = self.services.sweep.due_work().timers
        for timer_id in timers:
            self.services.inbound.fire_timer(timer_id)
        sends = self.services.sweep.due_work().sends
        for ticket in sends:
            self.services.delivery.deliver(ticket.id)
        recordings = self.services.recordings.run_due()
        return deferred + len(timers) + len(sends) + recordings


class Sweeper(_Loop):
    """With Redis: puts jobs Redis lost (restart, flush, killed worker) back on the queues."""

    name = "sgwrs-sweeper"

    def tick(self) -> dict[str, int]:
        return self.services.sweep.run()
