"""Every `sgwrs` command has a test in this package: adding one without a test fails here."""

from __future__ import annotations

import click
from click.testing import CliRunner

from bot.cli import cli

#: The commands tests/cli covers, by the words an operator types.
TESTED = {
    "chat",
    "call",
    "flows check",
    "flows export-translations",
    "flows import-translations",
    "db upgrade",
    "worker",
    "broadcast preview",
    "broadcast send",
    "broadcast pause",
    "broadcast resume",
    "broadcast status",
    "questions list",
    "questions answer",
    "create-user",
    "run",
    "export-person",
    "erase",
    "keys rotate",
    "purge",
}


def _commands(group: click.Group, prefix: str = "") -> set[str]:
    found: set[str] = set()
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found |= _commands(command, f"{prefix}{name} ")
        else:
            found.add(f"{prefix}{name}")
    return found


def test_every_command_has_a_test() -> None:
    assert _commands(cli) == TESTED


def test_help_lists_every_command(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--help"])

    assert result.exit_code == 0
    for command in (
        "chat",
        "call",
        "flows",
        "db",
        "worker",
        "broadcast",
        "questions",
        "create-user",
    ):
        assert command in result.output
    assert "run" in cli.commands
    assert "  run " in result.output
