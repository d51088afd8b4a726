"""Loop guard: stop sending the same text to the same person over and over.

An auto-responder ("I'm away until Monday") answering the bot, which answers back, can text for
hours and run up a bill. Sgwrs never needs to send one resident the same words more than a few
times in a few minutes, so past that the send is dropped and a warning logged. Only a SHA-256 of
participant key and body is kept: never the text, never a number.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

from redis import Redis

log = logging.getLogger(__name__)


class LoopGuard(Protocol):
    def allow(self, participant_key: str, body: str) -> bool:
        """False when this body has already been allowed to this participant ``max_repeats``
        times within the last ``window_seconds``; otherwise record this send and return True.

        ``participant_key`` should be a participant id or keyed number hash, not the raw number.
        """
        ...


def _digest(participant_key: str, body: str) -> str:
    """Length-prefixed so ('ab', 'c') and ('a', 'bc') never share a count."""
    keyed = f"{len(participant_key)}:{participant_key}{body}"
    return hashlib.sha256(keyed.encode("utf-8")).hexdigest()


def _check(max_repeats: int, window_seconds: float) -> None:
    if max_repeats < 1:
        raise ValueError(f"max_repeats must be at least 1, got {max_repeats!r}")
    if not window_seconds > 0:
        raise ValueError(f"window_seconds must be > 0, got {window_seconds!r}")


def _log_tripped(max_repeats: int, window_seconds: float) -> None:
    log.warning("loop_guard_tripped max_repeats=%d window_seconds=%g", max_repeats, window_seconds)


# KEYS[1]: sorted set of allowed sends, scored by server time in microseconds.
# ARGV: window (microseconds), max_repeats. Returns 1 when allowed (and recorded), else 0.
_ALLOW_LUA = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%.0f', now - window))
local count = redis.call('ZCARD', KEYS[1])
if count >= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], string.format('%.0f', now), string.format('%.0f:%d', now, count))
redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000))
return 1
"""


class RedisLoopGuard:
    """A sliding window per (participant, body) in Redis, shared by every worker.

    One Lua script trims, counts and records atomically, timed by the Redis server's clock; the
    key expires a window after the last allowed send.
    """

    def __init__(self, redis: Redis, max_repeats: int = 3, window_seconds: float = 600.0) -> None:
        _check(max_repeats, window_seconds)
        self.max_repeats = max_repeats  # identical sends allowed per window
        self.window_seconds = window_seconds  # seconds, sliding
        self._allow = redis.register_script(_ALLOW_LUA)

    def allow(self, participant_key: str, body: str) -> bool:
        """See ``LoopGuard.allow``."""
        allowed = self._allow(
            keys=[f"sgwrs:loop:{_digest(participant_key, body)}"],
            args=[round(self.window_seconds * 1_000_000), self.max_repeats],
        )
        if not allowed:
            _log_tripped(self.max_repeats, self.window_seconds)
        return bool(allowed)


class LocalLoopGuard:
    """The same sliding windows in this process, for the embedded run without Redis."""

    def __init__(
        self,
        max_repeats: int = 3,
        window_seconds: float = 600.0,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        _check(max_repeats, window_seconds)
        self.max_repeats = max_repeats  # identical sends allowed per window
        self.window_seconds = window_seconds  # seconds, sliding
        self._clock = clock  # seconds, monotonic
        self._lock = threading.Lock()
        self._sent: dict[str, deque[float]] = {}  # digest -> times of allowed sends, oldest first
        self._next_sweep = 0.0  # clock time after which stale digests are dropped

    def allow(self, participant_key: str, body: str) -> bool:
        """See ``LoopGuard.allow``."""
        digest = _digest(participant_key, body)
        with self._lock:
            now = self._clock()
            horizon = now - self.window_seconds  # sends at or before this no longer count
            if now >= self._next_sweep:  # at most once a window, so memory stays bounded
                self._sent = {key: sent for key, sent in self._sent.items() if sent[-1] > horizon}
                self._next_sweep = now + self.window_seconds
            sent = self._sent.setdefault(digest, deque())
            while sent and sent[0] <= horizon:
                sent.popleft()
            allowed = len(sent) < self.max_repeats
            if allowed:
                sent.append(now)
        if not allowed:
            _log_tripped(self.max_repeats, self.window_seconds)
        return allowed
