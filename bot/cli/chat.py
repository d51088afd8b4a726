"""`sgwrs chat`: text the bot from a terminal, and see what is sent to that number later."""

from __future__ import annotations

import itertools
import logging
import secrets
import sys
import threading

import click

from bot.channels.addresses import AddressError, parse_address
from bot.channels.sms import segment_info
from bot.cli.setup import SIMULATOR_NUMBER, open_container, with_local_twilio
from bot.core.inbound import InboundMessage
from bot.runtime.background import InlinePump
from bot.runtime.container import Container, build_container
from bot.store.messages import list_later_texts


@click.command()
@click.option("--lang", type=click.Choice(["cy", "en"]), help="Choose the language first.")
@click.option("--channel", type=click.Choice(["sms", "whatsapp"]), default="sms")
@click.option("--number", default=SIMULATOR_NUMBER, show_default=True, help="Pretend sender.")
def chat(lang: str | None, channel: str, number: str) -> None:
    """Text the bot from this terminal, through the same code as a real text.

    Texts sent to the number later (an officer's answer, a reminder, "you said, we did") are
    printed as they go out, whichever process sends them, so the whole loop shows on a laptop.
    """
    logging.getLogger().setLevel(logging.WARNING)  # the conversation, not the event log
    settings = open_container().settings
    prefix = "whatsapp:" if channel == "whatsapp" else ""
    try:
        sender = parse_address(prefix + number)
    except AddressError as error:
        raise click.BadParameter(str(error), param_hint="--number") from error
    settings, fake = with_local_twilio(settings, settings.public_url, callbacks=False)
    services = build_container(settings)
    later = _LaterTexts(services, services.vault.number_hashes(sender.number))
    if services.redis is None and fake is not None:
        InlinePump(services).start()  # so answers and reminders go out while you chat
    click.echo(f"Texting Sgwrs as {number} over {channel}. Type a message; Ctrl-D to finish.")
    first = {"cy": ["Cymraeg"], "en": ["English"]}.get(lang or "", [])
    typed = (line.rstrip("\n") for line in sys.stdin)
    for text in itertools.chain(first, typed):
        if text in first:
            click.echo(f"> {text}")
        message = InboundMessage(f"SM{secrets.token_hex(16)}", sender, text)
        reply = services.inbound.receive(message).reply
        later.skip_sent()
        if reply is None:
            click.echo("  (no reply)")
            continue
        info = segment_info(reply)
        click.echo(click.style(reply, fg="green"))
        click.echo(click.style(f"  [{info.encoding}, {info.segments} segment(s)]", dim=True))
    later.stop()


class _LaterTexts:
    """Prints, once a second, the texts sent to the chat's number since it last looked."""

    def __init__(self, services: Container, number_hashes: tuple[str, ...]) -> None:
        self.services = services
        self.number_hashes = number_hashes
        self.seen = 0
        self.lock = threading.Lock()
        self.skip_sent()
        self._stopped = threading.Event()
        threading.Thread(target=self._watch, name="sgwrs-chat-later", daemon=True).start()

    def _texts(self) -> list[tuple[int, str]]:
        with self.services.db.session() as session:
            return list_later_texts(
                session, self.services.vault, self.number_hashes, after_id=self.seen
            )

    def skip_sent(self) -> None:
        """Texts already sent are not news (those from before the chat began)."""
        with self.lock:
            texts = self._texts()
            self.seen = max([self.seen, *(message_id for message_id, _ in texts)])

    def print_new(self) -> None:
        with self.lock:
            for message_id, body in self._texts():
                click.echo(click.style(f"[sent later] {body}", fg="cyan"))
                self.seen = message_id

    def stop(self) -> None:
        self._stopped.set()
        self.print_new()

    def _watch(self) -> None:
        while not self._stopped.wait(1.0):
            try:
                self.print_new()
            except Exception:  # a busy database must not end the chat; the next look retries
                logging.getLogger(__name__).exception("chat_watch_error")
