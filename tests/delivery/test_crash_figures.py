"""The fault figure: 1,000 sends through `sgwrs worker`, the worker SIGKILLed every 50 texts,
its Redis restarted twice and flushed once: 0 lost, 0 duplicated at the fake Twilio.

Each kill lands in the one window that used to repeat a text: the fake Twilio has accepted the
text and holds its answer back for a moment, so the worker dies before it can save the SID.
A sweep settles that send by asking the fake (its Messages list). 20 kills: at the 50th,
100th … 1,000th text.
"""

from __future__ import annotations

import itertools
import queue
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from redis import Redis
from rq.worker import Worker

from bot.channels.fake_twilio import FakeTwilio
from tests.conftest import TEST_AUTH_TOKEN
from tests.delivery.private_redis import PrivateRedis
from tests.delivery.support import (
    Harness,
    WorkerProcess,
    build_harness,
    drama_number,
    wait_for,
    worker_settings,
)
from tests.delivery.test_worker_survives import start_broadcast

pytestmark = [pytest.mark.redis, pytest.mark.slow]

SENDS = 1000
KILL_EVERY = 50
#: After how many texts accepted Redis is restarted (twice) and flushed (once).
RESTART_AT = (300, 650)
FLUSH_AT = 500
SETTINGS = {"SWEEP_INTERVAL_SECONDS": 0.5, "LOST_SEND_AFTER_SECONDS": 2}
WORDS = "Diolch am eich barn. Thank you for your views."


class HoldingFakeTwilio(FakeTwilio):
    """Every `every`-th text accepted, the answer is held back two seconds and `held` names the
    number it went to: the moment Twilio has the text and the worker does not yet have its SID."""

    def __init__(self, every: int) -> None:
        super().__init__(auth_token=TEST_AUTH_TOKEN)
        self.every = every
        self.held: queue.Queue[str] = queue.Queue()

    def _create(self, account_sid: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        status, payload = super()._create(account_sid, form)
        if status == 201 and len(self.messages) % self.every == 0:
            self.held.put(form["To"])
            time.sleep(2.0)
        return status, payload


@pytest.fixture
def holding_fake() -> Iterator[HoldingFakeTwilio]:
    with HoldingFakeTwilio(KILL_EVERY) as twilio:
        yield twilio


@pytest.fixture
def harness(
    pg_url: str, holding_fake: HoldingFakeTwilio, private_redis: PrivateRedis
) -> Iterator[Harness]:
    redis = Redis.from_url(private_redis.url)
    built = build_harness(pg_url, holding_fake, redis, REDIS_URL=private_redis.url)
    yield built
    built.close()
    redis.close()


def sending_to(harness: Harness, number: str, workers: list[WorkerProcess]) -> list[WorkerProcess]:
    """The worker whose current job is the send to `number` (RQ records each worker's job and
    pid in Redis); every worker when Redis, just restarted, cannot say."""
    [row] = harness.outbox(participant_id=harness.participant(number).id)
    job_prefix = f"sgwrs-outbox-{row.id}-"
    pids = {
        rq_worker.pid
        for rq_worker in Worker.all(connection=harness.redis)
        if (rq_worker.get_current_job_id() or "").startswith(job_prefix)
    }
    return [worker for worker in workers if worker.process.pid in pids] or list(workers)


def test_a_thousand_sends_through_kills_and_redis_restarts_arrive_exactly_once(
    pg_url: str,
    holding_fake: HoldingFakeTwilio,
    private_redis: PrivateRedis,
    harness: Harness,
    tmp_path: Path,
) -> None:
    """Two workers run at once, so a new one is ready while the other sends; each 50th text
    kills the worker sending it."""
    fake = holding_fake
    settings = worker_settings(pg_url, fake, REDIS_URL=private_redis.url, **SETTINGS)
    numbers = [drama_number(i) for i in range(SENDS)]
    faults = [(at, private_redis.restart) for at in RESTART_AT] + [(FLUSH_AT, private_redis.flush)]
    started = itertools.count()
    kills = 0

    def new_worker() -> WorkerProcess:
        return WorkerProcess(settings, tmp_path / f"worker-{next(started)}.log")

    began = time.monotonic()
    workers = [new_worker(), new_worker()]
    try:
        for worker in workers:
            worker.wait_until_listening()
        start_broadcast(harness, numbers, WORDS)
        while kills < SENDS // KILL_EVERY:
            number = fake.held.get(timeout=60)
            for victim in sending_to(harness, number, workers):
                victim.kill()  # SIGKILL while Twilio's answer is on its way
                workers.remove(victim)
                workers.append(new_worker())
            kills += 1
            for at, fault in [f for f in faults if len(fake.messages) >= f[0]]:
                fault()  # with workers running: they must ride it out
                faults.remove((at, fault))
        wait_for(lambda: harness.statuses() == {"sent": SENDS}, 60, "every row to be settled")
        assert all(w.process.poll() is None for w in workers), "a worker exited"
    finally:
        for worker in workers:
            worker.kill()
    elapsed = time.monotonic() - began

    received = Counter(m.to for m in fake.messages)
    lost = sum(1 for number in numbers if received[number] == 0)
    duplicated = sum(count - 1 for count in received.values())
    print(
        f"\n{SENDS} sends, {kills} kills, Redis restarted {len(RESTART_AT)}x and flushed once: "
        f"lost {lost}, duplicated {duplicated}, {elapsed:.1f} s, {SENDS / elapsed:.1f} sends/s"
    )
    assert faults == []
    assert (lost, duplicated) == (0, 0)
    sids = {harness.message(row.message_id).twilio_sid for row in harness.outbox()}
    assert sids == {m.sid for m in fake.messages}, "a row does not name the text it sent"
