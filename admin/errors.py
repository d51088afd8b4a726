"""The admin's own error pages, in the interface language, for every admin page.

They are registered on the parent "admin" blueprint, so they cover every view module's
blueprint and nothing outside /admin (the webhooks keep their plain-text answers). Each says in
plain words what went wrong. An unexpected failure is logged by its type and endpoint only:
Flask's own log line would carry the exception's message and traceback, which can quote what
an officer typed (a database error repeats the statement's parameters).
"""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import (
    BadRequest,
    Forbidden,
    HTTPException,
    MethodNotAllowed,
    NotFound,
    RequestEntityTooLarge,
)

from admin.i18n import translate

log = logging.getLogger(__name__)


def error_page(title: str, status: int) -> ResponseReturnValue:
    """The admin's error page with `title` (already translated) as its heading."""
    return render_template("admin/error.html", title=title), status


def forbidden(_error: Forbidden) -> ResponseReturnValue:
    return error_page(translate("You do not have permission to see this page"), 403)


def not_found(_error: NotFound) -> ResponseReturnValue:
    return error_page(translate("Page not found"), 404)


def bad_request(_error: BadRequest) -> ResponseReturnValue:
    return error_page(
        translate("The page could not read what was sent. Go back and try again."), 400
    )


def form_expired(_error: CSRFError) -> ResponseReturnValue:
    title = (
        "The form has expired or did not come from this site."
        " Go back, reload the page and try again."
    )
    return error_page(translate(title), 400)


def too_large(_error: RequestEntityTooLarge) -> ResponseReturnValue:
    return error_page(translate("What was sent is too large. Send less and try again."), 413)


def unexpected(error: Exception) -> ResponseReturnValue:
    """Any other failure: a 500 page, logged without the request's values or the message."""
    if isinstance(error, HTTPException):  # the ones with no page of their own keep Flask's
        return error
    log.error("admin_error endpoint=%s error=%s", request.endpoint, type(error).__name__)
    return error_page(
        translate("Sorry, there is a problem with the service. Try again later."), 500
    )


def not_allowed(_error: MethodNotAllowed) -> ResponseReturnValue:
    return error_page(translate("This page cannot be used that way. Go back and try again."), 405)


def outside_any_page(error: HTTPException) -> ResponseReturnValue:
    """A URL under /admin that matches no page (or not with that method) reaches no blueprint,
    so the app hands it here: the admin's page in the officer's language, not Flask's English."""
    if not request.path.startswith("/admin"):
        return error
    return not_found(error) if isinstance(error, NotFound) else not_allowed(error)


def install_error_pages(admin: Blueprint) -> None:
    admin.register_error_handler(Forbidden, forbidden)
    admin.register_error_handler(NotFound, not_found)
    admin.register_error_handler(MethodNotAllowed, not_allowed)
    admin.register_error_handler(CSRFError, form_expired)
    admin.register_error_handler(BadRequest, bad_request)
    admin.register_error_handler(RequestEntityTooLarge, too_large)
    admin.register_error_handler(Exception, unexpected)


def install_unrouted_pages(app: Flask) -> None:
    app.register_error_handler(NotFound, outside_any_page)
    app.register_error_handler(MethodNotAllowed, outside_any_page)
