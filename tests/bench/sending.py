"""Sending: outbox rows to the fake Twilio by the Procfile's worker, and a "you said, we did".

1. One worker, rate limit off: rows written and queued, then timed from the first send to the
   last SID saved.
2. A broadcast to every resident who asked to hear back: the time to write its outbox rows and
   queue them (what an officer waits for after pressing Send).
3. The same broadcast going out at SEND_RATE_PER_SECOND=50 with two workers: the rate achieved
   over a stretch of it, which should be the limit (the limit is shared through Redis).
"""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import text

from bot.runtime.config import load_settings
from bot.runtime.container import Container, build_container
from bot.store.outbox import OutboxTicket, add_outbox_message
from tests.bench.seed import FLOW, seed
from tests.bench.stack import (
    BIN,
    Stack,
    free_port,
    fresh_database,
    private_redis,
    process,
    upgrade,
    wait_for_http,
)
from tests.bench.table import Size

GOAL = 200
RATE = 50.0
NO_LIMIT = "1000000"


def _sent(services: Container, purpose: str) -> int:
    with services.db.engine.connect() as connection:
        return connection.execute(
            text("SELECT count(*) FROM outbox WHERE status = 'sent' AND purpose = :purpose"),
            {"purpose": purpose},
        ).scalar_one()


def _wait_until(services: Container, purpose: str, count: int, limit_s: float) -> float:
    """Seconds until `count` rows of `purpose` are sent (polling), or the limit."""
    began = time.perf_counter()
    while _sent(services, purpose) < count and time.perf_counter() - began < limit_s:
        time.sleep(0.05)
    return time.perf_counter() - began


def run(size: Size, database: str, work: Path) -> dict[str, object]:
    with fresh_database(database) as database_url, private_redis() as redis_url:
        twilio_port = free_port()
        stack = Stack(database_url, redis_url, f"http://127.0.0.1:{twilio_port}")
        upgrade(stack)
        fake = [str(BIN / "python"), "-m", "tests.bench.fake_twilio", str(twilio_port)]
        with process(fake, stack.env(), work / "fake-send.log"):
            wait_for_http(f"http://127.0.0.1:{twilio_port}/")
            return _measure(size, stack, work)


def _measure(size: Size, stack: Stack, work: Path) -> dict[str, object]:
    env = stack.env(SEND_RATE_PER_SECOND=NO_LIMIT)
    services = build_container(load_settings(environ=env, dotenv_path=Path("/nonexistent")))
    ids = seed(services, max(size.sends, size.broadcast), 0)
    now = services.clock()
    with services.db.session() as session:
        tickets = [
            OutboxTicket.of(row)
            for pid in ids[: size.sends]
            if (
                row := add_outbox_message(
                    session,
                    services.vault,
                    participant_id=pid,
                    body="The council's answer to your question: in March.",
                    purpose="answer",
                    priority="urgent",
                    now=now,
                )
            )
        ]
    worker = [str(BIN / "sgwrs"), "worker"]
    with process(worker, env, work / "worker-send.log"):
        services.queue.enqueue(tickets)
        _wait_until(services, "answer", 1, 60)  # timed from the first send: not the start-up
        seconds = _wait_until(services, "answer", size.sends, 120)
    done = _sent(services, "answer")
    timed = done - 1

    began = time.perf_counter()
    broadcast_id = services.broadcasts.create(
        FLOW, "Diolch. Rydym wedi newid y cynllun.", "Thank you. We changed the plan.", "bench"
    )
    written = services.broadcasts.start(broadcast_id)
    broadcast_seconds = time.perf_counter() - began

    rated = stack.env(SEND_RATE_PER_SECOND=str(RATE))
    with (
        process(worker, rated, work / "worker-rate-1.log"),
        process(worker, rated, work / "worker-rate-2.log"),
    ):
        # The limiter lets one second's worth go at once (its burst), then the rate: the
        # stretch timed starts after that, so it is the rate a broadcast keeps up.
        warm = min(int(RATE) + 10, size.rate_sends // 4)
        _wait_until(services, "broadcast", warm, 60)
        first, began = _sent(services, "broadcast"), time.perf_counter()
        _wait_until(services, "broadcast", warm + size.rate_sends, 120)
        last, elapsed = _sent(services, "broadcast"), time.perf_counter() - began
    services.db.engine.dispose()
    return {
        "sends": size.sends,
        "sent": done,
        "seconds": seconds,
        "per_second": timed / seconds if seconds else 0.0,
        "goal": GOAL,
        "broadcast_residents": written,
        "broadcast_seconds": broadcast_seconds,
        "rate_limit": RATE,
        "achieved_rate": (last - first) / elapsed if elapsed else 0.0,
    }
