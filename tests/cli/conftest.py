"""The `sgwrs` command line as an operator runs it: settings from the environment only.

`runner` is a click CliRunner whose environment is tests.conftest.settings_for on this test's
own SQLite database (the fixture flows, no Redis, a Twilio that cannot be reached), so every
command reads its settings exactly as it would on a server. `container` opens the same
database for seeding residents and checking the rows a command wrote.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.channels.addresses import parse_address
from bot.core.inbound import InboundMessage
from bot.flowspec.loading import load_library
from bot.flowspec.model import FlowLibrary
from bot.runtime.config import PROJECT_ROOT
from bot.runtime.container import Container
from tests.conftest import FIXTURE_FLOWS, make_container, settings_for
from tests.helpers import new_sid

LIBRARY: FlowLibrary = load_library(FIXTURE_FLOWS, "energy-data")

#: English through the whole energy-data flow, asking to hear back at the end.
HEAR_BACK_EN = (
    "2",
    *["next"] * 7,
    "yes",
    "1",
    "Fewer cold winters",
    "Mistakes",
    "Nothing",
    "No thanks",
    "Yes please",
)
#: The same in Welsh.
HEAR_BACK_CY = (
    "1",
    *["nesaf"] * 7,
    "ie",
    "Dylai",
    "Cartrefi cynhesach",
    "Camgymeriadau",
    "Dim",
    "na",
    "ie",
)


def text_of(flow_id: str, step_id: str, language: str) -> str:
    """A step's text in the fixture flows, the ones every CLI test runs on."""
    return LIBRARY.flow(flow_id).step(step_id).text.in_(language)


def as_env(values: dict[str, Any]) -> dict[str, str]:
    return {name: str(value) for name, value in values.items()}


@pytest.fixture
def cli_env(sqlite_url: str) -> dict[str, str]:
    """The environment every command gets: the core test settings on this test's database."""
    return as_env(settings_for(sqlite_url))


@pytest.fixture
def runner(cli_env: dict[str, str]) -> CliRunner:
    return CliRunner(env=cli_env)


@pytest.fixture
def container(sqlite_url: str) -> Iterator[Container]:
    """The services on the runner's database: to seed residents and read what a command did."""
    built = make_container(sqlite_url)
    yield built
    built.db.engine.dispose()


def text_bot(container: Container, number: str, *texts: str) -> list[str | None]:
    """`number` texts the bot, one message after another; the replies."""
    sender = parse_address(number)
    return [
        container.inbound.receive(InboundMessage(new_sid(), sender, text)).reply for text in texts
    ]


def sgwrs_command(*args: str) -> list[str]:
    """The installed `sgwrs` console script, or the same entry point through this Python."""
    script = Path(sys.executable).parent / "sgwrs"
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-c", "from bot.cli import main; main()", *args]


def start_sgwrs(
    args: list[str], env: dict[str, str], log_path: Path, *, stdin: int = subprocess.DEVNULL
) -> subprocess.Popen[bytes]:
    """`sgwrs ARGS` as its own process, with only `env` (plus PATH and HOME), logging to a file;
    `stdin=subprocess.PIPE` holds its input open, as a person at a terminal does."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
    full = {name: os.environ[name] for name in keep if name in os.environ}
    full.update(env)
    full["PYTHONUNBUFFERED"] = "1"
    with log_path.open("ab") as log:
        return subprocess.Popen(
            sgwrs_command(*args),
            cwd=PROJECT_ROOT,
            env=full,
            stdin=stdin,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_until(
    process: subprocess.Popen[bytes],
    log_path: Path,
    condition: Callable[[], bool],
    what: str,
    timeout: float = 30.0,
) -> None:
    """Poll `condition` while `process` lives; on a crash or timeout, fail showing its log."""
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None or time.monotonic() > deadline:
            log = log_path.read_text(errors="replace")[-4000:]
            raise AssertionError(f"sgwrs: gave up waiting for {what}:\n{log}")
        time.sleep(0.05)
