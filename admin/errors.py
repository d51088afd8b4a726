"""The admin's own 403 and 404 pages, in the interface language, for every admin page.

They are registered on the parent "admin" blueprint, so they cover every view module's
blueprint and nothing outside /admin (the webhooks keep Flask's plain errors).
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import Forbidden, NotFound

from admin.i18n import translate


def forbidden(_error: Forbidden) -> ResponseReturnValue:
    title = translate("You do not have permission to see this page")
    return render_template("admin/error.html", title=title), 403


def not_found(_error: NotFound) -> ResponseReturnValue:
    return render_template("admin/error.html", title=translate("Page not found")), 404


def install_error_pages(admin: Blueprint) -> None:
    admin.register_error_handler(Forbidden, forbidden)
    admin.register_error_handler(NotFound, not_found)
