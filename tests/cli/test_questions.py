"""`sgwrs questions list|answer`: an officer reads residents' questions and answers them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from click.testing import CliRunner
from sqlmodel import select

from bot.cli import cli
from bot.runtime.clock import utc_now
from bot.runtime.container import Container
from bot.runtime.working_days import london_day, working_day_after
from bot.store.models import OutboxMessage, Question
from tests.cli.conftest import text_bot

RESIDENT = "+447700900123"
#: A question asked today is due 5 working days on (the fixture flows promise the default).
DUE = working_day_after(london_day(utc_now()), 5)


def test_questions_list_shows_open_questions_oldest_first(
    runner: CliRunner, container: Container
) -> None:
    text_bot(container, RESIDENT, "2", "ASK Will my landlord be told?")
    text_bot(container, "+447700900124", "1", "GOFYN Pryd fydd hyn yn dechrau?")

    result = runner.invoke(cli, ["questions", "list"])

    assert result.exit_code == 0, result.output
    due = f"due {DUE:%a} {DUE.day} {DUE:%b}"
    assert result.output.splitlines() == [
        f"#1 [en] {due}: Will my landlord be told?",
        f"#2 [cy] {due}: Pryd fydd hyn yn dechrau?",
    ]


def test_questions_list_says_which_are_overdue(runner: CliRunner, container: Container) -> None:
    text_bot(container, RESIDENT, "2", "ASK Will my landlord be told?")
    with container.db.session() as session:
        question = session.get(Question, 1)
        assert question is not None
        question.created_at = datetime(2026, 11, 3, 10, tzinfo=UTC)  # a Tuesday: due Tue 10 Nov
        session.add(question)

    result = runner.invoke(cli, ["questions", "list"])

    assert result.exit_code == 0, result.output
    assert re.fullmatch(
        r"#1 \[en\] OVERDUE by \d+ working days? \(due Tue 10 Nov\): Will my landlord be told\?\n",
        result.output,
    )


def test_questions_list_with_none_open_prints_nothing(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["questions", "list"])

    assert result.exit_code == 0, result.output
    assert result.output == ""


def test_questions_answer_queues_the_answer_in_the_residents_language(
    runner: CliRunner, container: Container
) -> None:
    text_bot(container, RESIDENT, "2", "ASK Will my landlord be told?")

    result = runner.invoke(cli, ["questions", "answer", "1", "No, never."])

    assert result.exit_code == 0, result.output
    assert result.output == "answer to question 1 queued\n"
    with container.db.session() as session:
        question = session.get(Question, 1)
        [send] = session.exec(select(OutboxMessage)).all()
    assert question is not None
    assert question.status == "answered"
    assert (send.purpose, send.priority, send.status) == ("answer", "urgent", "pending")
    body = container.vault.open(send.body_encrypted)
    assert body == (
        "The council's answer to your question 'Will my landlord be told?':\nNo, never.\n"
        "Text ASK with another question."
    )
    listed = runner.invoke(cli, ["questions", "list"])
    assert listed.output == ""


def test_questions_answer_twice_is_refused(runner: CliRunner, container: Container) -> None:
    text_bot(container, RESIDENT, "2", "ASK Will my landlord be told?")
    runner.invoke(cli, ["questions", "answer", "1", "No, never."])

    result = runner.invoke(cli, ["questions", "answer", "1", "Still no."])

    assert result.exit_code == 1
    assert "Error: That question has already been answered." in result.output
    with container.db.session() as session:
        assert len(session.exec(select(OutboxMessage)).all()) == 1


def test_questions_answer_to_an_unknown_question(runner: CliRunner, container: Container) -> None:
    result = runner.invoke(cli, ["questions", "answer", "99", "Hello"])

    assert result.exit_code == 1
    assert "Error: That question no longer exists" in result.output
    with container.db.session() as session:
        assert session.exec(select(OutboxMessage)).all() == []


def test_questions_answer_needs_a_number_and_some_words(
    runner: CliRunner, container: Container
) -> None:
    text_bot(container, RESIDENT, "2", "ASK Will my landlord be told?")

    not_a_number = runner.invoke(cli, ["questions", "answer", "first", "Hello"])
    empty = runner.invoke(cli, ["questions", "answer", "1", "   "])

    assert not_a_number.exit_code == 2
    assert "'first' is not a valid integer" in not_a_number.output
    assert empty.exit_code == 1
    assert "Error: The answer is empty." in empty.output
    with container.db.session() as session:
        assert session.exec(select(OutboxMessage)).all() == []
