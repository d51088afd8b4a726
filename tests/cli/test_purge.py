"""`sgwrs purge`: the retention purge at once, or with --dry-run a count of what would go."""

from __future__ import annotations

from datetime import timedelta

from click.testing import CliRunner
from sqlalchemy import update
from sqlmodel import select

from bot.cli import cli
from bot.runtime.clock import utc_now
from bot.runtime.container import Container
from bot.store.models import Participant
from tests.cli.conftest import text_bot

SILENT = "+447700900123"
TALKING = "+447700900124"


def silent_for(container: Container, number: str, days: int) -> None:
    """The resident's first and last texts moved `days` into the past."""
    then = utc_now() - timedelta(days=days)
    hashed = container.vault.hash_number(number)
    with container.db.session() as session:
        session.execute(
            update(Participant)
            .where(Participant.number_hash == hashed)
            .values(created_at=then, last_inbound_at=then)
        )


def residents(container: Container) -> int:
    with container.db.session() as session:
        return len(session.exec(select(Participant.id)).all())


def test_purge_dry_run_counts_what_would_go_and_erases_nothing(
    runner: CliRunner, container: Container
) -> None:
    text_bot(container, SILENT, "hi", "2", "next")
    text_bot(container, TALKING, "hi")
    silent_for(container, SILENT, 400)

    result = runner.invoke(cli, ["purge", "--dry-run"])

    assert result.exit_code == 0, result.output
    assert "Would erase 1 resident silent since" in result.output
    assert "(RETENTION_DAYS=365)" in result.output
    assert "participants 1" in result.output
    assert "messages 6" in result.output  # three texts in, three replies
    assert "Kept: the opt-out list" in result.output
    assert SILENT not in result.output
    assert residents(container) == 2


def test_purge_erases_residents_past_retention_now(runner: CliRunner, container: Container) -> None:
    text_bot(container, SILENT, "hi", "2", "next")
    text_bot(container, TALKING, "hi")
    silent_for(container, SILENT, 400)

    result = runner.invoke(cli, ["purge"])

    assert result.exit_code == 0, result.output
    assert result.output.startswith("Erased 1 resident silent since")
    assert residents(container) == 1
    again = runner.invoke(cli, ["purge"])
    assert again.output.startswith("Erased 0 residents")
