"""`sgwrs keys rotate`: move residents' stored data onto a new DATA_KEY (see .env.example)."""

from __future__ import annotations

import click

from bot.cli.setup import open_container
from bot.core.key_rotation import rotate_keys
from bot.runtime.crypto import VaultError


@click.group()
def keys() -> None:
    """The key that protects residents' numbers and words."""


@keys.command("rotate")
def keys_rotate() -> None:
    """Re-seal every stored value under DATA_KEY; safe to stop and run again."""
    services = open_container()
    if not services.settings.previous_data_keys:
        raise click.ClickException(
            "DATA_KEY_PREVIOUS is empty: nothing to rotate from. Set DATA_KEY to the new key and "
            "DATA_KEY_PREVIOUS to the old one, deploy, then run this again."
        )
    try:
        report = rotate_keys(services.db, services.vault)
    except VaultError as error:
        raise click.ClickException(
            f"{error}. Rows already done are kept; check DATA_KEY_PREVIOUS and run this again."
        ) from error
    for table, counts in report.tables.items():
        merged = f", {counts.merged} duplicate(s) merged" if counts.merged else ""
        click.echo(
            f"  {table:<14} {counts.resealed:>7} re-sealed, {counts.rehashed:>7} re-hashed, "
            f"{counts.current:>7} already current{merged}"
        )
    click.echo(
        "Every stored value is now under DATA_KEY. Remove DATA_KEY_PREVIOUS once every process "
        "runs with the new key; keep the old key only while backups made before now need it."
    )
