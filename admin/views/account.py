"""Your account: changing your own password (required after an admin reset it) and a way to
set up two-factor sign-in for those who need not (partners)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from admin.auth import begin_session, current_user, requires, services
from admin.i18n import explain, translate
from bot.core import two_factor
from bot.core.accounts import AccountError, change_own_password
from bot.core.audit import record_event
from bot.core.password_policy import MAX_PASSWORD, MIN_PASSWORD
from bot.core.sessions import FULL

bp = Blueprint("account", __name__)


def _page(error: str | None = None) -> tuple[str, int]:
    user = current_user()
    assert user is not None
    with services().db.session() as db_session:
        has_second = two_factor.is_set_up(db_session, user.id)
    page = render_template(
        "admin/account.html",
        error=error,
        has_second=has_second,
        must_change=user.must_change_password,
        min_password=MIN_PASSWORD,
        max_password=MAX_PASSWORD,
    )
    return page, 400 if error else 200


@bp.route("/account/password", methods=["GET", "POST"])
@requires("admin", "officer", "partner", temporary_password_ok=True)
def password() -> ResponseReturnValue:
    """Choose a new password: every other browser signed in as you is signed out."""
    if request.method == "GET":
        return _page()
    user = current_user()
    assert user is not None
    form = request.form
    new = form.get("new_password", "")
    if new != form.get("confirm_password", ""):
        return _page(translate("The two new passwords are not the same."))
    try:
        with services().db.session() as db_session:
            change_own_password(db_session, user.id, form.get("current_password", ""), new)
            record_event(db_session, user.id, "password_changed", f"user:{user.id}")
    except AccountError as error:
        return _page(explain(error))
    begin_session(user.id, FULL)
    flash(translate("Your password has been changed"), "success")
    return redirect(url_for("admin.overview.index"))
