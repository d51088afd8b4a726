"""`sgwrs worker`: refuses to start without Redis; with it, delivers what the CLI queued, and
its loop outlasts Redis going away (tests/delivery/test_worker_survives.py restarts a real one)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from redis.exceptions import ConnectionError as RedisConnectionError

from bot.channels.fake_twilio import FakeTwilio
from bot.cli import cli
from bot.runtime import rq_worker
from bot.runtime.container import Container
from tests.cli.conftest import start_sgwrs, text_bot, wait_until
from tests.conftest import TEST_AUTH_TOKEN
from tests.helpers import stop

RESIDENT = "+447700900123"


def test_worker_without_redis_says_what_to_do_instead(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["worker"])

    assert result.exit_code == 1
    assert "REDIS_URL is not set" in result.output
    assert "`sgwrs run` does the worker's job in-process" in result.output


@pytest.mark.redis
@pytest.mark.usefixtures("redis_client")  # this xdist worker's Redis database, emptied
def test_worker_delivers_an_answer_queued_from_the_cli(
    cli_env: dict[str, str], container: Container, redis_url: str, tmp_path: Path
) -> None:
    text_bot(container, RESIDENT, "2", "ASK Will my landlord be told?")
    log = tmp_path / "worker.log"
    with FakeTwilio(TEST_AUTH_TOKEN) as fake:
        env = {**cli_env, "REDIS_URL": redis_url, "TWILIO_API_URL": fake.base_url}
        worker = start_sgwrs(["worker"], env, log)
        try:
            wait_until(worker, log, lambda: "worker: queues" in log.read_text(), "it to start")

            answered = CliRunner(env=env).invoke(cli, ["questions", "answer", "1", "No, never."])

            assert answered.exit_code == 0, answered.output
            wait_until(worker, log, lambda: bool(fake.sent_to(RESIDENT)), "the answer to go")
        finally:
            stop(worker)
    [sent] = fake.sent_to(RESIDENT)
    assert sent.body is not None
    assert "\nNo, never.\n" in sent.body
    assert "worker: queues sgwrs-urgent, sgwrs-bulk" in log.read_text()


def test_the_worker_loop_waits_longer_each_time_redis_is_gone_and_ends_only_when_stopped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """RQ's `work()` raises (or returns) when Redis drops it; the loop starts it again after
    1, 2, 4… seconds, at most 30, and stops only for a signal's stop request."""
    outages = 7
    started: list[int] = []

    class Worker:
        def __init__(self, *args: object, **kwargs: object) -> None:
            self.stop_asked = len(started) == outages
            started.append(1)

        def work(self, **kwargs: object) -> None:
            if not self.stop_asked:
                raise RedisConnectionError("Connection refused")

    waits: list[float] = []
    monkeypatch.setattr(rq_worker, "SgwrsWorker", Worker)

    rq_worker.work_forever([], None, sleep=waits.append)  # type: ignore[arg-type]

    assert len(started) == outages + 1
    assert waits == [1, 2, 4, 8, 16, 30, 30]
