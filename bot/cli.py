"""The `sgwrs` command line: chat with the bot, check flows, migrate the database.

`sgwrs run` serves the web app by its import string, `wsgi:create_app`, as gunicorn does in
the Procfile: nothing under bot/ imports the web layer, so the core runs (and is tested) alone.
"""

from __future__ import annotations

import importlib
import itertools
import logging
import secrets
import sys
import threading
from pathlib import Path
from typing import Any

import click
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from bot.channels.addresses import AddressError, parse_address
from bot.channels.fake_twilio import FakeTwilio
from bot.channels.sms import segment_info
from bot.core.accounts import DEMO_EMAIL, ROLES, AccountError, create_demo_officer, create_user
from bot.core.broadcasts import BroadcastError
from bot.core.flow_check import check_flows
from bot.core.inbound import InboundMessage
from bot.core.questions import AnswerError
from bot.runtime import jobs
from bot.runtime.background import InlinePump, Sweeper
from bot.runtime.config import ConfigError, Settings, load_settings, with_changes
from bot.runtime.container import Container, build_container
from bot.runtime.queue import QUEUE_ORDER
from bot.store.messages import list_later_texts

#: Ofcom's range for drama: never a real resident's number.
SIMULATOR_NUMBER = "+447700900001"


@click.group()
def cli() -> None:
    """Sgwrs: text-message conversations with residents about how their data is used."""


def open_container() -> Container:
    """Settings from the environment, services built, and the database migrated to head."""
    try:
        services = build_container(load_settings())
    except (ConfigError, ValueError) as error:
        raise click.ClickException(str(error)) from error
    services.db.upgrade()
    return services


@cli.command()
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
    settings, fake = _with_local_twilio(settings, settings.public_url, callbacks=False)
    services = build_container(settings)
    later = _LaterTexts(services, services.vault.hash_number(sender.number))
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

    def __init__(self, services: Container, number_hash: str) -> None:
        self.services = services
        self.number_hash = number_hash
        self.seen = 0
        self.lock = threading.Lock()
        self.skip_sent()
        self._stopped = threading.Event()
        threading.Thread(target=self._watch, name="sgwrs-chat-later", daemon=True).start()

    def _texts(self) -> list[tuple[int, str]]:
        with self.services.db.session() as session:
            return list_later_texts(
                session, self.services.vault, self.number_hash, after_id=self.seen
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


@cli.group()
def flows() -> None:
    """Work with flow files."""


@flows.command("check")
@click.option("--dir", "flows_dir", type=click.Path(path_type=Path), help="Default: FLOWS_DIR.")
def flows_check(flows_dir: Path | None) -> None:
    """Validate every flow and report each message's encoding, length and segments."""
    settings = load_settings()
    report = check_flows(flows_dir or settings.flows_path, settings.default_flow)
    click.echo(report.text)
    if report.errors:
        raise SystemExit(1)


@cli.group()
def db() -> None:
    """Manage the database."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations (the Procfile's release step)."""
    open_container()
    click.echo("database is at the latest migration")


@cli.command()
def worker() -> None:
    """Deliver sends and fire timers from Redis (the Procfile's worker process)."""
    services = open_container()
    if services.redis is None:
        raise click.ClickException(
            "REDIS_URL is not set. Without Redis, `sgwrs run` does the worker's job in-process."
        )
    jobs.use_container(services)
    Sweeper(services).start()
    queues = [services.queue.queues[name] for name in QUEUE_ORDER]  # type: ignore[attr-defined]
    interval = services.settings.sweep_interval_seconds
    click.echo(f"worker: queues {', '.join(QUEUE_ORDER)}; sweeping every {interval:g}s")
    SimpleWorker(queues, connection=services.redis, serializer=JSONSerializer).work(
        with_scheduler=True
    )


@cli.group()
def broadcast() -> None:
    """ "You said, we did": report back to the residents of a flow who asked to hear back."""


def _broadcast_text(flow: str, cy: str, en: str) -> None:
    preview = open_container().broadcasts.preview(flow, cy, en)
    for key, label in (("cy", "Welsh"), ("en", "English"), ("both", "both (language unknown)")):
        click.echo(
            f"  {label:<24} {preview.recipients[key]:>6} resident(s) x "
            f"{preview.segments_each[key]} segment(s) {preview.encodings[key]}"
        )
    click.echo(f"  total {preview.total_segments} segment(s), about £{preview.estimated_cost:.2f}")


@broadcast.command("preview")
@click.option("--flow", required=True)
@click.option("--cy", required=True, help="The message in Welsh.")
@click.option("--en", required=True, help="The message in English.")
def broadcast_preview(flow: str, cy: str, en: str) -> None:
    """Show who would receive it (counts only), segments and cost, without sending."""
    try:
        _broadcast_text(flow, cy, en)
    except BroadcastError as error:
        raise click.ClickException(str(error)) from error


@broadcast.command("send")
@click.option("--flow", required=True)
@click.option("--cy", required=True, help="The message in Welsh.")
@click.option("--en", required=True, help="The message in English.")
@click.option("--by", "created_by", default="cli", show_default=True, help="Who is sending.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def broadcast_send(flow: str, cy: str, en: str, created_by: str, yes: bool) -> None:
    """Preview, confirm, then send to everyone who asked to hear back."""
    services = open_container()
    try:
        _broadcast_text(flow, cy, en)
        if not yes:
            click.confirm("Send it now?", abort=True)
        broadcast_id = services.broadcasts.create(flow, cy, en, created_by)
        count = services.broadcasts.start(broadcast_id)
    except BroadcastError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"broadcast {broadcast_id}: {count} text(s) queued")


@broadcast.command("pause")
@click.argument("broadcast_id", type=int)
def broadcast_pause(broadcast_id: int) -> None:
    """Stop sending; texts not yet sent wait until resumed."""
    _broadcast_action(broadcast_id, "pause")


@broadcast.command("resume")
@click.argument("broadcast_id", type=int)
def broadcast_resume(broadcast_id: int) -> None:
    """Carry on sending a paused broadcast."""
    _broadcast_action(broadcast_id, "resume")


@broadcast.command("status")
@click.argument("broadcast_id", type=int)
def broadcast_status(broadcast_id: int) -> None:
    """How many texts are sent, waiting or failed."""
    _broadcast_action(broadcast_id, "progress")


def _broadcast_action(broadcast_id: int, action: str) -> None:
    broadcasts = open_container().broadcasts
    try:
        getattr(broadcasts, action)(broadcast_id)
        progress = broadcasts.progress(broadcast_id)
    except BroadcastError as error:
        raise click.ClickException(str(error)) from error
    counts = ", ".join(f"{status} {count}" for status, count in sorted(progress.counts.items()))
    click.echo(f"broadcast {broadcast_id}: {progress.status}; {counts or 'no texts'}")


@cli.group()
def questions() -> None:
    """Residents' questions for officers."""


@questions.command("list")
def questions_list() -> None:
    """Questions awaiting an answer, oldest first."""
    for question in open_container().questions.open_questions():
        click.echo(f"#{question.id} [{question.language or '?'}] {question.text}")


@questions.command("answer")
@click.argument("question_id", type=int)
@click.argument("text")
def questions_answer(question_id: int, text: str) -> None:
    """Send an answer to the resident, in their language and channel."""
    try:
        open_container().questions.answer(question_id, text)
    except AnswerError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"answer to question {question_id} queued")


