"""Residents' rights from the command line: a subject access export of one phone number, and
erasing everything about it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from bot.cli.setup import open_container
from bot.core.rights import REASONS, RightsError
from bot.core.subject_access import NumberError, export_person


@click.command("export-person")
@click.option("--number", required=True, help="The resident's phone number, e.g. +447700900123.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the JSON to this file (readable by you only) instead of printing it.",
)
def export_person_command(number: str, output: Path | None) -> None:
    """All data held about one phone number, as JSON (UK GDPR Art 15); audit-logged."""
    services = open_container()
    try:
        document = export_person(
            services.db,
            services.vault,
            number,
            clock=services.clock,
            retention_days=services.settings.retention_days,
        )
    except NumberError as error:
        raise click.ClickException(str(error)) from error
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if not document["participants"]:
        click.echo("Nothing is held about that number.", err=True)
    if output is None:
        click.echo(text, nl=False)
        return
    _write_private(output, text)
    click.echo(f"Written to {output}")


@click.command("erase")
@click.option("--number", required=True, help="The resident's phone number, e.g. +447700900123.")
@click.option(
    "--reason",
    required=True,
    type=click.Choice(sorted(REASONS)),
    help="Why (recorded in the audit log; never free text, which could name the resident).",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_command(number: str, reason: str, yes: bool) -> None:
    """Erase everything about one phone number, for everyone who used it; audit-logged."""
    services = open_container()
    if not yes:
        click.confirm(
            "Erase every text, answer and question of everyone who used this number?"
            " This cannot be undone",
            abort=True,
        )
    try:
        erased = services.rights.erase_number(number, user_id=None, reason=reason)
    except RightsError as error:
        raise click.ClickException(str(error)) from error
    if not erased.participants:
        click.echo("Nothing was held about that number.")
        return
    click.echo(f"Erased {erased.participants} conversation(s) on that number.")


def _write_private(path: Path, text: str) -> None:
    """Mode 0600 from the moment it exists: the file holds a resident's words and number."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.chmod(path, 0o600)  # an existing file keeps its old mode through os.open
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
