"""`sgwrs broadcast preview|send|pause|resume|status`: "you said, we did" from a terminal."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from sqlmodel import col, select

from bot.cli import cli
from bot.runtime.container import Container
from bot.store.models import Broadcast, OutboxMessage, Participant
from tests.cli.conftest import HEAR_BACK_CY, HEAR_BACK_EN, text_bot

CY = "Diolch. Byddwn yn cysylltu eto yn y gwanwyn."
EN = "Thank you. We will be in touch again in the spring."
MESSAGE = ["--flow", "energy-data", "--cy", CY, "--en", EN]


@pytest.fixture
def residents(container: Container) -> Container:
    """Two English residents and one Welsh who finished energy-data asking to hear back, and
    one who did not ask: three recipients."""
    text_bot(container, "+447700900101", *HEAR_BACK_EN)
    text_bot(container, "+447700900102", *HEAR_BACK_EN)
    text_bot(container, "+447700900103", *HEAR_BACK_CY)
    text_bot(container, "+447700900104", *HEAR_BACK_EN[:-1], "No")
    with container.db.session() as session:
        hear_back = session.exec(select(Participant.hear_back).order_by(col(Participant.id)))
        assert list(hear_back) == [True, True, True, False]
    return container


def _broadcast_rows(container: Container) -> list[OutboxMessage]:
    with container.db.session() as session:
        statement = select(OutboxMessage).where(col(OutboxMessage.broadcast_id).is_not(None))
        return list(session.exec(statement).all())


def _line(label: str, count: int) -> re.Pattern[str]:
    return re.compile(
        rf"^  {re.escape(label)} +{count} resident\(s\) x 1 segment\(s\) GSM-7$", re.M
    )


def test_preview_counts_recipients_by_language_and_sends_nothing(
    runner: CliRunner, residents: Container
) -> None:
    result = runner.invoke(cli, ["broadcast", "preview", *MESSAGE])

    assert result.exit_code == 0, result.output
    assert _line("Welsh", 1).search(result.output)
    assert _line("English", 2).search(result.output)
    assert _line("both (language unknown)", 0).search(result.output)
    assert "  total 3 segment(s), about £0.12" in result.output
    assert _broadcast_rows(residents) == []


def test_preview_warns_when_the_text_holds_contact_details(runner: CliRunner) -> None:
    """A warning, not a refusal: a council may give its own helpline number."""
    english = "Thank you. Ring us on 029 2087 2087."
    result = runner.invoke(cli, ["broadcast", "preview", *MESSAGE[:-1], english])

    assert result.exit_code == 0, result.output
    assert "  Warning: This text contains a phone number: every recipient will see it." in (
        result.output
    )
    plain = runner.invoke(cli, ["broadcast", "preview", *MESSAGE])
    assert "Warning" not in plain.output


def test_preview_needs_both_languages(runner: CliRunner) -> None:
    result = runner.invoke(
        cli, ["broadcast", "preview", "--flow", "energy-data", "--cy", "", "--en", EN]
    )

    assert result.exit_code == 1
    assert "Error: Write the message in both Welsh and English." in result.output


def test_preview_refuses_an_unknown_flow(runner: CliRunner) -> None:
    result = runner.invoke(
        cli, ["broadcast", "preview", "--flow", "no-such-flow", "--cy", CY, "--en", EN]
    )

    assert result.exit_code != 0
    assert "no-such-flow" in result.output


def test_send_with_yes_queues_one_text_per_recipient(
    runner: CliRunner, residents: Container
) -> None:
    result = runner.invoke(cli, ["broadcast", "send", *MESSAGE, "--yes", "--by", "Ann"])

    assert result.exit_code == 0, result.output
    assert "  total 3 segment(s)" in result.output
    assert result.output.splitlines()[-1] == "broadcast 1: 3 text(s) queued"
    rows = _broadcast_rows(residents)
    bodies = sorted(residents.vault.open(row.body_encrypted) for row in rows)
    assert bodies == sorted([CY, EN, EN])
    assert {(row.priority, row.status) for row in rows} == {("bulk", "pending")}
    with residents.db.session() as session:
        broadcast = session.get(Broadcast, 1)
    assert broadcast is not None
    assert (broadcast.status, broadcast.created_by) == ("sending", "Ann")


def test_send_asks_first_and_a_no_sends_nothing(runner: CliRunner, residents: Container) -> None:
    result = runner.invoke(cli, ["broadcast", "send", *MESSAGE], input="n\n")

    assert result.exit_code == 1
    assert "Send it now? [y/N]: n" in result.output
    assert "Aborted!" in result.output
    assert _broadcast_rows(residents) == []
    with residents.db.session() as session:
        assert session.exec(select(Broadcast)).all() == []


def test_send_after_a_yes_at_the_prompt(runner: CliRunner, residents: Container) -> None:
    result = runner.invoke(cli, ["broadcast", "send", *MESSAGE], input="y\n")

    assert result.exit_code == 0, result.output
    assert "broadcast 1: 3 text(s) queued" in result.output
    assert len(_broadcast_rows(residents)) == 3


def test_status_pause_and_resume(runner: CliRunner, residents: Container) -> None:
    runner.invoke(cli, ["broadcast", "send", *MESSAGE, "--yes"])

    status = runner.invoke(cli, ["broadcast", "status", "1"])
    paused = runner.invoke(cli, ["broadcast", "pause", "1"])
    paused_again = runner.invoke(cli, ["broadcast", "pause", "1"])
    resumed = runner.invoke(cli, ["broadcast", "resume", "1"])

    assert (status.exit_code, status.output) == (0, "broadcast 1: sending; pending 3\n")
    assert (paused.exit_code, paused.output) == (0, "broadcast 1: paused; pending 3\n")
    assert paused_again.exit_code == 1
    assert "Error: Only a broadcast that is sending can be paused." in paused_again.output
    assert (resumed.exit_code, resumed.output) == (0, "broadcast 1: sending; pending 3\n")


@pytest.mark.parametrize("action", ["status", "pause", "resume"])
def test_an_unknown_broadcast(runner: CliRunner, action: str) -> None:
    result = runner.invoke(cli, ["broadcast", action, "7"])

    assert result.exit_code == 1
    assert "Error: There is no broadcast 7." in result.output


def test_a_resident_who_never_chose_a_language_gets_welsh_then_english(
    runner: CliRunner, residents: Container
) -> None:
    with residents.db.session() as session:
        first = session.get(Participant, 1)
        assert first is not None
        first.language = None
        session.add(first)

    result = runner.invoke(cli, ["broadcast", "send", *MESSAGE, "--yes", "--by", "Ann"])

    assert result.exit_code == 0, result.output
    bodies = sorted(residents.vault.open(row.body_encrypted) for row in _broadcast_rows(residents))
    assert bodies == sorted([f"{CY}\n\n{EN}", CY, EN])


def test_a_text_too_long_for_both_languages_at_once_is_refused(
    runner: CliRunner, residents: Container
) -> None:
    # Each fits alone (2 and 1 segments); as one text, the î makes it all UCS-2: 4.
    welsh = (
        "Diolch am eich amser. Bydd y tîm yn darllen pob ateb cyn penderfynu beth i'w wneud"
        " nesaf, a byddwn yn anfon neges eto."
    )
    english = (
        "Thank you for your time. The team will read every answer before deciding what to do"
        " next, and we will text you again."
    )
    refused = ["--flow", "energy-data", "--cy", welsh, "--en", english]

    result = runner.invoke(cli, ["broadcast", "send", *refused, "--yes", "--by", "Ann"])

    assert result.exit_code != 0
    assert "that would be 4 segments. Shorten both to fit 3." in result.output
    assert _broadcast_rows(residents) == []
