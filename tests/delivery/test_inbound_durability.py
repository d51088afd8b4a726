"""An inbound text is durable before anything can fail: Redis down, a resident's lock held past
its timeout, a bug in a turn. Every signed text gets a 200, none is lost, and a text whose
handling failed is handled later by the sweep, its reply going out through the outbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from redis import Redis
from sqlalchemy import create_engine, func, select, text
from sqlmodel import Session

from bot.channels.fake_twilio import FakeTwilio
from bot.core.inbound import DEFERRED_AFTER
from bot.store.models import Message, Participant, Receipt
from tests.delivery.private_redis import PrivateRedis
from tests.delivery.support import Harness, MovableClock, build_harness
from tests.helpers import inbound_params, signed_post
from tests.webhooks.support import twiml_messages
from wsgi import create_app

pytestmark = pytest.mark.redis

RESIDENT = "+447700900123"
PATH = "/twilio/messages"


@pytest.fixture
def stack(
    pg_url: str, fake: FakeTwilio, private_redis: PrivateRedis
) -> Iterator[tuple[Harness, Flask, MovableClock]]:
    """The web app and the sweep on PostgreSQL and a Redis of this test's own."""
    clock = MovableClock()
    redis = Redis.from_url(private_redis.url, socket_timeout=1, socket_connect_timeout=1)
    harness = build_harness(
        pg_url, fake, redis, clock, REDIS_URL=private_redis.url, LOCK_TIMEOUT_SECONDS=1
    )
    yield harness, create_app(services=harness.services), clock
    harness.close()
    redis.close()


def texted(
    app: Flask, fake: FakeTwilio, body: str, *, sid: str | None = None
) -> tuple[int, list[str]]:
    """A signed text from the resident: the HTTP status and the TwiML reply's messages."""
    params = inbound_params(RESIDENT, body, sid)
    response = signed_post(app.test_client(), PATH, params, token=fake.auth_token)
    return response.status_code, twiml_messages(
        response.data
    ) if response.status_code == 200 else []


def inbound_count(harness: Harness) -> int:
    with Session(harness.services.db.engine) as session:
        statement = select(func.count()).select_from(Message).where(Message.direction == "in")
        return session.execute(statement).scalar_one()


def receipts_by_status(harness: Harness) -> dict[str, int]:
    with Session(harness.services.db.engine) as session:
        rows = session.execute(select(Receipt.status, func.count()).group_by(Receipt.status))
        return dict(rows.all())


def test_redis_down_mid_conversation_loses_no_text_and_answers_every_one(
    stack: tuple[Harness, Flask, MovableClock], fake: FakeTwilio, private_redis: PrivateRedis
) -> None:
    harness, app, _clock = stack
    assert texted(app, fake, "hi")[0] == 200
    assert texted(app, fake, "2")[0] == 200

    private_redis.stop()
    during = [texted(app, fake, body) for body in ("next", "next", "Too much snooping", "next")]

    assert [status for status, _ in during] == [200] * 4
    assert all(len(reply) == 1 for _, reply in during), "each text still got its reply"
    assert inbound_count(harness) == 6
    assert receipts_by_status(harness) == {"handled": 6}

    private_redis.start()
    assert texted(app, fake, "next")[0] == 200
    assert inbound_count(harness) == 7


def test_a_lock_held_past_its_timeout_defers_the_text_to_the_sweep_and_the_reply_follows(
    stack: tuple[Harness, Flask, MovableClock], fake: FakeTwilio, pg_url: str
) -> None:
    harness, app, clock = stack
    texted(app, fake, "hi")
    number_hash = harness.services.vault.number_hashes(RESIDENT)[0]
    holder = create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with holder.connect() as connection:  # another process stuck holding this resident's lock
        connection.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": int(number_hash[:15], 16)}
        )
        status, reply = texted(app, fake, "2", sid="SM" + "d" * 32)
        connection.rollback()
    holder.dispose()

    assert (status, reply) == (200, []), "a 200 with no reply yet, never a 5xx"
    assert receipts_by_status(harness) == {"handled": 1, "pending": 1}
    assert inbound_count(harness) == 1

    clock.advance(seconds=DEFERRED_AFTER.total_seconds() + 1)
    assert harness.sweep()["deferred_texts"] == 1
    harness.run_worker()

    assert receipts_by_status(harness) == {"handled": 2}
    assert inbound_count(harness) == 2
    assert len(fake.messages) == 1, "the deferred text's reply went out through the outbox"
    again = texted(app, fake, "2", sid="SM" + "d" * 32)
    assert again == (200, []), "Twilio retrying that SID later changes nothing"
    assert inbound_count(harness) == 2


def test_a_turn_that_fails_is_kept_and_handled_by_the_sweep_with_redis_down_too(
    stack: tuple[Harness, Flask, MovableClock],
    fake: FakeTwilio,
    private_redis: PrivateRedis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    harness, app, clock = stack
    texted(app, fake, "hi")
    desk = harness.services.inbound
    real = desk._handle_one

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug in a turn")

    monkeypatch.setattr(desk, "_handle_one", broken)
    assert texted(app, fake, "2") == (200, [])
    monkeypatch.setattr(desk, "_handle_one", real)
    private_redis.stop()

    clock.advance(seconds=DEFERRED_AFTER.total_seconds() + 1)
    assert harness.services.sweep.rerun_deferred() == 1, "handled though Redis is down"
    assert inbound_count(harness) == 2
    private_redis.start()
    harness.sweep()
    harness.run_worker()
    assert len(fake.messages) == 1
    with Session(harness.services.db.engine) as session:
        (participant,) = session.execute(select(Participant)).scalars().all()
    assert participant.language == "en"
