"""`sgwrs chat`: texting the bot from a terminal, through the same code as a real text."""

from __future__ import annotations

from click.testing import CliRunner
from sqlmodel import select

from bot.cli import SIMULATOR_NUMBER, cli
from bot.runtime.container import Container
from bot.store.models import Message, Participant
from tests.cli.conftest import text_of


def test_chat_in_english_goes_through_the_flow(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["chat", "--lang", "en"], input="next\n")

    assert result.exit_code == 0, result.output
    output = result.output
    assert "> English" in output
    keywords = output.index(text_of("welcome", "keywords", "en"))
    plan = output.index(text_of("energy-data", "plan", "en"))
    smart_meters = output.index(text_of("energy-data", "smart-meters", "en"))
    assert keywords < plan < smart_meters
    assert text_of("energy-data", "plan", "cy") not in output


def test_chat_without_a_language_gets_the_bilingual_welcome(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["chat"], input="helo\n")

    assert result.exit_code == 0, result.output
    welsh = result.output.index(text_of("welcome", "language", "cy"))
    english = result.output.index(text_of("welcome", "language", "en"))
    assert welsh < english


def test_chat_is_stored_like_a_real_text(runner: CliRunner, container: Container) -> None:
    result = runner.invoke(cli, ["chat", "--lang", "cy", "--channel", "whatsapp"], input="nesaf\n")

    assert result.exit_code == 0, result.output
    assert f"Texting Sgwrs as {SIMULATOR_NUMBER} over whatsapp" in result.output
    assert "segment(s)]" in result.output
    with container.db.session() as session:
        participants = session.exec(select(Participant)).all()
        messages = session.exec(select(Message)).all()
    assert [(p.channel, p.language) for p in participants] == [("whatsapp", "cy")]
    assert sorted(message.direction for message in messages) == ["in", "in", "out", "out"]
    assert container.vault.hash_number(SIMULATOR_NUMBER) == participants[0].number_hash


def test_chat_says_when_the_bot_stays_silent(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["chat", "--lang", "en"], input="STOP\nhello?\n")

    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith("(no reply)")


def test_chat_refuses_a_number_that_is_not_a_phone_number(
    runner: CliRunner, container: Container
) -> None:
    result = runner.invoke(cli, ["chat", "--number", "not-a-number"], input="helo\n")

    assert result.exit_code == 2
    assert "Invalid value for --number" in result.output
    assert "not a phone number" in result.output
    with container.db.session() as session:
        assert session.exec(select(Participant)).all() == []
