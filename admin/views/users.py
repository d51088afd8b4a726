"""Users: the admin accounts, adding one, and deactivating one (admins only, audit-logged)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from admin.auth import current_user, requires, services
from admin.i18n import translate
from bot.core.accounts import MIN_PASSWORD, ROLES, AccountError, create_user
from bot.core.audit import record_event
from bot.store.users import deactivate_user, list_users

bp = Blueprint("users", __name__)

ROLE_LABELS = {"admin": "Admin", "officer": "Officer", "partner": "Partner"}


def field_for(message: str) -> str:
    """Which form field an AccountError is about, so the error shows beside it."""
    lowered = message.lower()
    for words, field in (("role must", "role"), ("partner's code", "partner_code")):
        if words in lowered:
            return field
    return "password" if "password" in lowered else "email"


def show_users(values: MultiDict[str, str], error: tuple[str, str] | None = None) -> str:
    with services().db.session() as session:
        accounts = list_users(session)
    partners = sorted((code, p.name) for code, p in services().library.partners.items())
    return render_template(
        "admin/users.html",
        accounts=accounts,
        values=values,
        error=error,
        roles=[(role, ROLE_LABELS[role]) for role in ROLES],
        partners=partners,
        min_password=MIN_PASSWORD,
    )


@bp.route("/users", methods=["GET", "POST"])
@requires("admin")
def index() -> ResponseReturnValue:
    """Everyone with an account (GET), and adding one (POST)."""
    if request.method == "GET":
        return show_users(MultiDict())
    form, admin = request.form, current_user()
    assert admin is not None
    role = form.get("role", "")
    try:
        with services().db.session() as session:
            user = create_user(
                session,
                email=form.get("email", ""),
                name=form.get("name", ""),
                role=role,
                password=form.get("password", ""),
                partner_code=form.get("partner_code") if role == "partner" else None,
            )
            record_event(session, admin.id, "user_created", f"user:{user.id}", f"role={role}")
    except AccountError as error:
        return show_users(form, (field_for(str(error)), translate(str(error)))), 400
    flash(translate("Account added for {email}", email=user.email), "success")
    return redirect(url_for("admin.users.index"))


@bp.post("/users/<int:user_id>/deactivate")
@requires("admin")
def deactivate(user_id: int) -> ResponseReturnValue:
    """Stop an account signing in; an admin cannot lock themselves out this way."""
    admin = current_user()
    assert admin is not None
    if user_id == admin.id:
        message = translate("You cannot deactivate your own account")
        return show_users(MultiDict(), ("accounts", message)), 400
    with services().db.session() as session:
        user = deactivate_user(session, user_id)
        if user is None:
            abort(404)
        record_event(session, admin.id, "user_deactivated", f"user:{user_id}")
    flash(translate("{name} can no longer sign in", name=user.name), "success")
    return redirect(url_for("admin.users.index"))
