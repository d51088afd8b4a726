"""Security headers for every response: a strict CSP (no inline script or style), no framing,
no referrer outside the site, and no copy of a page kept by a browser or proxy.

Everything but the static files is `Cache-Control: no-store`: admin pages and downloads show
residents' words, and the webhooks' TwiML carries a reply to one. HSTS goes out in production
only (a laptop run is plain http), and covers subdomains.
"""

from __future__ import annotations

from flask import Flask, Response, request

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"
#: Files that hold no one's data and may be cached like any stylesheet.
CACHEABLE_ENDPOINTS = {"admin.static"}


def install_security_headers(app: Flask) -> None:
    production = app.extensions["sgwrs"].settings.production

    @app.after_request
    def add_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if production:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if request.endpoint not in CACHEABLE_ENDPOINTS:
            response.headers["Cache-Control"] = "no-store"
        return response
