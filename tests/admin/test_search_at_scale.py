"""Search over 20,000 sealed answers on PostgreSQL, through the real page, within issue 14's
bound of 300 ms: the figure is printed (run with -s), and the bound fails the test.

The answers are residents' own words in both languages (tests/data/theme_answers.yaml,
cycled), sealed and indexed as the service stores them, a third tagged (tests.bench.seed).
"""

from __future__ import annotations

import statistics
import time

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel

from tests.admin.conftest import add_accounts, sign_in_as
from tests.bench.seed import seed
from tests.conftest import make_container
from wsgi import create_app

pytestmark = pytest.mark.slow

#: Residents seeded: each gives two answers.
RESIDENTS = 10_000
BOUND_MS = 300
SAMPLES = 15
SEARCHES = {
    "one word": "/admin/answers?q=boiler",
    "two words, Welsh": "/admin/answers?q=biliau+plant",
    "a word and filters": "/admin/answers?q=data&language=cy&kind=fear",
}


@pytest.fixture
def officer(postgres_url: str):
    engine = create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(SQLModel.metadata.tables)} CASCADE"))
    engine.dispose()
    services = make_container(postgres_url)
    seed(services, RESIDENTS, 0)
    add_accounts(services)
    yield sign_in_as(create_app(services=services), services, "officer")
    services.db.engine.dispose()


def test_a_search_over_20000_answers_is_within_300_ms(officer) -> None:
    p95 = {}
    for name, path in SEARCHES.items():
        page = officer.get(path)
        assert page.status_code == 200
        assert "Showing 1 to" in page.get_data(as_text=True)  # it found something
        times = []
        for _ in range(SAMPLES):
            start = time.perf_counter()
            officer.get(path)
            times.append((time.perf_counter() - start) * 1000)
        p95[name] = statistics.quantiles(times, n=20)[-1]
    print(
        f"\nsearch over {2 * RESIDENTS:,} answers, p95 of {SAMPLES}: "
        + "; ".join(f"{name} {ms:.0f} ms" for name, ms in p95.items())
    )
    assert max(p95.values()) <= BOUND_MS, p95
