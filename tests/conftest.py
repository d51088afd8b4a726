"""Core fixtures: settings, services on SQLite and PostgreSQL, the Flask app and client.

PostgreSQL comes from TEST_DATABASE_URL (one database per xdist worker, migrated once, emptied
between tests). Without it the PostgreSQL half is skipped, except under CI=true, where a
missing service must fail the run rather than quietly test less.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from bot.core import accounts
from bot.runtime.config import PROJECT_ROOT, load_settings
from bot.runtime.container import Container, build_container
from bot.store.db import Database
from wsgi import create_app

TEST_AUTH_TOKEN = "test-auth-token-0123456789abcdef"
TEST_PUBLIC_URL = "https://sgwrs.example.test"
#: Copies of the product flows for tests of behaviour: rewording `flows/` never breaks them.
#: Only tests about the shipped flows themselves load PRODUCT_FLOWS.
FIXTURE_FLOWS = PROJECT_ROOT / "tests" / "data" / "flows"
PRODUCT_FLOWS = PROJECT_ROOT / "flows"
#: Where tests' Twilio lives unless a test passes its own fake: `.invalid` never resolves
#: (RFC 2606), so a test that forgot its fake fails to send instead of reaching Twilio.
UNREACHABLE_TWILIO = "http://twilio.invalid"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite golden transcripts from actual output"
    )


def _ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def need_service(name: str, reason: str) -> None:
    """Skip locally when a service is missing; fail under CI=true, where it must be there."""
    message = f"{name} unavailable: {reason}"
    if _ci():
        pytest.fail(message + " (CI=true: services are required)")
    pytest.skip(message)


def settings_for(database_url: str, **overrides: Any) -> dict[str, Any]:
    """Test settings: the fixture flows, no Redis, and a Twilio that cannot be reached."""
    values: dict[str, Any] = {
        "ENV": "test",
        "DATABASE_URL": database_url,
        "REDIS_URL": "",
        "SECRET_KEY": "test-secret-key",
        "DATA_KEY": "test-data-key-0123456789abcdef",
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "TWILIO_AUTH_TOKEN": TEST_AUTH_TOKEN,
        "TWILIO_FROM_SMS": "+447700900999",
        "TWILIO_API_URL": UNREACHABLE_TWILIO,
        "PUBLIC_URL": TEST_PUBLIC_URL,
        "FLOWS_DIR": str(FIXTURE_FLOWS),
    }
    values.update({key.upper(): value for key, value in overrides.items()})
    return values


def make_container(database_url: str, **overrides: Any) -> Container:
    return build_container(load_settings(settings_for(database_url, **overrides), environ={}))


def worker_redis_url() -> str:
    """REDIS_URL with a database of this xdist worker's own (15, 14...): flushes never clash."""
    base = os.environ.get("REDIS_URL", "")
    if not base:
        need_service("Redis", "REDIS_URL is not set")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker.removeprefix("gw")) if worker.startswith("gw") else 0
    return urlunsplit(urlsplit(base)._replace(path=f"/{15 - index % 16}"))


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = worker_redis_url()
    try:
        Redis.from_url(url).ping()
    except RedisError as error:
        need_service("Redis", str(error))
    return url


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[Redis]:
    """This worker's Redis database, empty before and after the test."""
    client = Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at its lowest cost: account hashing is tested in tests/bot, not timed everywhere."""
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test: migrating once keeps the suite fast."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    database = Database.from_url(f"sqlite:///{path}")
    database.upgrade()
    database.engine.dispose()  # closing the last connection folds the WAL into the file
    return path


@pytest.fixture(scope="session")
def postgres_url(worker_id: str) -> Iterator[str]:
    """A migrated database of this xdist worker's own on the TEST_DATABASE_URL server."""
    base = os.environ.get("TEST_DATABASE_URL", "")
    if not base:
        need_service("PostgreSQL", "TEST_DATABASE_URL is not set")
    url = make_url(base.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"sgwrs_test_{worker_id}_{os.getpid()}"  # two runs on one server never collide
    try:
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # any connection failure means the service is not usable
        need_service("PostgreSQL", str(error).splitlines()[0])
    own = url.set(database=name).render_as_string(hide_password=False)
    database = Database.from_url(own)
    database.upgrade()
    database.engine.dispose()
    yield own
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def copy_sqlite(template: Path, folder: Path) -> str:
    """A test's own SQLite database: a copy of a migrated (perhaps seeded) template."""
    path = folder / "sgwrs.db"
    shutil.copy(template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """Each test using it runs on both databases: same behaviour is part of the contract."""
    if request.param == "sqlite":
        return copy_sqlite(sqlite_template, tmp_path)
    url = request.getfixturevalue("postgres_url")
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    tables = ", ".join(SQLModel.metadata.tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """For tests of logic that does not depend on the database kind."""
    return copy_sqlite(sqlite_template, tmp_path)


@pytest.fixture
def services(database_url: str) -> Iterator[Container]:
    built = make_container(database_url)
    yield built
    built.db.engine.dispose()


@pytest.fixture
def app(services: Container) -> Flask:
    return create_app(services=services)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
