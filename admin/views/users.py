"""Users: the admin accounts, adding one, and admins' changes to one (admins only, audited).

An admin deactivates or reactivates an account, changes its role, resets its password (to a
random temporary one, shown here once, which only lets its owner choose a new password) and
resets its two-factor sign-in (set up again at the next sign-in). Each signs the account out
everywhere at once. An admin makes none of these changes to their own account, so that they
cannot lock themselves out.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from admin.auth import current_user, requires, services
from admin.forms import partner_choices
from admin.i18n import as_is, explain, translate
from admin.labels import ROLE_LABELS
from admin.once import already_done, one_time, spend_form
from bot.core import accounts
from bot.core.accounts import ROLES, AccountError, create_user
from bot.core.audit import record_event
from bot.core.password_policy import MIN_PASSWORD
from bot.store.db import UnitOfWork
from bot.store.models import User
from bot.store.users import list_users

bp = Blueprint("users", __name__)


def field_for(message: str) -> str:
    """Which form field an AccountError is about, so the error shows beside it."""
    lowered = message.lower()
    for words, field in (("a role", "role"), ("partner's code", "partner_code")):
        if words in lowered:
            return field
    return "password" if "password" in lowered else "email"


def show_users(
    values: MultiDict[str, str],
    error: tuple[str, str] | None = None,
    temporary: tuple[str, str] | None = None,
) -> str:
    """The page; `temporary` is (name, password) right after a reset, shown this once."""
    with services().db.session() as session:
        accounts_list = list_users(session)
    partners = partner_choices(services().library)
    return render_template(
        "admin/users.html",
        accounts=accounts_list,
        values=values,
        error=error,
        temporary=temporary,
        roles=[(role, ROLE_LABELS[role]) for role in ROLES],
        partners=partners,
        min_password=MIN_PASSWORD,
    )


def _add_refused(message: str) -> ResponseReturnValue:
    return show_users(request.form, ("email", message))


@bp.route("/users", methods=["GET", "POST"])
@requires("admin")
@one_time(already_done("admin.users.index"), _add_refused)
def index() -> ResponseReturnValue:
    """Everyone with an account (GET), and adding one (POST)."""
    if request.method == "GET":
        return show_users(MultiDict())
    form, admin = request.form, current_user()
    assert admin is not None
    role = form.get("role", "")
    try:
        with services().db.session() as session:
            spend_form(session)
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
        return show_users(form, (field_for(str(error)), explain(error))), 400
    flash(translate("Account added for {email}", email=user.email), "success")
    return redirect(url_for("admin.users.index"))


def _change(
    user_id: int,
    action: str,
    refusal: str,
    change: Callable[[UnitOfWork], tuple[User, str]],
) -> User | ResponseReturnValue:
    """Apply an admin's change to another account and audit it: the changed account, or the
    page to answer with (400 for their own account or a bad value, 404 for no such account)."""
    admin = current_user()
    assert admin is not None
    if user_id == admin.id:
        return show_users(MultiDict(), ("accounts", translate(refusal))), 400
    try:
        with services().db.session() as session:
            spend_form(session)
            user, detail = change(session)
            record_event(session, admin.id, action, f"user:{user_id}", detail)
    except LookupError:
        abort(404)
    except AccountError as error:
        return show_users(MultiDict(), ("accounts", explain(error))), 400
    return user


@bp.post("/users/<int:user_id>/deactivate")
@requires("admin")
@one_time(already_done("admin.users.index"))
def deactivate(user_id: int) -> ResponseReturnValue:
    """Stop an account signing in; its sessions end at once."""
    done = _change(
        user_id,
        "user_deactivated",
        "You cannot deactivate your own account",
        lambda session: (accounts.set_active(session, user_id, False), ""),
    )
    if not isinstance(done, User):
        return done
    flash(translate("{name} can no longer sign in", name=as_is(done.name)), "success")
    return redirect(url_for("admin.users.index"))


@bp.post("/users/<int:user_id>/reactivate")
@requires("admin")
@one_time(already_done("admin.users.index"))
def reactivate(user_id: int) -> ResponseReturnValue:
    done = _change(
        user_id,
        "user_reactivated",
        "You cannot change your own account here",
        lambda session: (accounts.set_active(session, user_id, True), ""),
    )
    if not isinstance(done, User):
        return done
    flash(translate("{name} can sign in again", name=as_is(done.name)), "success")
    return redirect(url_for("admin.users.index"))


@bp.post("/users/<int:user_id>/role")
@requires("admin")
@one_time(already_done("admin.users.index"))
def change_role(user_id: int) -> ResponseReturnValue:
    """A new role; a partner's code comes with it (and goes when the role is another)."""
    role = request.form.get("role", "")
    code = request.form.get("partner_code") or None

    def changed(session: UnitOfWork) -> tuple[User, str]:
        return accounts.change_role(session, user_id, role, code), f"role={role}"

    done = _change(user_id, "user_role_changed", "You cannot change your own role", changed)
    if not isinstance(done, User):
        return done
    label = translate(ROLE_LABELS[done.role])
    flash(translate("{name} is now: {role}", name=as_is(done.name), role=label), "success")
    return redirect(url_for("admin.users.index"))


@bp.post("/users/<int:user_id>/password")
@requires("admin")
@one_time(already_done("admin.users.index"))
def reset_password(user_id: int) -> ResponseReturnValue:
    """A temporary password, shown on this page once (never in a cookie or the log)."""
    temporary: list[str] = []

    def changed(session: UnitOfWork) -> tuple[User, str]:
        user, password = accounts.reset_password(session, user_id)
        temporary.append(password)
        return user, ""

    done = _change(user_id, "password_reset", "Change your own password from your account", changed)
    if not isinstance(done, User):
        return done
    return show_users(MultiDict(), temporary=(done.name, temporary[0]))


@bp.post("/users/<int:user_id>/two-factor/reset")
@requires("admin")
@one_time(already_done("admin.users.index"))
def reset_two_factor(user_id: int) -> ResponseReturnValue:
    """For a lost phone: the account sets up two-factor sign-in again when it next signs in."""
    done = _change(
        user_id,
        "two_factor_reset",
        "You cannot reset your own two-factor sign-in",
        lambda session: (accounts.reset_two_factor(session, user_id), ""),
    )
    if not isinstance(done, User):
        return done
    flash(
        translate("{name} will set up two-factor sign-in again", name=as_is(done.name)), "success"
    )
    return redirect(url_for("admin.users.index"))
