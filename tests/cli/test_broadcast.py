"""`sgwrs broadcast preview|send|pause|resume|status`: "you said, we did" from a terminal."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

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
#: Each text as a resident gets it: the message, then how to stop.
CY_SENT = f"{CY}\nAnfonwch STOPIO i orffen."
EN_SENT = f"{EN}\nSend STOP to stop."


@pytest.fixture
def cli_env(cli_env: dict[str, str]) -> dict[str, str]:
    """No quiet hours, so what `status` says does not hang on the hour the tests run at."""
    return {**cli_env, "QUIET_HOURS_START": "00:00", "QUIET_HOURS_END": "00:00"}


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
    assert bodies == sorted([CY_SENT, EN_SENT, EN_SENT])
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
    assert bodies == sorted([f"{CY_SENT}\n\n{EN_SENT}", CY_SENT, EN_SENT])


def test_a_text_too_long_for_both_languages_at_once_is_refused(
    runner: CliRunner, residents: Container
) -> None:
    # Each fits alone (3 segments and 1); as one text, with how to stop in each language, the
    # î makes it all UCS-2: 243 characters, 4 segments, 42 more than 3 parts of 67.
    welsh = (
        "Diolch am eich amser. Bydd y tîm yn darllen pob ateb cyn penderfynu beth i'w wneud"
        " nesaf, a byddwn yn anfon neges eto."
    )
    english = "Thank you for your time. The team will read every answer, then text you again."
    refused = ["--flow", "energy-data", "--cy", welsh, "--en", english]

    result = runner.invoke(cli, ["broadcast", "send", *refused, "--yes", "--by", "Ann"])

    assert result.exit_code != 0
    assert "that would be 4 segments. Cut 42 characters from either language to fit 3." in (
        result.output
    )
    assert _broadcast_rows(residents) == []


def test_send_to_one_language_reaches_only_its_speakers(
    runner: CliRunner, residents: Container
) -> None:
    result = runner.invoke(cli, ["broadcast", "send", *MESSAGE, "--language", "cy", "--yes"])

    assert result.exit_code == 0, result.output
    assert _line("Welsh", 1).search(result.output)
    assert _line("English", 0).search(result.output)
    assert result.output.splitlines()[-1] == "broadcast 1: 1 text(s) queued"
    [row] = _broadcast_rows(residents)
    assert residents.vault.open(row.body_encrypted) == CY_SENT


def test_everyone_who_took_part_includes_those_who_did_not_ask(
    runner: CliRunner, residents: Container
) -> None:
    result = runner.invoke(cli, ["broadcast", "preview", *MESSAGE, "--audience", "took_part"])

    assert result.exit_code == 0, result.output
    assert _line("English", 3).search(result.output)


def test_an_unknown_partner_is_refused(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["broadcast", "preview", *MESSAGE, "--partner", "NOPE"])

    assert result.exit_code == 1
    assert "Error: There is no partner NOPE." in result.output


def test_status_says_quiet_hours_hold_the_texts_and_until_when(
    runner: CliRunner, residents: Container, cli_env: dict[str, str]
) -> None:
    """Quiet hours set around now, as the command reads the real clock: from an hour ago to
    two hours from now, local time."""
    now = datetime.now(ZoneInfo("Europe/London"))
    start, end = (f"{now + timedelta(hours=hours):%H:%M}" for hours in (-1, 2))
    quiet = CliRunner(env={**cli_env, "QUIET_HOURS_START": start, "QUIET_HOURS_END": end})
    quiet.invoke(cli, ["broadcast", "send", *MESSAGE, "--yes"])

    status = quiet.invoke(cli, ["broadcast", "status", "1"])
    paused = quiet.invoke(cli, ["broadcast", "pause", "1"])
    out_of_hours = runner.invoke(cli, ["broadcast", "resume", "1"])

    assert status.exit_code == 0, status.output
    assert status.output == f"broadcast 1: sending; pending 3; held for quiet hours until {end}\n"
    assert paused.output == "broadcast 1: paused; pending 3\n"  # paused, not held
    assert out_of_hours.output == "broadcast 1: sending; pending 3\n"
