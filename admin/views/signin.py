"""Signing in (the password step) and out, the front door at /admin/, and the interface language.

These, and the two-factor step (two_factor.py), are the admin's only views without
`requires(...)`: a visitor must reach them before signing in (tests/admin/test_access.py keeps
the list). Wrong passwords are counted per account and per address (bot.core.throttle): past
the limit every attempt, right or wrong, gets 429 until the window has passed.
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_limiter.errors import RateLimitExceeded
from flask_wtf import FlaskForm
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import MapAdapter
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired

from admin.auth import (
    begin_session,
    client_ip,
    current_user,
    end_this_session,
    now,
    safe_next,
    services,
    sign_in_throttle,
)
from admin.extensions import limiter
from admin.i18n import LANGUAGES, translate
from bot.core import two_factor
from bot.core.accounts import SignedIn, account_id_for, authenticate
from bot.core.audit import record_event
from bot.core.sessions import FULL, HALF
from bot.core.throttle import account_key
from bot.store.db import UnitOfWork

bp = Blueprint("signin", __name__)

#: The longest email or password read; longer ones are simply wrong (argon2 never sees them).
MAX_FIELD = 256


class SignInForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])


def too_many_attempts() -> ResponseReturnValue:
    """The 429 page for a throttled password or code: it says how long to wait."""
    minutes = services().settings.sign_in_window_minutes
    message = translate("Too many attempts. Wait {minutes} minutes and try again.", minutes=minutes)
    return render_template("admin/sign_in.html", form=SignInForm(), error=message), 429


def throttled(db_session: UnitOfWork, email: str, user_id: int | None) -> bool:
    """True (and audited) when this account or address has used up its failures."""
    refusal = sign_in_throttle().refusal(db_session, account_key(email), client_ip(), now())
    if refusal is not None:
        target = f"user:{user_id}" if user_id else ""
        record_event(db_session, user_id, "sign_in_throttled", target, f"by={refusal}")
    return refusal is not None


def failed(db_session: UnitOfWork, email: str, user_id: int | None, action: str) -> None:
    """Count a wrong password or code against the account and the address, and audit it."""
    sign_in_throttle().record_failure(db_session, account_key(email), client_ip(), now())
    record_event(db_session, user_id, action, f"user:{user_id}" if user_id else "")


def finish_sign_in(db_session: UnitOfWork, user: SignedIn, detail: str = "") -> None:
    """Fully signed in: the account's failure count starts again and the sign-in is audited."""
    sign_in_throttle().forget_account(db_session, account_key(user.email))
    record_event(db_session, user.id, "signed_in", f"user:{user.id}", detail)


@bp.get("/")
def index() -> ResponseReturnValue:
    """The admin's front door: the overview, or sign in first."""
    if current_user() is None:
        return redirect(url_for("admin.signin.login"))
    return redirect(safe_next(None))


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit("60 per minute", methods=["POST"])  # a flood guard; guessing is throttled above
def login() -> ResponseReturnValue:
    """Sign in with email and password; failures never say which of the two was wrong.

    A right password opens a half-signed-in session that leads only to the second factor (or
    to setting it up, which officers and admins must); partners without one are signed in.
    """
    form = SignInForm()
    if not form.validate_on_submit():
        if request.method == "POST":
            error = translate("Enter your email address and password")
            return render_template("admin/sign_in.html", form=form, error=error), 401
        return render_template("admin/sign_in.html", form=form, error=None)
    email = (form.email.data or "")[:MAX_FIELD]
    password = form.password.data or ""
    with services().db.session() as db_session:
        user_id = account_id_for(db_session, email)
        if throttled(db_session, email, user_id):
            return too_many_attempts()
        user = authenticate(db_session, email, password) if len(password) <= MAX_FIELD else None
        if user is None:
            failed(db_session, email, user_id, "sign_in_failed")
        else:
            has_second = two_factor.is_set_up(db_session, user.id)
            if not (has_second or two_factor.needs_two_factor(user.role)):
                finish_sign_in(db_session, user)
    if user is None:
        error = translate("The email address or password is not right")
        return render_template("admin/sign_in.html", form=form, error=error), 401
    session["next"] = safe_next(request.args.get("next"))
    if has_second:
        begin_session(user.id, HALF)
        return redirect(url_for("admin.two_factor.verify"))
    if two_factor.needs_two_factor(user.role):
        begin_session(user.id, HALF)
        return redirect(url_for("admin.two_factor.set_up"))
    begin_session(user.id, FULL)
    return redirect(safe_next(session.pop("next", None)))


@bp.post("/sign-out")
def logout() -> ResponseReturnValue:
    user = current_user()
    if user is not None:
        with services().db.session() as db_session:
            record_event(db_session, user.id, "signed_out", f"user:{user.id}")
    end_this_session()
    return redirect(url_for("admin.signin.login"))


@bp.post("/language")
def switch_language() -> ResponseReturnValue:
    """Switch the interface between English and Welsh, staying on the same page (or, from a
    page a form drew, such as a broadcast's preview, the page that form is on)."""
    language = request.form.get("language", "en")
    session["ui_lang"] = language if language in LANGUAGES else "en"
    return redirect(_page_to_show(safe_next(request.form.get("next"))))


def _page_to_show(target: str) -> str:
    """`target`, or the nearest page above it that can be opened: a form's result (POST only)
    has no address to come back to, and a form's own address is not a page."""
    path, _, query = target.partition("?")
    adapter = current_app.url_map.bind("localhost")
    while not _opens(adapter, path) and path.count("/") > 2:
        path, query = path.rsplit("/", 1)[0], ""
    return f"{path}?{query}" if query else path


def _opens(adapter: MapAdapter, path: str) -> bool:
    try:
        adapter.match(path, method="GET")
    except (MethodNotAllowed, NotFound):
        return False
    return True


@bp.app_errorhandler(RateLimitExceeded)
def too_many(_error: RateLimitExceeded) -> ResponseReturnValue:
    form = SignInForm()
    message = translate("Too many attempts. Wait a minute and try again.")
    return render_template("admin/sign_in.html", form=form, error=message), 429
