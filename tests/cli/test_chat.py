"""`sgwrs chat`: texting the bot from a terminal, through the same code as a real text."""

from __future__ import annotations

import subprocess
from pathlib import Path

from click.testing import CliRunner
from sqlmodel import select

from bot.cli import SIMULATOR_NUMBER, cli
from bot.runtime.container import Container
from bot.store.models import Message, Participant
from tests.cli.conftest import start_sgwrs, text_bot, text_of, wait_until
from tests.helpers import stop


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


def test_chat_prints_what_is_sent_to_the_number_later(
    cli_env: dict[str, str], container: Container, tmp_path: Path
) -> None:
    """The whole loop on one laptop: a resident asks in the chat, an officer answers, and the
    answer appears in the chat as the phone would get it (through the local fake Twilio)."""
    text_bot(container, SIMULATOR_NUMBER, "2", "ASK is my landlord told?")
    [question] = container.questions.open_questions()
    env = {**cli_env, "TWILIO_ACCOUNT_SID": "", "SWEEP_INTERVAL_SECONDS": "0.2"}
    log = tmp_path / "chat.log"
    process = start_sgwrs(["chat"], env, log, stdin=subprocess.PIPE)
    try:
        wait_until(process, log, lambda: "Texting Sgwrs" in log.read_text(), "the chat to start")
        container.questions.answer(question.id, "No, your landlord is not told.")
        wait_until(
            process,
            log,
            lambda: "[sent later]" in log.read_text(),
            "the officer's answer to reach the chat",
        )
        shown = log.read_text()
        assert "No, your landlord is not told." in shown.split("[sent later]", 1)[1]
        assert process.stdin is not None
        process.stdin.close()
        assert process.wait(timeout=15) == 0
    finally:
        stop(process)
