"""Send-rate limits: real pacing against real Redis, and the same contract in one process."""

from __future__ import annotations

import functools
import math
import threading
import time
from collections.abc import Callable

import pytest
from redis import Redis

from bot.runtime.rate_limit import LocalTokenBucket, RateLimited, RateLimiter, RedisTokenBucket

SENDER = "+447700900999"

MakeBucket = Callable[..., RateLimiter]


@pytest.fixture(params=[pytest.param("redis", marks=pytest.mark.redis), "local"])
def make(request: pytest.FixtureRequest) -> MakeBucket:
    """Builds buckets of either kind: make(rate_per_second, burst=None, *, sleep=...)."""
    if request.param == "local":
        return LocalTokenBucket
    return functools.partial(RedisTokenBucket, request.getfixturevalue("redis_client"))


def _no_sleep(seconds: float) -> None:
    raise AssertionError(f"asked to sleep {seconds} s where no wait was expected")


def _assert_waits(waits: list[float], expected: list[float], since: float) -> None:
    """Waits as expected for calls made at ``since`` (a time.monotonic() reading), or shorter by
    at most the time the test has taken since: the bucket refills meanwhile. Never longer."""
    slack = time.monotonic() - since + 0.001  # seconds; plus rounding of the server's clock
    for wait, want in zip(waits, expected, strict=True):
        assert want - slack <= wait <= want + 0.001, (waits, expected, slack)


def _timed(*workers: RateLimiter, each: int) -> float:
    """Seconds for every worker, each in its own thread, to send ``each`` single segments."""
    start = threading.Barrier(len(workers) + 1)

    def run(limiter: RateLimiter) -> None:
        start.wait()
        for _ in range(each):
            limiter.acquire(SENDER)

    threads = [threading.Thread(target=run, args=(limiter,)) for limiter in workers]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.monotonic()
    for thread in threads:
        thread.join()
    return time.monotonic() - began


@pytest.mark.redis
def test_single_segments_go_at_the_rate_through_redis(redis_client: Redis) -> None:
    assert _timed(RedisTokenBucket(redis_client, 200.0, 1), each=400) == pytest.approx(
        2.0, rel=0.10
    )


@pytest.mark.redis
def test_two_workers_on_one_sender_share_the_rate(redis_client: Redis) -> None:
    workers = [RedisTokenBucket(redis_client, 200.0, 1), RedisTokenBucket(redis_client, 200.0, 1)]
    assert _timed(*workers, each=200) == pytest.approx(2.0, rel=0.10)


# In process: the same rate over half as many sends, to keep the suite quick.
def test_single_segments_go_at_the_rate_in_process() -> None:
    assert _timed(LocalTokenBucket(200.0, 1), each=200) == pytest.approx(1.0, rel=0.10)


def test_two_threads_on_one_sender_share_the_rate() -> None:
    bucket = LocalTokenBucket(200.0, 1)
    assert _timed(bucket, bucket, each=100) == pytest.approx(1.0, rel=0.10)


def test_callers_are_given_successive_slots(make: MakeBucket) -> None:
    slept: list[float] = []
    bucket = make(1.0, 1, sleep=slept.append)
    since = time.monotonic()
    waits = [bucket.acquire(SENDER) for _ in range(4)]
    _assert_waits(waits, [0.0, 1.0, 2.0, 3.0], since)
    assert slept == waits[1:]


def test_a_long_message_is_charged_per_segment(make: MakeBucket) -> None:
    bucket = make(1.0, 10, sleep=lambda seconds: None)
    since = time.monotonic()
    assert bucket.acquire(SENDER, cost=10) == 0.0  # a full bucket pays for all ten at once
    _assert_waits([bucket.acquire(SENDER, cost=3)], [3.0], since)  # 3 segments at 1/s


def test_a_message_longer_than_the_burst_waits_for_a_full_bucket_then_leaves_debt(
    make: MakeBucket,
) -> None:
    bucket = make(1.0, 1, sleep=lambda seconds: None)
    since = time.monotonic()
    bucket.acquire(SENDER)
    # Ten segments against a one-segment bucket: granted once it is full again (1 s), not never.
    long_wait = bucket.acquire(SENDER, cost=10)
    with pytest.raises(RateLimited) as raised:
        bucket.acquire(SENDER, block=False)
    # ... and the other nine are repaid before the next segment: 1 + 9 + 1 s from the start.
    _assert_waits([long_wait, raised.value.retry_after], [1.0, 11.0], since)


