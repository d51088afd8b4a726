"""Composition root: `create_app()` wires settings, storage and the blueprints; `main()` is the CLI.

gunicorn serves the factory `wsgi:create_app()`. The `sgwrs` console script is `wsgi:main`, which
adds `sgwrs run` (the only command that needs Flask) to the commands defined in bot.cli.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import click
from flask import Flask

from admin import csrf, init_admin
from bot.channels.fake_twilio import FakeTwilio
from bot.cli import cli, open_container
from bot.core.accounts import DEMO_EMAIL, create_demo_officer
from bot.runtime.background import InlinePump
from bot.runtime.config import load_settings, with_changes
from bot.runtime.container import Container, build_container
from webhooks import health, twilio

#: Twilio sends at most 1,600 characters plus a few dozen fields; anything far larger is not Twilio.
MAX_REQUEST_BYTES = 64 * 1024
#: The account the embedded run's fake Twilio pretends to be.
FAKE_ACCOUNT_SID = "AC" + "0" * 32


def create_app(
    config: Mapping[str, Any] | None = None, *, services: Container | None = None
) -> Flask:
    """Build the web app from defaults, then the environment and `.env`, then `config`."""
    if services is None:
        services = build_container(load_settings(config))
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=services.settings.secret_key,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=services.settings.production,
    )
    app.extensions["sgwrs"] = services
    app.register_blueprint(twilio.bp)
    app.register_blueprint(health.bp)
    init_admin(app, services)
    csrf.exempt(twilio.bp)  # Twilio signs its webhooks instead; CSRF tokens cannot apply there
    return app


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
def run(host: str) -> None:
    """Run the service on this machine (embedded: SQLite, in-process jobs, a fake Twilio)."""
    settings = open_container().settings
    fake = None
    if not settings.twilio_account_sid:
        fake = FakeTwilio(settings.twilio_auth_token, auto_callbacks=True)
        settings = with_changes(
            settings,
            twilio_account_sid=FAKE_ACCOUNT_SID,
            twilio_api_url=fake.start(),
            twilio_from_sms=settings.twilio_from_sms or "+447700900000",
            public_url=f"http://{host}:{settings.port}",
        )
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
    create_app(services=services).run(host=host, port=settings.port, use_reloader=False)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # twilio-python logs every request at INFO; our own events say what happened, without PII.
    logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
    cli()


if __name__ == "__main__":
    main()
