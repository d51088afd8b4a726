"""The `sgwrs` command line, every command registered here by name (no import side effects).

chat.py is the terminal phone (call.py rings it), service.py runs the service (run, worker, db,
flows check), officers.py holds the officers' commands, and setup.py what they all start from.
"""

from __future__ import annotations

import logging

import click

from bot.cli.call import call
from bot.cli.chat import chat
from bot.cli.keys import keys
from bot.cli.officers import broadcast, create_user_command, questions
from bot.cli.people import erase_command, export_person_command
from bot.cli.retention import purge_command
from bot.cli.service import db, flows, run, worker
from bot.cli.setup import SIMULATOR_NUMBER


@click.group()
def cli() -> None:
    """Sgwrs: text-message conversations with residents about how their data is used."""


for command in (run, chat, call, worker, db, flows, broadcast, questions, create_user_command):
    cli.add_command(command)
cli.add_command(export_person_command)
cli.add_command(erase_command)
cli.add_command(keys)
cli.add_command(purge_command)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # twilio-python logs every request at INFO; our own events say what happened, without PII.
    logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
    cli()


__all__ = ["SIMULATOR_NUMBER", "cli", "main"]
