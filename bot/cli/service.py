"""Running the service: `run` (embedded), `worker`, `db upgrade` and `flows check`.

`sgwrs run` serves the web app by its import string, `wsgi:create_app`, as gunicorn does in
the Procfile: nothing under bot/ imports the web layer, so the core runs (and is tested) alone.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import click

from bot.cli.setup import open_container, with_local_twilio
from bot.core.accounts import DEMO_EMAIL, create_demo_officer
from bot.core.flow_check import check_flows
from bot.runtime import jobs
from bot.runtime.background import InlinePump, Sweeper
from bot.runtime.config import load_settings
from bot.runtime.container import Container, build_container
from bot.runtime.queue import QUEUE_ORDER
from bot.runtime.rq_worker import work_forever


@click.group()
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


@click.group()
def db() -> None:
    """Manage the database."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations (the Procfile's release step)."""
    open_container()
    click.echo("database is at the latest migration")


@click.command()
def worker() -> None:
    """Deliver sends and fire timers from Redis (the Procfile's worker process); waits out
    Redis and PostgreSQL restarts instead of exiting."""
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
    work_forever(queues, services.redis)


#: The web app's factory, named as the Procfile names it for gunicorn.
APP_FACTORY = "wsgi:create_app"


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
def run(host: str) -> None:
    """Run the service on this machine (embedded: SQLite, in-process jobs, a fake Twilio)."""
    settings = open_container().settings
    settings, fake = with_local_twilio(settings, f"http://{host}:{settings.port}")
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


def _web_app(container: Container) -> Any:
    """The WSGI app for this container, found by name so bot/ does not import the web layer."""
    module, factory = APP_FACTORY.split(":")
    return getattr(importlib.import_module(module), factory)(services=container)
