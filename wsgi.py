"""The web app's composition root: `create_app()` wires settings, storage, queue and blueprints.

gunicorn serves the factory as `wsgi:create_app()` (the Procfile), and `sgwrs run` serves the
same factory by that name, so the `sgwrs` command (bot/cli/) never imports the web layer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from admin import csrf, init_admin
from admin.auth import session_cookie_config
from bot.runtime.background import InlinePump
from bot.runtime.config import load_settings
from bot.runtime.container import Container, build_container
from bot.runtime.words import load_dictionaries
from webhooks import health, recordings, twilio, voice

#: Twilio sends at most 1,600 characters plus a few dozen fields; anything far larger is not Twilio.
MAX_REQUEST_BYTES = 64 * 1024


def create_app(
    config: Mapping[str, Any] | None = None, *, services: Container | None = None
) -> Flask:
    """Build the web app from defaults, then the environment and `.env`, then `config`."""
    if services is None:
        services = build_container(load_settings(config))
        load_dictionaries()  # every text a resident sends is indexed for search
        if services.settings.job_mode == "inline":
            # No worker process: this one sends (JOBS=inline, or no REDIS_URL outside
            # production). Each gunicorn worker runs one; claiming a row is atomic.
            InlinePump(services).start()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=services.settings.secret_key,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        **session_cookie_config(services.settings),
    )
    if services.settings.trusted_proxies:
        # Only the proxies we run may say who the client is; with none, a forged
        # X-Forwarded-For changes nothing (sign-in throttling counts by this address).
        hops = services.settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    app.extensions["sgwrs"] = services
    app.register_blueprint(twilio.bp)
    app.register_blueprint(voice.bp)
    app.register_blueprint(recordings.bp)
    app.register_blueprint(health.bp)
    init_admin(app, services)
    csrf.exempt(twilio.bp)  # Twilio signs its webhooks instead; CSRF tokens cannot apply there
    csrf.exempt(voice.bp)
    csrf.exempt(recordings.bp)
    return app
