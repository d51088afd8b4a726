"""Encrypted everywhere: 100 residents' numbers and words are nowhere in the clear — not in the
SQLite file, not in a pg_dump, not in the logs, not in any Redis key or job payload."""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from redis import Redis

from tests.delivery.support import Harness, MovableClock, drama_number

pytestmark = pytest.mark.redis

RESIDENTS = 100


def seed(harness: Harness) -> list[str]:
    """Each resident answers in words, reacts, asks a question (answered for half), and some
    leave a question waiting for "did that answer it?" in their state. Returns the secrets."""
    secrets: list[str] = []
    for index in range(RESIDENTS):
        number = drama_number(index)
        words = f"quokka{index:03d}marmot"
        harness.texts(number, "Hi", "2", f"that sounds scary {words}react")
        question = harness.ask_again(number, f"is {words}ask safe?")
        if index % 2:
            harness.services.questions.answer(question, f"Yes {words}reply")
        secrets += [number, number.replace("+44", "0"), words]
    return secrets


def found_in(blob: bytes, secrets: list[str]) -> list[str]:
    return [secret for secret in secrets if secret.encode() in blob]


def redis_contents(redis: Redis) -> bytes:
    parts: list[bytes] = []
    for key in redis.scan_iter():
        parts.append(key)
        kind = redis.type(key)
        if kind == b"string":
            parts.append(redis.get(key) or b"")
        elif kind == b"hash":
            parts += [b for pair in redis.hgetall(key).items() for b in pair]
        elif kind == b"list":
            parts += redis.lrange(key, 0, -1)
        elif kind == b"set":
            parts += list(redis.smembers(key))
        elif kind == b"zset":
            parts += [member for member, _score in redis.zrange(key, 0, -1, withscores=True)]
    return b"\n".join(parts)


def test_no_number_or_word_is_stored_in_the_clear_on_sqlite(
    sqlite_url: str,
    make_harness: Callable[..., Harness],
    clock: MovableClock,
    redis_db: Redis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    harness = make_harness(sqlite_url, clock=clock)
    secrets = seed(harness)

    assert found_in(redis_contents(redis_db), secrets) == []
    harness.run_worker()
    harness.services.db.engine.dispose()

    path = Path(sqlite_url.removeprefix("sqlite:///"))
    raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    assert len(harness.fake.messages) == RESIDENTS // 2  # the answers really went out
    assert found_in(raw, secrets) == []
    assert found_in(caplog.text.encode(), secrets) == []
    assert found_in(redis_contents(redis_db), secrets) == []


def test_no_number_or_word_is_in_a_pg_dump(
    pg_url: str,
    make_harness: Callable[..., Harness],
    clock: MovableClock,
    redis_db: Redis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    pg_dump = shutil.which("pg_dump")
    assert pg_dump, "pg_dump is needed (postgresql-client)"
    caplog.set_level(logging.DEBUG)
    harness = make_harness(pg_url, clock=clock)
    secrets = seed(harness)
    harness.run_worker()

    dump = subprocess.run(
        [pg_dump, "--data-only", pg_url.replace("postgresql+psycopg://", "postgresql://")],
        check=True,
        capture_output=True,
    ).stdout

    assert len(dump) > 10_000  # the rows are there, sealed
    assert found_in(dump, secrets) == []
    assert found_in(caplog.text.encode(), secrets) == []
    assert found_in(redis_contents(redis_db), secrets) == []
