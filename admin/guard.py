"""A check on every admin request before any view runs: no NUL character anywhere in it.

PostgreSQL cannot store or even compare text with a NUL in it (psycopg refuses the query), and
no one types one, so a query-string or form value holding one is refused here with a 400 page,
whatever the page would have done with it; SQLite and PostgreSQL then answer alike.
"""

from __future__ import annotations

from flask import Blueprint, request
from flask.typing import ResponseReturnValue

from admin.errors import error_page
from admin.i18n import translate

NUL = "\x00"


def _holds_nul() -> bool:
    for values in (request.args, request.form):
        for name, value in values.items(multi=True):
            if NUL in name or NUL in value:
                return True
    return False


def refuse_nul() -> ResponseReturnValue | None:
    """A 400 page for a request holding a NUL; None lets the request go on to its view."""
    if _holds_nul():
        title = (
            "What was sent holds a character that cannot be stored (a null character)."
            " Remove it and try again."
        )
        return error_page(translate(title), 400)
    return None


def install_request_guard(admin: Blueprint) -> None:
    admin.before_request(refuse_nul)
