"""Send-rate limits per sender, counted in SMS segments: the unit Twilio queues and bills by.

Twilio keeps one queue per sender (about 1 segment/s on a UK long code, 100/s on a short code) and
fails messages that wait there too long, so workers pace themselves instead of flooding it. The
limit is a token bucket: it holds up to ``burst`` segments and refills at ``rate_per_second``.

Semantics shared by both buckets:

- A grant *reserves* at once: ``cost`` is taken even when that leaves the bucket in debt, and the
  caller sleeps off the debt. Each caller's slot is fixed when it asks, so late wake-ups and many
  workers sharing a key do not drift from the rate.
- A message longer than the bucket (``cost > burst``) is granted as soon as the bucket is full and
  leaves it in debt: it never waits forever, and the long-run rate still counts every segment.
- ``block=True`` sleeps up to ``max_wait`` seconds. When the grant would need longer, nothing is
  taken and ``RateLimited`` says when to try again (an RQ job reschedules itself instead of
  holding a worker). ``block=False`` is the same with ``max_wait=0``.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Protocol

from redis import Redis

Sleep = Callable[[float], None]


class RateLimited(Exception):  # noqa: N818 - named in the delivery contract; reads as a condition
    """The sender's budget is spent; ``retry_after`` is the estimated wait in seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited: retry after {retry_after:.3f} s")
        self.retry_after = retry_after


class RateLimiter(Protocol):
    def acquire(
        self, sender_key: str, cost: int = 1, *, block: bool = True, max_wait: float = 30.0
    ) -> float:
        """Take ``cost`` segments from ``sender_key``'s budget; return the seconds slept.

        Raises ``RateLimited`` (taking nothing) when the wait would exceed ``max_wait`` seconds,
        or would be non-zero with ``block=False``.
        """
        ...


def _check(rate_per_second: float, burst: float | None) -> tuple[float, float]:
    """Validate the knobs; the default burst is one second's worth (at least one segment)."""
    if not 0 < rate_per_second < math.inf:
        raise ValueError(f"rate_per_second must be a positive number, got {rate_per_second!r}")
    burst = max(1.0, rate_per_second) if burst is None else float(burst)
    if not 0 < burst < math.inf:
        raise ValueError(f"burst must be a positive number, got {burst!r}")
    return float(rate_per_second), burst


def _limit(cost: int, block: bool, max_wait: float) -> float:
    """The longest this call may wait, in seconds, after checking the request makes sense."""
    if cost < 1:
        raise ValueError(f"cost is a number of segments, at least 1, got {cost!r}")
    if not max_wait >= 0:
        raise ValueError(f"max_wait is in seconds, at least 0, got {max_wait!r}")
    return max_wait if block else 0.0


# KEYS[1]: bucket hash {tokens, at (server microseconds)}.
# ARGV: rate (segments/s), burst (segments), cost (segments), max_wait (s).
# Returns {granted 0|1, wait in seconds as a string}: Lua numbers would come back truncated.
_RESERVE_LUA = """
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local cost, max_wait = tonumber(ARGV[3]), tonumber(ARGV[4])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local saved = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(saved[1]) or burst
local at = tonumber(saved[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) / 1000000 * rate)
local wait = math.max(0, (math.min(cost, burst) - tokens) / rate)
if wait > max_wait then
  return {0, tostring(wait)}
end
tokens = tokens - cost
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens),
           'at', string.format('%.0f', now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1)
return {1, tostring(wait)}
"""


class RedisTokenBucket:
    """A bucket per sender in Redis, shared by every worker on every machine.

    One Lua script refills and reserves atomically, timed by the Redis server's clock so workers
    with skewed clocks agree. A key lives only until its bucket would be full again: an idle
    sender costs nothing, and a missing key simply reads as a full bucket.
    """

    def __init__(
        self,
        redis: Redis,
        rate_per_second: float,
        burst: float | None = None,
        *,
        sleep: Sleep = time.sleep,
    ) -> None:
        # segments per second; burst in segments (what a full bucket may send at once)
        self.rate_per_second, self.burst = _check(rate_per_second, burst)
        self._sleep = sleep
        self._reserve = redis.register_script(_RESERVE_LUA)

    def acquire(
        self, sender_key: str, cost: int = 1, *, block: bool = True, max_wait: float = 30.0
    ) -> float:
        """See ``RateLimiter.acquire``."""
        limit = _limit(cost, block, max_wait)
        granted, wait = self._reserve(
            keys=[f"sgwrs:rate:{sender_key}"],
            args=[repr(self.rate_per_second), repr(self.burst), cost, repr(limit)],
        )
        if not int(granted):
            raise RateLimited(float(wait))
        wait = float(wait)
        if wait > 0:
            self._sleep(wait)
        return wait


class LocalTokenBucket:
    """The same buckets in this process, for the embedded run without Redis.

    Buckets are kept per sender key for the life of the process: keys are the service's own
    numbers, so there are only a few.
    """

    def __init__(
        self,
        rate_per_second: float,
        burst: float | None = None,
        *,
        sleep: Sleep = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # segments per second; burst in segments (what a full bucket may send at once)
        self.rate_per_second, self.burst = _check(rate_per_second, burst)
        self._sleep = sleep
        self._clock = clock  # seconds, monotonic
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # sender -> (tokens, at)

    def acquire(
        self, sender_key: str, cost: int = 1, *, block: bool = True, max_wait: float = 30.0
    ) -> float:
        """See ``RateLimiter.acquire``."""
        limit = _limit(cost, block, max_wait)
        with self._lock:
            now = self._clock()
            tokens, at = self._buckets.get(sender_key, (self.burst, now))
            tokens = min(self.burst, tokens + max(0.0, now - at) * self.rate_per_second)
            wait = max(0.0, (min(cost, self.burst) - tokens) / self.rate_per_second)
            if wait > limit:
                raise RateLimited(wait)
            self._buckets[sender_key] = (tokens - cost, now)
        if wait > 0:
            self._sleep(wait)
        return wait
