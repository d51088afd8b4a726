"""Inbound against the floor: residents walking the real flow, signed, through the Procfile's web.

The same requests go first to the floor (a bare Flask app returning fixed TwiML, same gunicorn
settings) and then to Sgwrs with production settings: signature checks, dedupe by MessageSid,
the per-resident lock and encryption all on. Afterwards the database must hold exactly one
inbound message for each text Sgwrs answered (a few more may be the texts in flight when wrk
stopped, never fewer).
"""

from __future__ import annotations

import os
from contextlib import ExitStack
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
    pgbouncer,
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


def _serve(app: str, env: dict[str, str], log: Path, port: int, *extra: str):
    command = procfile_web(port)
    command[-1:] = [*extra, app]
    return process(command, env, log)


def _figures(result: LoadResult) -> dict[str, object]:
    return {
        "requests": result.requests,
        "per_second": round(result.per_second, 1),
        "p50_ms": round(result.p50_ms, 2),
        "p99_ms": round(result.p99_ms, 2),
        "bad_replies": result.bad,
        "errors": result.errors,
        "ran_out_of_requests": result.overrun,
        "answered": result.good,
    }


def _load(port: int, ready: str, lines: list[str], work: Path, size: Size) -> LoadResult:
    """Once `ready` answers on `port`, the residents' texts from wrk for the run's length."""
    wait_for_http(f"http://127.0.0.1:{port}{ready}")
    return run_wrk(
        f"http://127.0.0.1:{port}", lines, work, seconds=size.seconds, connections=CONNECTIONS
    )


def _floor(size: Size, database: str, work: Path) -> dict[str, object]:
    lines = signed_walks(walks(size.residents))
    with fresh_database(database, "floor") as database_url, private_redis() as redis_url:
        env = Stack(database_url, redis_url, "http://127.0.0.1:9").env()
        port = free_port()
        with _serve("tests.bench.floor:app", env, work / "floor.log", port):
            result = _load(port, "/", lines, work, size)
    return _figures(result)


def _sgwrs(
    size: Size, database: str, work: Path, *, processes: int, workers: int, bouncer: bool = False
) -> dict[str, object]:
    """Sgwrs as deployed: `processes` copies of the Procfile's web (sharing one port, as
    machines behind a load balancer would share the traffic) and `workers` RQ workers, on one
    fresh PostgreSQL database and one Redis; with `bouncer`, every process reaches PostgreSQL
    through PgBouncer in transaction mode when it is installed. Fresh residents and
    MessageSids each time."""
    lines = signed_walks(walks(size.residents))
    shape = f"{processes}x{workers}"
    with fresh_database(database, shape) as database_url, private_redis() as redis_url:
        twilio_port = free_port()
        stack = Stack(database_url, redis_url, f"http://127.0.0.1:{twilio_port}")
        upgrade(stack)
        fake = [str(BIN / "python"), "-m", "tests.bench.fake_twilio", str(twilio_port)]
        worker = [str(BIN / "sgwrs"), "worker"]
        port = free_port()
        # --reuse-port lets the copies listen on one port; the kernel spreads connections.
        shared = ("--reuse-port",) if processes > 1 else ()
        with ExitStack() as running:
            bounced = running.enter_context(pgbouncer(database_url, work)) if bouncer else None
            env = stack.env(**({"DATABASE_URL": bounced} if bounced else {}))
            running.enter_context(process(fake, env, work / f"fake-{shape}.log"))
            rq = [
                running.enter_context(process(worker, env, work / f"worker-{shape}-{n}.log"))
                for n in range(workers)
            ]
            webs = [
                running.enter_context(
                    _serve("wsgi:create_app()", env, work / f"web-{shape}-{n}.log", port, *shared)
                )
                for n in range(processes)
            ]
            result = _load(port, "/healthz", lines, work, size)
            web_rss = max((rss_kib(pid) for pid in children(webs[0].pid)), default=0)
            worker_rss = rss_kib(rq[0].pid)
        engine = create_engine(database_url)
        with engine.connect() as connection:
            stored = connection.execute(
                text("SELECT count(*) FROM messages WHERE direction = 'in'")
            ).scalar_one()
            stored_sids = connection.execute(
                text("SELECT count(DISTINCT twilio_sid) FROM messages WHERE direction = 'in'")
            ).scalar_one()
        engine.dispose()
    return {
        **_figures(result),
        "processes": processes,
        "rq_workers": workers,
        "through_pgbouncer": bounced is not None,
        "stored_inbound": stored,
        # Each text stored once, whichever process took it (a few more may be in flight when
        # wrk stopped, never fewer and never twice).
        "stored_matches": result.good <= stored <= result.good + CONNECTIONS
        and stored == stored_sids,
        "web_worker_rss_mib": round(web_rss / 1024, 1),
        "rq_worker_rss_mib": round(worker_rss / 1024, 1),
    }


def run(size: Size, database: str, work: Path) -> dict[str, object]:
    floor = _floor(size, database, work)
    sgwrs = _sgwrs(size, database, work, processes=1, workers=1)
    scaled = _sgwrs(size, database, work, processes=2, workers=2, bouncer=True)
    ratio = sgwrs["per_second"] / floor["per_second"] if floor["per_second"] else 0.0
    return {
        "residents": size.residents,
        "connections": CONNECTIONS,
        "floor": floor,
        "sgwrs": sgwrs,
        "scaled_out": scaled,
        "ratio": round(ratio, 3),
        "goal_ratio": GOAL_RATIO,
        "goal_p99_ms": GOAL_P99_MS,
        "cpus": len(os.sched_getaffinity(0)),
    }