@cli.command("create-user")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--role", type=click.Choice(ROLES), prompt=True)
@click.option("--partner", "partner_code", help="For partner accounts: the partner's code.")
@click.password_option(help="At least 12 characters; asked for when not given.")
def create_user_command(
    email: str, name: str, role: str, partner_code: str | None, password: str
) -> None:
    """Create an admin, officer or partner account."""
    services = open_container()
    try:
        with services.db.session() as session:
            create_user(
                session,
                email=email,
                name=name,
                role=role,
                password=password,
                partner_code=partner_code,
            )
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{role} account created for {email}")


#: The account the embedded run's fake Twilio pretends to be.
FAKE_ACCOUNT_SID = "AC" + "0" * 32
#: The web app's factory, named as the Procfile names it for gunicorn.
APP_FACTORY = "wsgi:create_app"


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
def run(host: str) -> None:
    """Run the service on this machine (embedded: SQLite, in-process jobs, a fake Twilio)."""
    settings = open_container().settings
    settings, fake = _with_local_twilio(settings, f"http://{host}:{settings.port}")
    services = build_container(settings)
    click.echo(f"Sgwrs ({settings.env}) on http://{host}:{settings.port}")
    with services.db.session() as session:
        password = None if settings.production else create_demo_officer(session)
    if password:
        click.echo(f"  admin: http://{host}:{settings.port}/admin/  (shown once)")
        click.echo(f"    demo officer: {DEMO_EMAIL}  password: {password}")
    click.echo(f"  database: {settings.effective_database_url.split('@')[-1]}")
    if services.redis is None:
        InlinePump(services).start()
        click.echo("  jobs: in-process (no REDIS_URL): sends and reminders run in this process")
    else:
        click.echo("  jobs: Redis; run `sgwrs worker` too (or `honcho start`)")
    if fake is not None:
        click.echo(
            f"  Twilio: a local fake at {fake.base_url} (no TWILIO_ACCOUNT_SID): no real texts"
        )
    click.echo(f"  flows: {', '.join(sorted(services.library.flows))}")
    click.echo("  text the bot from another terminal: python3 scripts/dev.py chat")
    _web_app(services).run(host=host, port=settings.port, use_reloader=False)


def _with_local_twilio(
    settings: Settings, public_url: str, *, callbacks: bool = True
) -> tuple[Settings, FakeTwilio | None]:
    """Without a Twilio account, a local fake Twilio takes the sends: nothing reaches a phone."""
    if settings.twilio_account_sid:
        return settings, None
    fake = FakeTwilio(settings.twilio_auth_token, auto_callbacks=callbacks)
    return with_changes(
        settings,
        twilio_account_sid=FAKE_ACCOUNT_SID,
        twilio_api_url=fake.start(),
        twilio_from_sms=settings.twilio_from_sms or "+447700900000",
        public_url=public_url,
    ), fake


def _web_app(container: Container) -> Any:
    """The WSGI app for this container, found by name so bot/ does not import the web layer."""
    module, factory = APP_FACTORY.split(":")
    return getattr(importlib.import_module(module), factory)(services=container)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # twilio-python logs every request at INFO; our own events say what happened, without PII.
    logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
    cli()
