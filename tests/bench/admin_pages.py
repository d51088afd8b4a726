"""The admin at a pilot's size: p95 of the pages officers use most, on PostgreSQL.

Residents, answers, questions and messages are seeded in bulk (tests.bench.seed); an officer
signs in with password and code, then each page is fetched repeatedly through the real app.
The time is the server's (the test client calls the app in-process), so it is the page's own
cost: its queries and its template.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from bot.runtime.config import load_settings
from bot.runtime.container import build_container
from tests.admin.conftest import add_accounts, sign_in_as
from tests.bench.seed import seed
from tests.bench.stack import Stack, fresh_database, private_redis, upgrade
from tests.bench.table import Size
from wsgi import create_app

GOAL_MS = 100
#: Pages with a goal of their own: a search over 20,000 sealed answers (issue 14's bound).
GOALS_MS = {
    "answers searched": 300,
    "answers searched and filtered": 300,
    "theme suggestions": 1000,
}


def run(size: Size, database: str) -> dict[str, object]:
    with fresh_database(database) as database_url, private_redis() as redis_url:
        stack = Stack(database_url, redis_url, "http://127.0.0.1:9")
        upgrade(stack)
        settings = load_settings(environ=stack.env(), dotenv_path=Path("/nonexistent"))
        services = build_container(settings)
        began = time.perf_counter()
        ids = seed(services, size.admin_residents, size.admin_messages)
        seeded = time.perf_counter() - began
        add_accounts(services)
        app = create_app(services=services)
        officer = sign_in_as(app, services, "officer")
        pages = {
            "overview": "/admin/overview",
            "conversations": "/admin/conversations",
            "answers": "/admin/answers",
            "answers searched": "/admin/answers?q=boiler",
            "answers searched and filtered": "/admin/answers?q=data&language=cy&kind=fear",
            "theme suggestions": "/admin/answers/suggestions",
            "questions": "/admin/questions",
            "transcript": f"/admin/conversations/{ids[len(ids) // 2]}",
        }
        p95: dict[str, float] = {}
        for name, path in pages.items():
            assert officer.get(path).status_code == 200, path  # warm, and it works
            times = []
            for _ in range(size.admin_samples):
                start = time.perf_counter()
                response = officer.get(path)
                times.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, path
            p95[name] = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
        services.db.engine.dispose()
    return {
        "residents": size.admin_residents,
        "messages": size.admin_messages,
        "seed_seconds": round(seeded, 1),
        "samples": size.admin_samples,
        "p95_ms": {name: round(value, 1) for name, value in p95.items()},
        "goal_ms": {name: GOALS_MS.get(name, GOAL_MS) for name in p95},
        "answers": 2 * size.admin_residents,
    }
