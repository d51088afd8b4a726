"""Inbound against the floor: residents walking the real flow, signed, through the Procfile's web.

The same requests go first to the floor (a bare Flask app returning fixed TwiML, same gunicorn
settings) and then to Sgwrs with production settings: signature checks, dedupe by MessageSid,
the per-resident lock and encryption all on. Afterwards the database must hold exactly one
inbound message for each text Sgwrs answered (a few more may be the texts in flight when wrk
stopped, never fewer).
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, text

from bot.core.flow_route import main_route
from tests.bench.engine_rate import shipped_library
from tests.bench.load import LoadResult, run_wrk, signed_walks
from tests.bench.stack import (
    BIN,
    Stack,
    children,
    free_port,
    fresh_database,
    private_redis,
    process,
    procfile_web,
    rss_kib,
    upgrade,
    wait_for_http,
)
from tests.bench.table import Size

GOAL_RATIO = 0.5
GOAL_P99_MS = 50.0
CONNECTIONS = 16


def walks(residents: int) -> list[tuple[str, ...]]:
    """Half the residents in Welsh, half in English, each answering every question."""
    library = shipped_library()
    routes = {language: main_route(library, language).sent for language in ("cy", "en")}
    return [routes["cy" if index % 2 == 0 else "en"] for index in range(residents)]


def _serve(app: str, env: dict[str, str], log: Path):
    port = free_port()
    command = procfile_web(port)
    command[-1] = app
    return port, process(command, env, log)


def _figures(result: LoadResult) -> dict[str, object]:
    return {
        "requests": result.requests,
        "per_second": round(result.per_second, 1),
        "p50_ms": round(result.p50_ms, 2),
        "p99_ms": round(result.p99_ms, 2),
        "bad_replies": result.bad,
        "errors": result.errors,
        "ran_out_of_requests": result.overrun,
    }


def run(size: Size, database: str, work: Path) -> dict[str, object]:
    lines = signed_walks(walks(size.residents))
    with fresh_database(database) as database_url, private_redis() as redis_url:
        twilio_port = free_port()
        stack = Stack(database_url, redis_url, f"http://127.0.0.1:{twilio_port}")
        upgrade(stack)
        env = stack.env()
        fake = [str(BIN / "python"), "-m", "tests.bench.fake_twilio", str(twilio_port)]
        port, floor = _serve("tests.bench.floor:app", env, work / "floor.log")
        with floor:
            wait_for_http(f"http://127.0.0.1:{port}/")
            floor_result = run_wrk(
                f"http://127.0.0.1:{port}",
                lines,
                work,
                seconds=size.seconds,
                connections=CONNECTIONS,
            )
        port, web = _serve("wsgi:create_app()", env, work / "web.log")
        worker = [str(BIN / "sgwrs"), "worker"]
        with (
            process(fake, env, work / "fake.log"),
            process(worker, env, work / "worker.log") as worker_process,
            web as web_process,
        ):
            wait_for_http(f"http://127.0.0.1:{port}/healthz")
            sgwrs = run_wrk(
                f"http://127.0.0.1:{port}",
                lines,
                work,
                seconds=size.seconds,
                connections=CONNECTIONS,
            )
            web_rss = max((rss_kib(pid) for pid in children(web_process.pid)), default=0)
            worker_rss = rss_kib(worker_process.pid)
        engine = create_engine(database_url)
        with engine.connect() as connection:
            stored = connection.execute(
                text("SELECT count(*) FROM messages WHERE direction = 'in'")
            ).scalar_one()
        engine.dispose()
    ratio = sgwrs.per_second / floor_result.per_second if floor_result.per_second else 0.0
    return {
        "residents": size.residents,
        "connections": CONNECTIONS,
        "floor": _figures(floor_result),
        "sgwrs": _figures(sgwrs),
        "ratio": round(ratio, 3),
        "stored_inbound": stored,
        "answered": sgwrs.good,
        "stored_matches": sgwrs.good <= stored <= sgwrs.good + CONNECTIONS,
        "web_worker_rss_mib": round(web_rss / 1024, 1),
        "rq_worker_rss_mib": round(worker_rss / 1024, 1),
        "goal_ratio": GOAL_RATIO,
        "goal_p99_ms": GOAL_P99_MS,
        "cpus": len(os.sched_getaffinity(0)),
    }
