"""GET /healthz for load balancers and operators: can we take texts, and are we keeping up?

Anyone gets 200 or 503 with `{"status": ...}` only: the flows, the backlog and the queue are
for operators, who send HEALTH_TOKEN as a bearer token.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from bot.core.health import check_health

bp = Blueprint("health", __name__)


def _may_see_details(token: str) -> bool:
    scheme, _, offered = request.headers.get("Authorization", "").partition(" ")
    if not token or scheme != "Bearer":
        return False
    return hmac.compare_digest(offered.strip().encode(), token.encode())


@bp.get("/healthz")
def health() -> ResponseReturnValue:
    services = current_app.extensions["sgwrs"]
    details = _may_see_details(services.settings.health_token)
    report = check_health(services.db, services.queue_status, services.clock, details=details)
    status = 200 if report.healthy else 503
    if not details:
        return jsonify({"status": "ok" if report.healthy else "down"}), status
    response = jsonify(report.details())
    response.headers["Cache-Control"] = "no-store"
    return response, status
