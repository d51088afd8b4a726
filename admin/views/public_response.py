"""The public response page: what residents told the council about a flow, what it decided and
why, for anyone, with no sign-in, at /responses/<flow>, and as a PDF at /responses/<flow>/pdf.

Deliberately outside the admin: this blueprint is registered on the app itself, not under the
/admin parent whose every view declares its roles (`requires`, admin/auth.py) and whose routes
tests/admin/test_access.py walks. It shows only what an officer published: counts, what the
council wrote, and the quotes picked, redacted as they are drawn (bot/core/responses.py). No
resident is named or numbered; a flow never published, or not in the library, is 404.

Welsh first: the page is in Welsh unless its address asks for English (?lang=en), with a link
to the other language; the session plays no part, so an officer's own choice is left alone.
It is one page for screen and paper (admin/static/response.css: A4, large type, no links or
navigation on paper). The usual security headers and CSP apply, as on every response.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotFound

from admin.auth import services
from admin.extensions import limiter
from admin.i18n import read_page_in, translate, ui_language
from admin.pdf import pdf_available, render_pdf
from bot.core.responses import ResponsePage, read_published

bp = Blueprint("public_response", __name__, url_prefix="/responses")


@bp.before_request
def _language() -> None:
    """Welsh unless the address asks for English."""
    read_page_in("en" if request.args.get("lang") == "en" else "cy")


@bp.context_processor
def _other_language() -> dict[str, object]:
    """The link to this page in the other language, named in that language."""
    here = dict(request.view_args or {})
    if ui_language() == "cy":
        href = url_for(str(request.endpoint), **here, lang="en")
        return {"switch": {"href": href, "lang": "en", "name": "English"}}
    return {
        "switch": {"href": url_for(str(request.endpoint), **here), "lang": "cy", "name": "Cymraeg"}
    }


def _published(flow_id: str) -> ResponsePage:
    if flow_id not in services().library.flows:
        abort(404)
    with services().db.session() as session:
        page = read_published(session, services().vault, flow_id, ui_language())
    if page is None:
        abort(404)
    return page


def public_address(flow_id: str, language: str) -> str:
    """The page's full address in `language`: printed on paper, and sent in the text message."""
    base = services().settings.public_url.rstrip("/")
    asked = {"lang": "en"} if language == "en" else {}
    return base + url_for("public_response.show", flow_id=flow_id, **asked)


def _page(page: ResponsePage, *, for_pdf: bool) -> str:
    return render_template(
        "public/response.html",
        page=page,
        for_pdf=for_pdf,
        pdf=pdf_available() and not for_pdf,
        address=public_address(page.flow_id, ui_language()),
    )


@bp.get("/<flow_id>")
@limiter.limit("120 per minute")
def show(flow_id: str) -> ResponseReturnValue:
    """The published response in Welsh, or English with ?lang=en."""
    return _page(_published(flow_id), for_pdf=False)


@bp.get("/<flow_id>/pdf")
@limiter.limit("10 per minute")  # drawing a PDF takes a moment of the server's time
def as_pdf(flow_id: str) -> ResponseReturnValue:
    """The same response as an A4 PDF, for printing."""
    if not pdf_available():
        abort(404)
    page = _published(flow_id)
    name = f"{flow_id}-{ui_language()}.pdf"
    return Response(
        render_pdf(_page(page, for_pdf=True)),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@bp.errorhandler(NotFound)
def not_found(_error: NotFound) -> ResponseReturnValue:
    """A plain page in the visitor's language: nothing published here (yet)."""
    return render_template("public/not_found.html", title=translate("Page not found")), 404
