"""Residents' rights from the command line: a subject access export of one phone number."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from bot.cli.setup import open_container
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


def _write_private(path: Path, text: str) -> None:
    """Mode 0600 from the moment it exists: the file holds a resident's words and number."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.chmod(path, 0o600)  # an existing file keeps its old mode through os.open
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
