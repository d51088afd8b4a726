"""`sgwrs db upgrade`: the Procfile's release step, on a new database and on one up to date."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import create_engine, inspect, text

from bot.cli import cli


def test_db_upgrade_creates_the_tables_and_can_run_again(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    runner = CliRunner(env={**cli_env, "DATABASE_URL": url})

    first = runner.invoke(cli, ["db", "upgrade"])
    again = runner.invoke(cli, ["db", "upgrade"])

    assert first.exit_code == 0, first.output
    assert "database is at the latest migration" in first.output
    assert again.exit_code == 0, again.output
    engine = create_engine(url)
    tables = set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    engine.dispose()
    assert {"participants", "answers", "questions", "outbox", "users"} <= tables
    assert len(versions) == 1


def test_db_upgrade_names_a_bad_setting(cli_env: dict[str, str]) -> None:
    runner = CliRunner(env={**cli_env, "SEND_RATE_PER_SECOND": "fast"})

    result = runner.invoke(cli, ["db", "upgrade"])

    assert result.exit_code == 1
    assert "SEND_RATE_PER_SECOND must be a number, not 'fast'" in result.output
