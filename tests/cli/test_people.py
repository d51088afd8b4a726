"""`sgwrs export-person`: a subject access export of one phone number, printed or to a file."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from click.testing import CliRunner
from sqlmodel import select

from bot.cli import cli
from bot.runtime.container import Container
from bot.store.models import AuditEvent
from tests.cli.conftest import text_bot

RESIDENT = "+447700900123"
HOPE = "Warmer homes for older people on our street"
#: Language, the explanations, consent, a view and a hope; then the phone is handed on.
TO_A_HOPE = ("hi", "2", *["next"] * 7, "yes", "1", HOPE)


def exports(container: Container) -> list[tuple[str, int | None]]:
    with container.db.session() as session:
        statement = select(AuditEvent).where(AuditEvent.action == "person_exported")
        return [(event.target, event.user_id) for event in session.exec(statement)]


def test_export_person_prints_everyone_on_the_number_as_json(
    runner: CliRunner, container: Container
) -> None:
    text_bot(container, RESIDENT, *TO_A_HOPE, "NEW", "Helo", "1")
    text_bot(container, "+447700900124", "hi", "2")

    result = runner.invoke(cli, ["export-person", "--number", "07700 900123"])

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["number"] == RESIDENT
    first, second = document["participants"]
    assert HOPE in [answer["text"] for answer in first["answers"]]
    assert [m["body"] for m in second["messages"] if m["direction"] == "in"] == ["Helo", "1"]
    assert result.stderr == ""
    assert exports(container) == [("participant:1", None), ("participant:2", None)]


def test_export_person_writes_a_file_only_its_owner_can_read(
    runner: CliRunner, container: Container, tmp_path: Path
) -> None:
    text_bot(container, RESIDENT, *TO_A_HOPE)
    output = tmp_path / "resident.json"
    output.write_text("an older export")
    output.chmod(0o644)

    result = runner.invoke(cli, ["export-person", "--number", RESIDENT, "--output", str(output)])

    assert result.exit_code == 0, result.output
    assert result.output == f"Written to {output}\n"
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    document = json.loads(output.read_text(encoding="utf-8"))
    assert [p["id"] for p in document["participants"]] == [1]
    assert HOPE not in result.output


def test_export_person_with_nothing_held_says_so(runner: CliRunner, container: Container) -> None:
    result = runner.invoke(cli, ["export-person", "--number", RESIDENT])

    assert result.exit_code == 0, result.output
    assert result.stderr == "Nothing is held about that number.\n"
    assert json.loads(result.stdout)["participants"] == []
    assert exports(container) == [("number", None)]


def test_export_person_refuses_a_bad_number_clearly(
    runner: CliRunner, container: Container
) -> None:
    result = runner.invoke(cli, ["export-person", "--number", "my phone"])

    assert result.exit_code == 1
    assert "Error: That is not a phone number. Give it in full, like +447700900123." in (
        result.output
    )
    assert "Traceback" not in result.output
    assert exports(container) == []


def test_export_person_needs_a_number(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["export-person"])

    assert result.exit_code == 2
    assert "Missing option '--number'" in result.output


def test_erase_removes_everyone_on_the_number_after_asking(
    runner: CliRunner, container: Container
) -> None:
    text_bot(container, RESIDENT, *TO_A_HOPE, "NEW", "Helo")
    text_bot(container, "+447700900124", "hi", "2")

    refused = runner.invoke(
        cli, ["erase", "--number", "07700 900123", "--reason", "asked_by_phone"], input="n\n"
    )
    done = runner.invoke(
        cli, ["erase", "--number", "07700 900123", "--reason", "asked_by_phone"], input="y\n"
    )
    again = runner.invoke(
        cli, ["erase", "--number", RESIDENT, "--reason", "asked_by_phone", "--yes"]
    )

    assert refused.exit_code == 1
    assert done.exit_code == 0, done.output
    assert "Erased 2 conversation(s) on that number." in done.output
    assert "Nothing was held about that number." in again.output
    remaining = runner.invoke(cli, ["export-person", "--number", "+447700900124"])
    assert json.loads(remaining.stdout)["participants"]
    with container.db.session() as session:
        statement = select(AuditEvent).where(AuditEvent.action == "resident_erased")
        assert [e.detail.split(";")[0] for e in session.exec(statement)] == [
            "reason=asked_by_phone",
            "reason=asked_by_phone",
        ]


def test_erase_refuses_a_typed_reason_and_a_bad_number(runner: CliRunner) -> None:
    typed = runner.invoke(cli, ["erase", "--number", RESIDENT, "--reason", "she rang", "--yes"])
    bad = runner.invoke(cli, ["erase", "--number", "12345", "--reason", "asked_by_phone", "--yes"])

    assert typed.exit_code == 2
    assert "asked_by_phone" in typed.output
    assert bad.exit_code == 1
    assert "not a phone number" in bad.output
    assert "Traceback" not in bad.output
