"""GET /healthz: what a load balancer asks before sending traffic."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.conftest import make_container
from wsgi import create_app


def test_healthy_without_redis_reports_inline_jobs(client: FlaskClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.is_json
    assert response.json is not None
    assert response.json["db"] == "ok"
    assert response.json["queue"] == "inline"


def test_unreachable_database_is_a_503() -> None:
    services = make_container("postgresql://postgres@127.0.0.1:1/x")
    try:
        response = create_app(services=services).test_client().get("/healthz")
    finally:
        services.db.engine.dispose()

    assert response.status_code == 503
    assert response.json is not None
    assert response.json["db"] != "ok"


def test_unreachable_redis_is_a_503(sqlite_url: str) -> None:
    services = make_container(sqlite_url, REDIS_URL="redis://127.0.0.1:1/0")
    try:
        response = create_app(services=services).test_client().get("/healthz")
    finally:
        services.db.engine.dispose()

    assert response.status_code == 503
    assert response.json is not None
    assert response.json["db"] == "ok"
    assert response.json["queue"] == "down"
