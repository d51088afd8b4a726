"""Who is signed in, and the `requires(...)` decorator each admin view declares its roles with."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, current_app, g, redirect, request, session, url_for

from bot.core.accounts import SignedIn, get_signed_in
from bot.runtime.container import Container


def services() -> Container:
    return current_app.extensions["sgwrs"]


def current_user() -> SignedIn | None:
    if "user" not in g:
        user_id = session.get("user_id")
        g.user = None
        if isinstance(user_id, int):
            with services().db.session() as db_session:
                g.user = get_signed_in(db_session, user_id)
    return g.user


def requires(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Anonymous visitors go to sign in; signed-in people without the role get 403."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                return redirect(url_for("admin.signin.login", next=request.full_path.rstrip("?")))
            if user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        guarded.allowed_roles = roles  # type: ignore[attr-defined]  # read by the access tests
        return guarded

    return decorate


def partner_scope() -> str | None:
    """The partner code a partner is limited to; None for officers and admins (all partners)."""
    user = current_user()
    return user.partner_code if user is not None and user.role == "partner" else None
