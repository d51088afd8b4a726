"""`sgwrs worker` outlives Redis and PostgreSQL restarts, and loses or repeats nothing meanwhile.

A real worker process, on a redis-server of the test's own that the test restarts under it
(without persistence, so it comes back empty), and PostgreSQL connections cut as a database
restart cuts them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis
from sqlalchemy import create_engine, text

from bot.channels.fake_twilio import FakeTwilio
from tests.delivery.private_redis import PrivateRedis
from tests.delivery.support import (
    FLOW_ID,
    Harness,
    Resident,
    WorkerProcess,
    build_harness,
    drama_number,
    insert_residents,
    wait_for,
    worker_settings,
)

pytestmark = pytest.mark.redis

#: Quick enough for a test, slow enough (about 3 s for 60 texts) to restart Redis mid-way.
SETTINGS = {"SEND_RATE_PER_SECOND": 40, "SWEEP_INTERVAL_SECONDS": 0.5, "LOST_SEND_AFTER_SECONDS": 2}


def start_broadcast(harness: Harness, numbers: list[str], words: str) -> None:
    """`numbers` join those who asked to hear back; a broadcast in `words` goes to them all."""
    insert_residents(harness.services, (Resident(number, "en") for number in numbers))
    broadcasts = harness.services.broadcasts
    broadcast_id = broadcasts.create(FLOW_ID, words, words, created_by="officer@example.test")
    broadcasts.start(broadcast_id)


def cut_database_connections(database_url: str) -> int:
    """What a PostgreSQL restart does to every pooled connection: the server ends them."""
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.begin() as connection:
            ended = connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar_one()
    finally:
        engine.dispose()
    return int(ended)


@pytest.fixture
def private_harness(
    pg_url: str, fake: FakeTwilio, private_redis: PrivateRedis
) -> Iterator[Harness]:
    """Services on the private Redis, as the web app would queue work for the worker."""
    redis = Redis.from_url(private_redis.url)
    harness = build_harness(pg_url, fake, redis, REDIS_URL=private_redis.url)
    yield harness
    harness.close()
    redis.close()


def test_the_worker_survives_redis_and_postgresql_restarts_and_sends_everything_once(
    pg_url: str,
    fake: FakeTwilio,
    private_redis: PrivateRedis,
    private_harness: Harness,
    tmp_path: Path,
) -> None:
    log = tmp_path / "worker.log"
    worker = WorkerProcess(
        worker_settings(pg_url, fake, REDIS_URL=private_redis.url, **SETTINGS), log
    )
    before = [drama_number(i) for i in range(60)]
    after = [drama_number(i) for i in range(60, 70)]
    try:
        worker.wait_until_listening()
        start_broadcast(private_harness, before, "Diolch. Thank you.")
        wait_for(lambda: len(fake.messages) >= 20, 30, "the first 20 texts")

        private_redis.restart(down_for=1.0)  # mid-broadcast: every queued job is gone
        assert cut_database_connections(pg_url) > 0
        wait_for(lambda: len(fake.messages) >= len(before), 60, "the broadcast to finish")
        assert worker.process.poll() is None, f"the worker exited:\n{worker.log()}"

        start_broadcast(private_harness, after, "Hwyl fawr. Goodbye.")  # queued after it all
        everyone = len(before) + len(before + after)
        wait_for(
            lambda: private_harness.statuses() == {"sent": everyone}, 60, "the second broadcast"
        )
        assert worker.process.poll() is None, f"the worker exited:\n{worker.log()}"
    finally:
        worker.kill()

    received = Counter((m.to, m.body) for m in fake.messages)
    first = {(number, "Diolch. Thank you.\nSend STOP to stop.") for number in before}
    second = {(number, "Hwyl fawr. Goodbye.\nSend STOP to stop.") for number in before + after}
    assert set(received) == first | second
    assert max(received.values()) == 1, "a resident got the same text twice"
