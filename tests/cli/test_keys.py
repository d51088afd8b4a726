"""`sgwrs keys rotate`: an operator moves residents' data onto a new DATA_KEY."""

from __future__ import annotations

from click.testing import CliRunner

from bot.cli import cli
from bot.runtime.container import Container
from tests.cli.conftest import text_bot
from tests.conftest import make_container

RESIDENT = "+447700900123"
NEW_KEY = "a-brand-new-data-key-0123456789"


def test_keys_rotate_reseals_every_table_and_says_what_to_do_next(
    runner: CliRunner, container: Container, cli_env: dict[str, str], sqlite_url: str
) -> None:
    text_bot(container, RESIDENT, "2", "ASK Will my landlord be told?")
    rotating = {"DATA_KEY": NEW_KEY, "DATA_KEY_PREVIOUS": cli_env["DATA_KEY"]}

    result = runner.invoke(cli, ["keys", "rotate"], env=rotating)
    again = runner.invoke(cli, ["keys", "rotate"], env=rotating)

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.split()[:3] == ["participants", "1", "re-sealed,"] for line in lines)
    assert any(line.split()[:2] == ["questions", "1"] for line in lines)
    assert "Remove DATA_KEY_PREVIOUS once every process runs with the new key" in result.output
    assert RESIDENT not in result.output
    assert again.exit_code == 0, again.output
    assert all(" 0 re-sealed" in line for line in again.output.splitlines()[:-1])
    rotated = make_container(sqlite_url, DATA_KEY=NEW_KEY)
    [question] = rotated.questions.open_questions()
    assert question.text == "Will my landlord be told?"
    rotated.db.engine.dispose()


def test_keys_rotate_without_a_previous_key_has_nothing_to_rotate_from(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["keys", "rotate"])

    assert result.exit_code == 1
    assert "DATA_KEY_PREVIOUS is empty: nothing to rotate from" in result.output


def test_keys_rotate_with_the_wrong_previous_key_stops_and_says_so(
    runner: CliRunner, container: Container
) -> None:
    text_bot(container, RESIDENT, "2")
    wrong = {"DATA_KEY": NEW_KEY, "DATA_KEY_PREVIOUS": "not-the-key-it-was-sealed-with"}

    result = runner.invoke(cli, ["keys", "rotate"], env=wrong)

    assert result.exit_code == 1
    assert "participants: stored text cannot be decrypted" in result.output
    assert "check DATA_KEY_PREVIOUS and run this again" in result.output


def test_keys_rotate_refuses_a_short_previous_key_by_name(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["keys", "rotate"], env={"DATA_KEY_PREVIOUS": "short"})

    assert result.exit_code == 1
    assert "DATA_KEY_PREVIOUS: key 1 is shorter than 16 characters" in result.output
