"""The `sgwrs` command line: chat with the bot, check flows, migrate the database.

`sgwrs run` is added by wsgi.py, because serving the web app is the one job that needs Flask.
"""

from __future__ import annotations

import itertools
import secrets
import sys
from pathlib import Path

import click

from bot.addresses import AddressError, parse_address
from bot.config import ConfigError, load_settings
from bot.conversation import InboundMessage
from bot.flow_check import check_flows
from bot.messaging import segment_info
from bot.services import Services, build_services

#: Ofcom's range for drama: never a real resident's number.
SIMULATOR_NUMBER = "+447700900001"


@click.group()
def cli() -> None:
    """Sgwrs: text-message conversations with residents about how their data is used."""


def open_services() -> Services:
    """Settings from the environment, services built, and the database migrated to head."""
    try:
        services = build_services(load_settings())
    except (ConfigError, ValueError) as error:
        raise click.ClickException(str(error)) from error
    services.db.upgrade()
    return services


@cli.command()
@click.option("--lang", type=click.Choice(["cy", "en"]), help="Choose the language first.")
@click.option("--channel", type=click.Choice(["sms", "whatsapp"]), default="sms")
@click.option("--number", default=SIMULATOR_NUMBER, show_default=True, help="Pretend sender.")
def chat(lang: str | None, channel: str, number: str) -> None:
    """Text the bot from this terminal, through the same code as a real text."""
    services = open_services()
    prefix = "whatsapp:" if channel == "whatsapp" else ""
    try:
        sender = parse_address(prefix + number)
    except AddressError as error:
        raise click.BadParameter(str(error), param_hint="--number") from error
    click.echo(f"Texting Sgwrs as {number} over {channel}. Type a message; Ctrl-D to finish.")
    first = {"cy": ["Cymraeg"], "en": ["English"]}.get(lang or "", [])
    typed = (line.rstrip("\n") for line in sys.stdin)
    for text in itertools.chain(first, typed):
        if text in first:
            click.echo(f"> {text}")
        message = InboundMessage(f"SM{secrets.token_hex(16)}", sender, text)
        reply = services.conversations.handle_inbound(message).reply
        if reply is None:
            click.echo("  (no reply)")
            continue
        info = segment_info(reply)
        click.echo(click.style(reply, fg="green"))
        click.echo(click.style(f"  [{info.encoding}, {info.segments} segment(s)]", dim=True))


@cli.group()
def flows() -> None:
    """Work with flow files."""


@flows.command("check")
@click.option("--dir", "flows_dir", type=click.Path(path_type=Path), help="Default: FLOWS_DIR.")
def flows_check(flows_dir: Path | None) -> None:
    """Validate every flow and report each message's encoding, length and segments."""
    settings = load_settings()
    report = check_flows(flows_dir or Path(settings.flows_dir), settings.default_flow)
    click.echo(report.text)
    if report.errors:
        raise SystemExit(1)


@cli.group()
def db() -> None:
    """Manage the database."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations (the Procfile's release step)."""
    open_services()
    click.echo("database is at the latest migration")
