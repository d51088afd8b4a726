"""`sgwrs run`: the whole service on one machine, started as an operator starts it.

It runs as its own process through the `sgwrs` console script, on a free port, with its own
database and no Twilio account, so it starts its local fake Twilio and sends no real texts.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from pathlib import Path

from tests.cli.conftest import start_sgwrs, wait_until
from tests.helpers import stop


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:
        return 0, b""


def test_run_serves_the_app_until_stopped(cli_env: dict[str, str], tmp_path: Path) -> None:
    port = _free_port()
    database = tmp_path / "run.db"
    env = {
        **cli_env,
        "DATABASE_URL": f"sqlite:///{database}",
        "PORT": str(port),
        "TWILIO_ACCOUNT_SID": "",
        "TWILIO_API_URL": "",
    }
    log = tmp_path / "run.log"
    base = f"http://127.0.0.1:{port}"
    health: list[tuple[int, bytes]] = []
    process = start_sgwrs(["run"], env, log)
    try:
        wait_until(
            process,
            log,
            lambda: health.append(_get(f"{base}/healthz")) or health[-1][0] == 200,
            "GET /healthz to answer 200",
        )
        sign_in, page = _get(f"{base}/admin/sign-in")
    finally:
        stop(process)

    assert json.loads(health[-1][1]) == {"status": "ok"}, "the details are for operators only"
    assert sign_in == 200
    assert b"<form" in page
    output = log.read_text()
    assert f"Sgwrs (test) on {base}" in output
    assert "demo officer:" in output
    assert "jobs: in-process (no REDIS_URL)" in output
    assert "Twilio: a local fake at http://127.0.0.1:" in output
    assert "flows: energy-data, welcome" in output
    assert database.exists()
