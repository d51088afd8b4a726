"""A page as a PDF, for partners to print or pass on: WeasyPrint draws the same HTML the browser
gets, with the print stylesheet alone.

WeasyPrint needs Pango from the system (Debian's libpango-1.0-0); where it cannot load, there
is no PDF and the page says nothing of one, while the printable page works as ever. It fetches
nothing: the stylesheet is read here, and any address in the page is refused, so drawing a
PDF never reaches the network or a file it was not given.
"""

from __future__ import annotations

import functools
import importlib
from pathlib import Path
from typing import Any

#: The stylesheet the PDF is drawn with: the public page's, whose print rules make it A4.
STYLESHEET = Path(__file__).resolve().parent / "static" / "response.css"


@functools.cache
def _weasyprint() -> Any | None:
    """The WeasyPrint module, or None when it (or the Pango it loads) is not installed."""
    try:
        return importlib.import_module("weasyprint")
    except (ImportError, OSError):
        return None


def pdf_available() -> bool:
    return _weasyprint() is not None


def render_pdf(html: str) -> bytes:
    """`html` as an A4 PDF; call only when `pdf_available()`."""
    weasyprint = _weasyprint()
    assert weasyprint is not None
    nothing = weasyprint.urls.URLFetcher(allowed_protocols=())
    stylesheet = weasyprint.CSS(string=STYLESHEET.read_text(encoding="utf-8"), url_fetcher=nothing)
    pdf: bytes = weasyprint.HTML(string=html, url_fetcher=nothing).write_pdf(
        stylesheets=[stylesheet]
    )
    return pdf
