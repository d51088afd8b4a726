"""Per-resident locks: one resident's messages are handled one at a time, in order.

Twilio can deliver two texts from the same person at once; without a lock both would read the
same state and one answer would be lost. Across processes the lock lives in Redis; in the
embedded run (one process) a fixed set of thread locks is enough.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from redis import Redis


class LockTimeoutError(RuntimeError):
    """The resident's lock stayed taken for too long: the caller should let Twilio retry."""


class Locks(Protocol):
    def hold(self, key: str) -> AbstractContextManager[None]: ...


class LocalLocks:
    """Striped thread locks: bounded memory whatever the number of residents."""

    def __init__(self, stripes: int = 64, timeout: float = 30.0) -> None:
        self._stripes = [threading.Lock() for _ in range(stripes)]
        self._timeout = timeout

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        lock = self._stripes[hash(key) % len(self._stripes)]
        if not lock.acquire(timeout=self._timeout):
            raise LockTimeoutError("resident lock not acquired in time")
        try:
            yield
        finally:
            lock.release()


class RedisLocks:
    """Redis locks that expire, so a killed process never blocks a resident for good."""

    def __init__(self, redis: Redis, timeout: float = 30.0) -> None:
        self._redis = redis
        self._timeout = timeout

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        lock = self._redis.lock(
            f"sgwrs:lock:{key}", timeout=self._timeout, blocking_timeout=self._timeout
        )
        if not lock.acquire():
            raise LockTimeoutError("resident lock not acquired in time")
        try:
            yield
        finally:
            lock.release()
