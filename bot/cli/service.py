"""Running the service: `run` (embedded), `worker`, `db upgrade` and `flows` (check, and the
Welsh translation round-trip: export-translations, import-translations).

`sgwrs run` serves the web app by its import string, `wsgi:create_app`, as gunicorn does in
the Procfile: nothing under bot/ imports the web layer, so the core runs (and is tested) alone.
"""

from __future__ import annotations

import importlib
from datetime import date
from pathlib import Path
from typing import Any

import click

from bot.cli.setup import open_container, with_local_twilio
from bot.core.accounts import DEMO_EMAIL, create_demo_officer
from bot.core.flow_check import check_flows
from bot.core.translations import (
    SYSTEM,
    TranslationError,
    export_translations,
    flow_source,
    import_translations,
    system_source,
)
from bot.runtime import jobs
from bot.runtime.background import InlinePump, Sweeper
from bot.runtime.config import load_settings
from bot.runtime.container import Container, build_container
from bot.runtime.queue import QUEUE_ORDER
from bot.runtime.rq_worker import work_forever
from bot.store.search import index_unindexed_words


@click.group()
def flows() -> None:
    """Work with flow files."""


@flows.command("check")
@click.option("--dir", "flows_dir", type=click.Path(path_type=Path), help="Default: FLOWS_DIR.")
@click.option("--strict", is_flag=True, help="Fail on warnings too (plain language, UCS-2 cost).")
def flows_check(flows_dir: Path | None, strict: bool) -> None:
    """Validate every flow: each message's cost, the main route in Welsh and English, spelling
    and plain language. Exits 1 on any error (and, with --strict, on any warning)."""
    settings = load_settings()
    report = check_flows(flows_dir or settings.flows_path, settings.default_flow)
    click.echo(report.text)
    if report.errors or (strict and report.warnings):
        raise SystemExit(1)


@flows.command("export-translations")
@click.argument("flow_id", metavar="FLOW")
@click.option(
    "--format", "fmt", type=click.Choice(["xlsx", "po"]), default="xlsx", show_default=True
)
@click.option(
    "--output", type=click.Path(path_type=Path), help="Default: FLOW.cy.xlsx / FLOW.cy.po here."
)
@click.option("--dir", "flows_dir", type=click.Path(path_type=Path), help="Default: FLOWS_DIR.")
def flows_export_translations(
    flow_id: str, fmt: str, output: Path | None, flows_dir: Path | None
) -> None:
    """Write every text of FLOW for the council's Welsh translators (a spreadsheet or PO file);
    FLOW `system` is the service's own messages (help, opt-out, re-asks)."""
    folder = flows_dir or load_settings().flows_path
    path = folder / f"{flow_id}.yaml"
    if flow_id != SYSTEM and not path.exists():
        known = ", ".join(sorted(p.stem for p in folder.glob("*.yaml") if p.stem != "partners"))
        raise click.ClickException(
            f"There is no flow {flow_id!r} in {folder}. Flows: {known}, or {SYSTEM}."
        )
    source = system_source() if flow_id == SYSTEM else flow_source(path)
    target = output or Path(f"{flow_id}.cy.{fmt}")
    waiting = export_translations(source, fmt, target)  # type: ignore[arg-type]
    click.echo(f"Wrote {target}: {waiting} Welsh text(s) await review.")


@flows.command("import-translations")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--reviewer", prompt="Reviewer's name", help="Who checked the Welsh.")
@click.option("--dir", "flows_dir", type=click.Path(path_type=Path), help="Default: FLOWS_DIR.")
def flows_import_translations(file: Path, reviewer: str, flows_dir: Path | None) -> None:
    """Write the Welsh from FILE back into its flow, each text marked reviewed by REVIEWER."""
    if not reviewer.strip():
        raise click.ClickException("Give the reviewer's name.")
    folder = flows_dir or load_settings().flows_path
    try:
        changed = import_translations(file, folder, reviewer.strip(), date.today())
    except TranslationError as error:
        message = f"Nothing was written. Fix these and import again:\n{error}"
        raise click.ClickException(message) from error
    if not changed:
        click.echo("Nothing changed: every text is as it was.")
        return
    for text_id in changed:
        click.echo(f"  {text_id}")
    click.echo(f"Wrote {len(changed)} text(s), marked reviewed by {reviewer.strip()}.")


@click.group()
def db() -> None:
    """Manage the database."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations (the Procfile's release step), then index for search any texts
    stored before search existed (a batch per transaction: safe to stop and run again)."""
    services = open_container()
    click.echo("database is at the latest migration")
    indexed = 0
    while True:
        with services.db.session() as session:
            done = index_unindexed_words(session, services.vault)
        if not done:
            break
        indexed += done
    if indexed:
        click.echo(f"indexed the words of {indexed} stored texts for search")


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