def test_non_blocking_acquire_grants_or_says_when_to_retry(make: MakeBucket) -> None:
    bucket = make(1.0, 1, sleep=_no_sleep)
    since = time.monotonic()
    assert bucket.acquire(SENDER, block=False) == 0.0
    with pytest.raises(RateLimited) as raised:
        bucket.acquire(SENDER, block=False)
    _assert_waits([raised.value.retry_after], [1.0], since)  # one segment at 1/s


def test_a_wait_beyond_max_wait_raises_and_takes_nothing(make: MakeBucket) -> None:
    slept: list[float] = []
    bucket = make(1.0, 1, sleep=slept.append)
    since = time.monotonic()
    bucket.acquire(SENDER)
    with pytest.raises(RateLimited) as raised:
        bucket.acquire(SENDER, max_wait=0.1)
    waited = bucket.acquire(SENDER)
    _assert_waits([raised.value.retry_after, waited], [1.0, 1.0], since)  # not 2: none taken
    assert slept == [waited]


def test_each_sender_has_its_own_budget(make: MakeBucket) -> None:
    bucket = make(1.0, 1, sleep=_no_sleep)
    assert bucket.acquire("+447700900001", block=False) == 0.0
    assert bucket.acquire("+447700900002", block=False) == 0.0
    with pytest.raises(RateLimited):
        bucket.acquire("+447700900001", block=False)


def test_burst_defaults_to_one_second_of_sending(make: MakeBucket) -> None:
    assert make(0.5).burst == 1.0
    assert make(100.0).burst == 100.0


@pytest.mark.parametrize(
    ("rate", "burst", "cost", "max_wait", "message"),
    [
        pytest.param(0.0, None, 1, 30.0, "rate_per_second", id="zero-rate"),
        pytest.param(-1.0, None, 1, 30.0, "rate_per_second", id="negative-rate"),
        pytest.param(math.inf, None, 1, 30.0, "rate_per_second", id="infinite-rate"),
        pytest.param(1.0, 0.0, 1, 30.0, "burst", id="zero-burst"),
        pytest.param(1.0, math.nan, 1, 30.0, "burst", id="nan-burst"),
        pytest.param(1.0, None, 0, 30.0, "cost", id="zero-cost"),
        pytest.param(1.0, None, 1, -1.0, "max_wait", id="negative-max-wait"),
    ],
)
def test_nonsense_knobs_are_refused(
    make: MakeBucket, rate: float, burst: float | None, cost: int, max_wait: float, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        make(rate, burst).acquire(SENDER, cost, max_wait=max_wait)


@pytest.mark.redis
def test_an_idle_sender_key_expires_once_its_bucket_is_full_again(redis_client: Redis) -> None:
    RedisTokenBucket(redis_client, 2.0, 4).acquire(SENDER, cost=3)
    assert redis_client.keys() == [f"sgwrs:rate:{SENDER}".encode()]
    assert (
        0 < redis_client.pttl(f"sgwrs:rate:{SENDER}") <= 1501
    )  # 3 segments refill at 2/s in 1.5 s


def test_a_local_bucket_refills_with_elapsed_time_up_to_the_burst() -> None:
    now = [0.0]
    bucket = LocalTokenBucket(10.0, 5, sleep=_no_sleep, clock=lambda: now[0])
    bucket.acquire(SENDER, cost=5, block=False)
    now[0] = 0.2  # two segments back
    bucket.acquire(SENDER, cost=2, block=False)
    with pytest.raises(RateLimited) as raised:
        bucket.acquire(SENDER, block=False)
    assert raised.value.retry_after == pytest.approx(0.1)
    now[0] = 100.0  # a long idle spell refills to the burst, no further
    bucket.acquire(SENDER, cost=5, block=False)
    with pytest.raises(RateLimited):
        bucket.acquire(SENDER, block=False)
