"""Who is signed in, the `requires(...)` decorator each admin view declares its roles with, and
the session cookie.

The cookie (Flask's signed session) holds the session's random id ("sid"), the CSRF token, the
interface language and, while signing in, where to go next: never who is signed in. Who it is
comes from the session's row (bot.core.sessions), so signing out, deactivating an account or an
idle or absolute timeout ends it on the server, and a copied cookie opens nothing afterwards.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import abort, current_app, g, redirect, request, session, url_for

from bot.core.accounts import SignedIn, signed_in
from bot.core.sessions import FULL, HALF, SessionPolicy, end_session
from bot.core.throttle import SignInThrottle
from bot.runtime.config import Settings
from bot.runtime.container import Container

#: What a session keeps when its id is renewed at each step of signing in.
CARRIED_OVER = ("ui_lang", "next")
#: The longest `next` followed after signing in; anything longer goes to the overview.
MAX_NEXT = 512


def services() -> Container:
    return current_app.extensions["sgwrs"]


def now() -> datetime:
    return services().clock()


def session_cookie_config(settings: Settings) -> dict[str, Any]:
    """Flask's cookie settings: `__Host-` prefixed and Secure in production, so only this
    exact host over HTTPS ever gets it; in development and tests a plain name without Secure,
    because browsers refuse a `__Host-` cookie (and any Secure one) on the local http:// run."""
    production = settings.production
    return {
        "SESSION_COOKIE_NAME": "__Host-sgwrs" if production else "sgwrs_session",
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_PATH": "/",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=settings.session_absolute_hours),
    }


def session_policy() -> SessionPolicy:
    settings = services().settings
    return SessionPolicy(
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(hours=settings.session_absolute_hours),
    )


def sign_in_throttle() -> SignInThrottle:
    settings = services().settings
    return SignInThrottle(
        window=timedelta(minutes=settings.sign_in_window_minutes),
        per_account=settings.sign_in_failures_per_account,
        per_ip=settings.sign_in_failures_per_ip,
    )


def client_ip() -> str:
    """The client's address: the connection's, or the one trusted proxies gave (wsgi.py)."""
    return request.remote_addr or ""


def _signed_in_as() -> tuple[str, SignedIn] | None:
    """(stage, account) of this browser's open session, looked up once per request."""
    if "signed_in_as" not in g:
        g.signed_in_as = None
        session_id = session.get("sid")
        if isinstance(session_id, str):
            with services().db.session() as db_session:
                opened = session_policy().resume(db_session, session_id, now())
            if opened is not None and opened.user.active:
                g.signed_in_as = (opened.stage, signed_in(opened.user))
    return g.signed_in_as


def current_user() -> SignedIn | None:
    """The account fully signed in (password and, where needed, second factor), or None."""
    found = _signed_in_as()
    return found[1] if found is not None and found[0] == FULL else None


def pending_user() -> SignedIn | None:
    """The account whose password was right but whose second factor is still to come."""
    found = _signed_in_as()
    return found[1] if found is not None and found[0] == HALF else None


def begin_session(user_id: int, stage: str) -> None:
    """A new session id for this browser (the old one ends): never the id it came with."""
    carried = {key: session[key] for key in CARRIED_OVER if key in session}
    with services().db.session() as db_session:
        old = session.get("sid")
        if isinstance(old, str):
            end_session(db_session, old)
        session_id = session_policy().start(db_session, user_id, stage, now())
    session.clear()
    session.update(carried)
    session["sid"] = session_id
    session.permanent = True
    g.pop("signed_in_as", None)


def end_this_session() -> None:
    """Sign this browser out: its row goes, so a copy of the cookie opens nothing either."""
    session_id = session.get("sid")
    if isinstance(session_id, str):
        with services().db.session() as db_session:
            end_session(db_session, session_id)
    language = session.get("ui_lang")
    session.clear()
    if language:
        session["ui_lang"] = language
    g.pop("signed_in_as", None)


def safe_next(target: object) -> str:
    """A page of this admin to go to, or the overview: never another site (no open redirect),
    never a header-breaking character, never a path that climbs out of /admin/."""
    if isinstance(target, str) and len(target) <= MAX_NEXT and target.isprintable():
        parts = urlsplit(target)
        path = posixpath.normpath(unquote(parts.path))
        if (
            target.startswith("/admin/")
            and "\\" not in unquote(target)
            and not parts.scheme
            and not parts.netloc
            and (path + "/").startswith("/admin/")
        ):
            return target
    return url_for("admin.overview.index")


def requires(
    *roles: str, temporary_password_ok: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Anonymous visitors go to sign in; signed-in people without the role get 403.

    Someone signed in with a temporary password (an admin reset it) is sent to choose a new
    one first, except on the views that let them (`temporary_password_ok`).
    """

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                return redirect(url_for("admin.signin.login", next=request.full_path.rstrip("?")))
            if user.must_change_password and not temporary_password_ok:
                return redirect(url_for("admin.account.password"))
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
