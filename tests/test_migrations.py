"""Alembic owns the schema: migrations build every table, are idempotent and match the models."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

import bot.store.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from bot.runtime.crypto import Vault
from bot.store.db import Database, alembic_config
from tests.conftest import need_service


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(
    request: pytest.FixtureRequest, tmp_path: Path, worker_id: str
) -> Iterator[Database]:
    """A database with no tables at all, of each kind."""
    if request.param == "sqlite":
        database = Database.from_url(f"sqlite:///{tmp_path / 'empty.db'}")
        yield database
        database.engine.dispose()
        return
    base = os.environ.get("TEST_DATABASE_URL", "")
    if not base:
        need_service("PostgreSQL", "TEST_DATABASE_URL is not set")
    url = make_url(base.replace("postgresql://", "postgresql+psycopg://", 1))
    # The process id too: two test runs at once on one server must not drop each other's database.
    name = f"sgwrs_mig_{worker_id}_{os.getpid()}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # any connection failure means the service is not usable
        need_service("PostgreSQL", str(error).splitlines()[0])
    database = Database.from_url(url.set(database=name).render_as_string(hide_password=False))
    yield database
    database.engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def schema_of(database: Database) -> dict[str, object]:
    """Tables, columns, indexes and the Alembic revision: enough to notice any change."""
    inspector = inspect(database.engine)
    schema: dict[str, object] = {}
    for table in sorted(inspector.get_table_names()):
        schema[table] = (
            [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)],
            sorted(
                (i["name"] or "", tuple(i["column_names"])) for i in inspector.get_indexes(table)
            ),
        )
    with database.engine.connect() as connection:
        schema["revision"] = connection.execute(
            text("SELECT version_num FROM alembic_version")
        ).all()
    return schema


def test_upgrade_creates_every_model_table(empty_database: Database) -> None:
    assert inspect(empty_database.engine).get_table_names() == []

    empty_database.upgrade()

    tables = set(inspect(empty_database.engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_upgrade_twice_is_a_no_op(empty_database: Database) -> None:
    empty_database.upgrade()
    first = schema_of(empty_database)

    empty_database.upgrade()

    assert schema_of(empty_database) == first
    assert len(first["revision"]) == 1  # type: ignore[arg-type]


def test_models_match_the_migrations(empty_database: Database) -> None:
    empty_database.upgrade()

    with empty_database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)

    assert differences == []


def test_rights_revision_keeps_data_seals_typed_reasons_and_stops_id_reuse(
    empty_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Upgrading a database that holds residents keeps every row and link, puts numbers that
    opted out on the opt-out list, moves a reason an officer typed out of the clear, and
    (SQLite) never hands an erased id to a new row."""
    monkeypatch.setenv("DATA_KEY", "k" * 32)
    config = alembic_config()
    with empty_database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0004")
    with empty_database.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO participants (channel, number_hash, number_encrypted, hear_back,"
                " opted_out, is_test, state, created_at) VALUES"
                " ('sms', 'h1', 'x', false, true, false, '{}', '2026-01-01'),"
                " ('sms', 'h2', 'x', false, false, false, '{}', '2026-01-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO answers (participant_id, flow_id, step_id, kind, text_encrypted,"
                " created_at, significant, filed_as) VALUES"
                " (2, 'f', 's', 'hope', 'x', '2026-01-01', false, 'answer')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO audit_log (at, action, target, detail) VALUES"
                " ('2026-01-01', 'number_revealed', 'participant:2', 'Mrs Evans asked me to ring')"
            )
        )

    empty_database.upgrade()

    with empty_database.engine.begin() as connection:
        assert connection.execute(text("SELECT count(*) FROM answers")).scalar() == 1
        assert connection.execute(text("SELECT number_hash FROM opt_outs")).all() == [("h1",)]
        audit = connection.execute(text("SELECT detail, reason_encrypted FROM audit_log")).one()
        assert audit.detail == ""
        assert Vault("k" * 32).open(audit.reason_encrypted) == "Mrs Evans asked me to ring"
        connection.execute(text("DELETE FROM answers"))
        connection.execute(text("DELETE FROM participants WHERE id = 2"))
        connection.execute(
            text(
                "INSERT INTO participants (channel, number_hash, number_encrypted, hear_back,"
                " opted_out, is_test, state, created_at) VALUES"
                " ('sms', 'h3', 'x', false, false, false, '{}', '2026-01-01')"
            )
        )
        new_id = connection.execute(
            text("SELECT id FROM participants WHERE number_hash = 'h3'")
        ).scalar()
    assert new_id == 3
