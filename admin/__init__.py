"""The admin web view for officers and outreach partners, over the bot/ APIs.

`init_admin` is the one place that wires it into the app: templates (GOV.UK Frontend macros),
CSRF on every form, sign-in rate limits, security headers, and the views. Who may open which
page is declared on each view with `requires(...)` (admin/auth.py).
"""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from admin.auth import current_user
from admin.blueprint import bp
from admin.i18n import install_i18n
from admin.nav import nav_for
from admin.security import install_security_headers
from bot.runtime.container import Container

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def init_admin(app: Flask, services: Container) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            app.jinja_loader,
            PackageLoader("admin"),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.config["RATELIMIT_STORAGE_URI"] = services.settings.redis_url or "memory://"
    csrf.init_app(app)
    limiter.init_app(app)
    install_i18n(app)
    app.jinja_env.globals.update(current_user=current_user, nav_for=nav_for)
    install_security_headers(app)
    from admin import views  # noqa: F401  (registers the routes on bp)

    app.register_blueprint(bp)
