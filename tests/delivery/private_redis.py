"""A redis-server of the test's own, on a free port, that the test may restart and flush.

The shared Redis (REDIS_URL) is never restarted or flushed whole by a test: fault tests start
this one instead, without persistence, so a restart comes back empty as it would in production
with no AOF or RDB file.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis
from redis.exceptions import RedisError

from tests.conftest import need_service


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PrivateRedis:
    """One redis-server process on 127.0.0.1:`port`; `restart` keeps the port, loses the data."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        executable = shutil.which("redis-server")
        if executable is None:
            need_service("redis-server", "not installed")
        arguments = ["--bind", "127.0.0.1", "--port", str(self.port), "--save", ""]
        arguments += ["--appendonly", "no", "--dir", str(self.folder)]
        self._process = subprocess.Popen(
            [str(executable), *arguments],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self._answers():
            if time.monotonic() > deadline:
                raise AssertionError("the private redis-server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        """Kill the server (SIGKILL: as abrupt as a crash), waiting until it is gone."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait(timeout=10)
        self._process = None

    def restart(self, down_for: float = 0.0) -> None:
        """A restart without persistence: every job, lock and counter it held is gone."""
        self.stop()
        time.sleep(down_for)
        self.start()

    def flush(self) -> None:
        with Redis.from_url(self.url) as client:
            client.flushall()

    def _answers(self) -> bool:
        try:
            with Redis.from_url(self.url, socket_connect_timeout=0.2) as client:
                return bool(client.ping())
        except RedisError:
            return False


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()
