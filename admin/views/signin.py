"""Signing in and out, the front door at /admin/, and the interface language.

These are the admin's only views without `requires(...)`: a visitor must reach them before
signing in (tests/admin/test_access.py keeps the list).
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_limiter.errors import RateLimitExceeded
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired

from admin.auth import current_user, services
from admin.extensions import limiter
from admin.i18n import LANGUAGES, translate
from bot.core.accounts import authenticate
from bot.core.audit import record_event

bp = Blueprint("signin", __name__)


class SignInForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])


def _safe_next(target: str | None) -> str:
    """Only ever go back to a page of this admin (no open redirect)."""
    if target and target.startswith("/admin/") and not target.startswith("//"):
        return target
    return url_for("admin.overview.index")


@bp.get("/")
def index() -> ResponseReturnValue:
    """The admin's front door: the overview, or sign in first."""
    if current_user() is None:
        return redirect(url_for("admin.signin.login"))
    return redirect(_safe_next(None))


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
def login() -> ResponseReturnValue:
    """Sign in with email and password; failures never say which of the two was wrong."""
    form = SignInForm()
    error = None
    if form.validate_on_submit():
        with services().db.session() as db_session:
            user = authenticate(db_session, form.email.data or "", form.password.data or "")
            record_event(
                db_session, user.id if user else None, "signed_in" if user else "sign_in_failed"
            )
        if user is not None:
            session.clear()
            session["user_id"] = user.id
            session.permanent = True
            return redirect(_safe_next(request.args.get("next")))
        error = translate("The email address or password is not right")
    elif request.method == "POST":
        error = translate("Enter your email address and password")
    return render_template("admin/sign_in.html", form=form, error=error), 200 if not error else 401


@bp.post("/sign-out")
def logout() -> ResponseReturnValue:
    session.clear()
    return redirect(url_for("admin.signin.login"))


@bp.post("/language")
def switch_language() -> ResponseReturnValue:
    """Switch the interface between English and Welsh, staying on the same page."""
    language = request.form.get("language", "en")
    session["ui_lang"] = language if language in LANGUAGES else "en"
    return redirect(_safe_next(request.form.get("next")))


@bp.app_errorhandler(RateLimitExceeded)
def too_many(_error: RateLimitExceeded) -> ResponseReturnValue:
    form = SignInForm()
    message = translate("Too many attempts. Wait a minute and try again.")
    return render_template("admin/sign_in.html", form=form, error=message), 429
