"""The loop guard: a runaway exchange is cut off, real conversation is not, and nothing leaks."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from redis import Redis

from bot.runtime.loop_guard import LocalLoopGuard, LoopGuard, RedisLoopGuard

NUMBER = "+447700900123"
BODY = "Diolch! Thanks - we'll text you when the council replies."


@dataclass
class Rig:
    """Builds guards of one kind, and lets time pass for them."""

    make: Callable[[float], LoopGuard]  # window in seconds -> a guard with the default repeats
    wait: Callable[[float], None]  # seconds


@pytest.fixture(params=[pytest.param("redis", marks=pytest.mark.redis), "local"])
def rig(request: pytest.FixtureRequest) -> Rig:
    if request.param == "redis":  # the server's clock: real time passes
        redis = request.getfixturevalue("redis_client")
        return Rig(lambda window: RedisLoopGuard(redis, window_seconds=window), time.sleep)
    now = [0.0]

    def wait(seconds: float) -> None:
        now[0] += seconds

    return Rig(lambda window: LocalLoopGuard(window_seconds=window, clock=lambda: now[0]), wait)


def test_the_same_text_is_allowed_three_times_then_blocked(rig: Rig) -> None:
    guard = rig.make(600.0)
    assert [guard.allow(NUMBER, BODY) for _ in range(5)] == [True, True, True, False, False]


def test_another_text_or_another_person_is_counted_apart(rig: Rig) -> None:
    guard = rig.make(600.0)
    for _ in range(3):
        guard.allow(NUMBER, BODY)
    assert guard.allow(NUMBER, BODY + "!")
    assert guard.allow("+447700900124", BODY)
    assert not guard.allow(NUMBER, BODY)


def test_the_same_text_is_allowed_again_after_the_window(rig: Rig) -> None:
    guard = rig.make(1.0)  # short, since for Redis this test really waits it out
    for _ in range(3):
        guard.allow(NUMBER, BODY)
    assert not guard.allow(NUMBER, BODY)
    rig.wait(1.05)
    assert guard.allow(NUMBER, BODY)


def test_a_trip_is_logged_without_the_text_or_the_number(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    guard = rig.make(600.0)
    with caplog.at_level(logging.WARNING, logger="bot.runtime.loop_guard"):
        for _ in range(4):
            guard.allow(NUMBER, BODY)
    assert [record.getMessage().split()[0] for record in caplog.records] == ["loop_guard_tripped"]
    assert NUMBER not in caplog.text
    assert "Diolch" not in caplog.text


@pytest.mark.redis
def test_redis_holds_only_a_hash_that_expires(redis_client: Redis) -> None:
    RedisLoopGuard(redis_client, window_seconds=5.0).allow(NUMBER, BODY)
    (key,) = redis_client.keys()
    stored = key + b"".join(redis_client.zrange(key, 0, -1))
    assert key.startswith(b"sgwrs:loop:")
    assert NUMBER.encode() not in stored
    assert b"Diolch" not in stored
    assert 0 < redis_client.pttl(key) <= 5000


def test_the_window_slides_rather_than_resetting() -> None:
    now = [0.0]
    guard = LocalLoopGuard(clock=lambda: now[0])
    for moment in (0.0, 100.0, 200.0):
        now[0] = moment
        assert guard.allow(NUMBER, BODY)
    now[0] = 599.0
    assert not guard.allow(NUMBER, BODY)
    now[0] = 600.0  # the send at 0 s has left the window; those at 100 and 200 s have not
    assert guard.allow(NUMBER, BODY)
    now[0] = 601.0
    assert not guard.allow(NUMBER, BODY)


def test_a_local_guard_forgets_quiet_conversations() -> None:
    now = [0.0]
    guard = LocalLoopGuard(clock=lambda: now[0])
    for person in range(50):
        guard.allow(f"participant:{person}", BODY)
    now[0] = 1200.0
    guard.allow("participant:new", BODY)
    assert len(guard._sent) == 1


@pytest.mark.parametrize(
    ("max_repeats", "window_seconds", "message"),
    [(0, 600.0, "max_repeats"), (3, 0.0, "window_seconds"), (3, -1.0, "window_seconds")],
)
def test_nonsense_knobs_are_refused(max_repeats: int, window_seconds: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LocalLoopGuard(max_repeats, window_seconds)
