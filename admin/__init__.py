"""The admin web view for officers and outreach partners, over the bot/ APIs.

`init_admin` is the one place that wires it into the app: templates (GOV.UK Frontend macros),
CSRF on every form, sign-in rate limits, security headers, and the views. Each module in
admin/views/ has a blueprint of its own, and `admin_blueprint` nests every one of them, by
name, under the parent "admin" blueprint that owns the /admin prefix, the static files and the
error pages: endpoints read "admin.<page>.<view>", e.g. "admin.answers.tag". Who may open
which page is declared on each view with `requires(...)` (admin/auth.py).
"""

from __future__ import annotations

from flask import Blueprint, Flask
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from admin.auth import current_user
from admin.dates import uk_time
from admin.errors import install_error_pages, install_unrouted_pages
from admin.extensions import csrf, limiter
from admin.guard import install_request_guard
from admin.i18n import install_i18n
from admin.names import install_names
from admin.nav import nav_for
from admin.once import once_field
from admin.security import install_security_headers
from admin.views import (
    account,
    answers,
    audit,
    broadcasts,
    charts,
    conversations,
    export,
    flows,
    notes,
    overview,
    public_response,
    question_export,
    question_faq,
    question_triage,
    questions,
    recordings,
    responses,
    rights,
    signin,
    simulator_call,
    suggestions,
    themes,
    two_factor,
    users,
)
from bot.runtime.container import Container

__all__ = ["admin_blueprint", "csrf", "init_admin", "limiter"]

#: Every page's blueprint; a view module left out here has no routes at all.
VIEWS = (
    signin.bp,
    two_factor.bp,
    account.bp,
    overview.bp,
    conversations.bp,
    notes.bp,
    rights.bp,
    recordings.bp,
    answers.bp,
    charts.bp,
    suggestions.bp,
    themes.bp,
    questions.bp,
    question_triage.bp,
    question_faq.bp,
    question_export.bp,
    responses.bp,
    broadcasts.bp,
    flows.bp,
    simulator_call.bp,
    export.bp,
    audit.bp,
    users.bp,
)


def admin_blueprint() -> Blueprint:
    """A new parent blueprint holding every view's blueprint under /admin.

    New on each call because Flask lets a blueprint take children only until it is first
    registered, and each test builds an app of its own.
    """
    parent = Blueprint(
        "admin",
        __name__,
        url_prefix="/admin",
        template_folder="templates",
        static_folder="static",
        static_url_path="/static",
    )
    for view in VIEWS:
        parent.register_blueprint(view)
    install_error_pages(parent)
    install_request_guard(parent)
    return parent


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
    install_names(app)
    install_unrouted_pages(app)
    app.jinja_env.globals.update(current_user=current_user, nav_for=nav_for)
    app.jinja_env.globals.update(once_field=once_field)
    app.add_template_filter(uk_time, "uk_time")
    install_security_headers(app)
    app.register_blueprint(admin_blueprint())
    # Outside /admin and its sign-in on purpose: anyone may read what was published.
    app.register_blueprint(public_response.bp)
