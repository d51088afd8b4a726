"""The second step of signing in: a code from an authenticator app (TOTP) or a recovery code,
and setting the app up, which officers and admins must do at their first sign-in.

These views take the half-signed-in session the password step opened (admin/auth.py
`pending_user`); setting up is also open to anyone fully signed in without a second factor, so
partners may choose it. Wrong codes are throttled exactly as wrong passwords are.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from admin.auth import (
    begin_session,
    current_user,
    now,
    pending_user,
    safe_next,
    services,
)
from admin.extensions import limiter
from admin.i18n import translate
from admin.views.signin import failed, finish_sign_in, throttled, too_many_attempts
from bot.core import two_factor
from bot.core.accounts import SignedIn
from bot.core.audit import record_event
from bot.core.sessions import FULL

bp = Blueprint("two_factor", __name__)

#: Longer than any code or recovery code: anything longer is simply wrong.
MAX_CODE = 32


def _typed_code() -> str:
    return request.form.get("code", "")[:MAX_CODE]


def _grouped(secret: str) -> str:
    """The secret in groups of four, as people type it into an app."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@bp.route("/two-factor", methods=["GET", "POST"])
@limiter.limit("60 per minute", methods=["POST"])
def verify() -> ResponseReturnValue:
    """The code after the password; then fully signed in, on the page first asked for."""
    user = pending_user()
    if user is None:
        return redirect(url_for("admin.signin.login"))
    error = None
    if request.method == "POST":
        sgwrs = services()
        with sgwrs.db.session() as db_session:
            if throttled(db_session, user.email, user.id):
                return too_many_attempts()
            used = two_factor.check_code(db_session, sgwrs.vault, user.id, _typed_code(), now())
            if used is None:
                failed(db_session, user.email, user.id, "two_factor_failed")
            else:
                if used == "recovery":
                    record_event(db_session, user.id, "recovery_code_used", f"user:{user.id}")
                finish_sign_in(db_session, user, f"second_factor={used}")
        if used is not None:
            begin_session(user.id, FULL)
            return redirect(safe_next(session.pop("next", None)))
        error = translate("The code is not right, or it has been used. Try the next one.")
    status = 401 if error else 200
    return render_template("admin/two_factor.html", error=error), status


@bp.route("/two-factor/set-up", methods=["GET", "POST"])
@limiter.limit("60 per minute", methods=["POST"])
def set_up() -> ResponseReturnValue:
    """Show a new secret (as text and an otpauth:// address), confirm it with a code, then
    show the recovery codes, once."""
    user = pending_user() or current_user()
    sgwrs = services()
    if user is None:
        return redirect(url_for("admin.signin.login"))
    with sgwrs.db.session() as db_session:
        if two_factor.is_set_up(db_session, user.id):
            return redirect(url_for("admin.overview.index"))
        secret = two_factor.pending_secret(db_session, sgwrs.vault, user.id)
    error = None
    if request.method == "POST":
        codes = _confirm(user)
        if codes is None:
            return too_many_attempts()
        if codes:
            return render_template(
                "admin/recovery_codes.html", codes=codes, next=safe_next(session.pop("next", None))
            )
        error = translate("The code is not right. Check the app shows Sgwrs and try the next one.")
    return render_template(
        "admin/two_factor_set_up.html",
        secret=_grouped(secret),
        uri=two_factor.setup_uri(secret, user.email),
        error=error,
    ), (400 if error else 200)


def _confirm(user: SignedIn) -> list[str] | None:
    """The recovery codes when the code confirms the app; [] when it is wrong; None when
    throttled. A pending session becomes a full one."""
    sgwrs = services()
    with sgwrs.db.session() as db_session:
        if throttled(db_session, user.email, user.id):
            return None
        codes = two_factor.confirm_set_up(db_session, sgwrs.vault, user.id, _typed_code(), now())
        if codes is None:
            failed(db_session, user.email, user.id, "two_factor_failed")
            return []
        record_event(db_session, user.id, "two_factor_set_up", f"user:{user.id}")
        if pending_user() is not None:
            finish_sign_in(db_session, user, "second_factor=set_up")
    begin_session(user.id, FULL)
    return codes
