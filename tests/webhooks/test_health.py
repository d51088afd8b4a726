"""GET /healthz: up or down for a load balancer; the details only for an operator's token."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask.testing import FlaskClient

from bot.runtime.clock import utc_now
from bot.runtime.container import Container
from bot.store.models import OutboxMessage
from bot.store.participants import create_participant
from tests.conftest import make_container
from wsgi import create_app

TOKEN = "health-token-for-tests-0123456789"
OPERATOR = {"Authorization": f"Bearer {TOKEN}"}


def health(services: Container, headers: dict[str, str] | None = None) -> tuple[int, dict]:
    response = create_app(services=services).test_client().get("/healthz", headers=headers)
    assert response.is_json
    return response.status_code, response.json or {}


@pytest.fixture
def operated(sqlite_url: str) -> Iterator[Container]:
    services = make_container(sqlite_url, HEALTH_TOKEN=TOKEN)
    yield services
    services.db.engine.dispose()


def test_anyone_gets_only_up_or_down(client: FlaskClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_a_wrong_token_gets_no_details(operated: Container) -> None:
    assert health(operated, {"Authorization": "Bearer nope"}) == (200, {"status": "ok"})
    assert health(operated, {"Authorization": TOKEN}) == (200, {"status": "ok"})


def test_the_operator_sees_the_backlog_and_the_age_of_the_oldest_unsent_text(
    operated: Container,
) -> None:
    now = utc_now()
    with operated.db.session() as session:
        participant = create_participant(
            session,
            number_hash=operated.vault.hash_number("+447700900123"),
            number_encrypted=operated.vault.seal("+447700900123"),
            channel="sms",
            now=now,
        )
        for minutes, status in ((30, "pending"), (5, "sending"), (60, "sent")):
            session.add(
                OutboxMessage(
                    participant_id=participant.id or 0,
                    purpose="answer",
                    body_encrypted=operated.vault.seal("In March."),
                    status=status,
                    not_before=now - timedelta(minutes=minutes),
                    created_at=now - timedelta(minutes=minutes),
                )
            )

    status, report = health(operated, OPERATOR)

    assert status == 200
    assert report["status"] == "ok"
    assert (report["db"], report["queue"]) == ("ok", "inline")
    assert report["outbox_backlog"] == 2, "the sent one is not waiting"
    assert 30 * 60 - 5 <= report["oldest_unsent_seconds"] <= 30 * 60 + 60
    assert (report["texts_waiting"], report["texts_failed"]) == (0, 0)
    assert "flows" not in report


def test_unreachable_database_is_a_503() -> None:
    services = make_container("postgresql://postgres@127.0.0.1:1/x", HEALTH_TOKEN=TOKEN)
    try:
        assert health(services) == (503, {"status": "down"})
        status, report = health(services, OPERATOR)
    finally:
        services.db.engine.dispose()

    assert status == 503
    assert report["db"] == "down"


def test_unreachable_redis_is_a_503(sqlite_url: str) -> None:
    services = make_container(sqlite_url, REDIS_URL="redis://127.0.0.1:1/0", HEALTH_TOKEN=TOKEN)
    try:
        assert health(services) == (503, {"status": "down"})
        status, report = health(services, OPERATOR)
    finally:
        services.db.engine.dispose()

    assert status == 503
    assert (report["db"], report["queue"]) == ("ok", "down")
