"""GET /healthz for load balancers and operators: is the database and the queue reachable?"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def health() -> ResponseReturnValue:
    services = current_app.extensions["sgwrs"]
    report = {
        "db": "ok" if services.db.ping() else "down",
        "queue": services.queue_status(),
        "flows": sorted(services.library.flows),
    }
    healthy = report["db"] == "ok" and report["queue"] != "down"
    return jsonify(report), 200 if healthy else 503
