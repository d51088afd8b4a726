"""What the benchmarks run against: the Procfile's processes on a database and Redis of their own.

The web process is started exactly as the Procfile says (gunicorn, its worker count and
timeout), with production settings, signature checks on and a fake Twilio standing in for
Twilio's API. The database is a fresh one on the machine's PostgreSQL (dropped afterwards) and
Redis is a private `redis-server` on a free port, so a benchmark never touches shared data.
"""

from __future__ import annotations

import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.helpers import stop

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
#: Signs the benchmark's webhooks; the fake Twilio accepts it too. Never a real credential.
AUTH_TOKEN = "bench-auth-token"
ACCOUNT_SID = "AC" + "b" * 32
PUBLIC_URL = "https://sgwrs.bench.invalid"
DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1:5432/test"


class StackError(RuntimeError):
    """Something the benchmarks need is missing; the message says what and how to start it."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_http(url: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except urllib.error.HTTPError:
            return  # it answers: up
        except OSError:
            time.sleep(0.1)
    raise StackError(f"{url} did not answer within {seconds:.0f} s")


@contextmanager
def process(command: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """A child process in its own group, stopped (with its children) on leaving."""
    with log.open("w") as out:
        child = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield child
        finally:
            stop(child)


def procfile_web(port: int) -> list[str]:
    """The Procfile's web command, for this port; gunicorn from this Python's environment."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            command = line.removeprefix("web:").strip().replace("${PORT:-5000}", str(port))
            parts = shlex.split(command)
            return [str(BIN / parts[0]), *parts[1:]]
    raise StackError("the Procfile has no web process")


@contextmanager
def private_redis() -> Iterator[str]:
    """A redis-server of the benchmarks' own, without persistence, on a free port."""
    server = shutil.which("redis-server")
    if server is None:
        raise StackError("redis-server is needed (apt-get install redis-server)")
    port = free_port()
    command = [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
    with process([*command, "no"], dict(os.environ), Path(f"/tmp/sgwrs-bench-redis-{port}.log")):
        _wait_for_port(port)
        yield f"redis://127.0.0.1:{port}/0"


def _wait_for_port(port: int, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise StackError(f"nothing listened on port {port} within {seconds:g} s")


@contextmanager
def pgbouncer(database_url: str, folder: Path) -> Iterator[str | None]:
    """`database_url` through a PgBouncer of the benchmarks' own in transaction mode (each
    transaction may get a different server connection: no session state survives), or None
    when PgBouncer is not installed."""
    server = shutil.which("pgbouncer", path=f"{os.environ.get('PATH', '')}:/usr/sbin")
    if server is None:
        yield None
        return
    url = make_url(database_url)
    port = free_port()
    users = folder / "pgbouncer-users.txt"
    users.write_text(f'"{url.username}" ""\n')
    config = folder / "pgbouncer.ini"
    config.write_text(
        "[databases]\n"
        f"{url.database} = host={url.host} port={url.port or 5432} dbname={url.database}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {users}\npool_mode = transaction\n"
        "max_client_conn = 200\ndefault_pool_size = 20\n"
    )
    # PgBouncer will not run as root; it drops to `nobody` when started as root.
    run_as = ["-u", "nobody"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    folder.chmod(0o755)
    for path in (users, config):
        path.chmod(0o644)
    with process([server, *run_as, str(config)], dict(os.environ), folder / "pgbouncer.log"):
        _wait_for_port(port)
        yield url.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)


@contextmanager
def fresh_database(base_url: str, purpose: str = "") -> Iterator[str]:
    """A new, empty database beside `base_url`'s, dropped afterwards; `purpose` tells apart
    two open at once."""
    url = make_url(base_url)
    name = f"sgwrs_bench_{os.getpid()}{'_' + purpose if purpose else ''}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        raise StackError(
            f"PostgreSQL at {url.render_as_string(hide_password=True)} is needed "
            f"(set TEST_DATABASE_URL, or start it: pg_ctlcluster <version> main start): {error}"
        ) from error
    database_url = url.set(database=name).render_as_string(hide_password=False)
    try:
        yield database_url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass(frozen=True)
class Stack:
    """Where the pieces are: what the service's processes are given as their environment."""

    database_url: str
    redis_url: str
    twilio_url: str

    def env(self, **overrides: str) -> dict[str, str]:
        """Production settings, as an operator would set them, pointed at the fakes."""
        env = {
            **os.environ,
            "ENV": "production",
            "SECRET_KEY": "bench-secret-key-" + "x" * 32,
            "DATA_KEY": "bench-data-key-" + "y" * 32,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "JOBS": "rq",
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_API_URL": self.twilio_url,
            "TWILIO_FROM_SMS": "+447700900000",
            "PUBLIC_URL": PUBLIC_URL,
            "QUIET_HOURS_START": "00:00",
            "QUIET_HOURS_END": "00:00",
            "PYTHONUNBUFFERED": "1",
        }
        env.update(overrides)
        return env


def upgrade(stack: Stack) -> None:
    """Migrate the benchmark database, as the Procfile's release step does."""
    result = subprocess.run(
        [str(BIN / "sgwrs"), "db", "upgrade"],
        cwd=ROOT,
        env=stack.env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise StackError(f"sgwrs db upgrade failed:\n{result.stdout}{result.stderr}")


def rss_kib(pid: int) -> int:
    """A process's resident memory, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(part) for part in found.read_text().split()] if found.exists() else []
