"""Configuration refuses to run broken: production sends through Redis or says it will not,
never on a Redis that may drop jobs, and JOBS=inline really sends from the web process."""

from __future__ import annotations

from typing import Any

import pytest
from redis import Redis

from bot.channels.fake_twilio import FakeTwilio
from bot.runtime.config import ConfigError, load_settings
from bot.runtime.container import build_container
from tests.conftest import settings_for
from tests.delivery.private_redis import PrivateRedis
from tests.delivery.support import wait_for, worker_settings
from tests.helpers import inbound_params, signed_post
from wsgi import create_app

PRODUCTION = {"ENV": "production", "DATABASE_URL": "postgresql://db.invalid/sgwrs"}


def production(**changes: Any) -> dict[str, Any]:
    return settings_for("sqlite:///unused.db", **{**PRODUCTION, **changes})


def test_production_without_redis_is_refused_with_what_to_do() -> None:
    with pytest.raises(ConfigError, match=r"REDIS_URL is required .* JOBS=inline"):
        load_settings(production(), environ={})


def test_production_may_choose_to_send_from_the_web_process() -> None:
    assert load_settings(production(JOBS="inline"), environ={}).job_mode == "inline"
    with_redis = load_settings(production(REDIS_URL="redis://127.0.0.1:1/0"), environ={})
    assert with_redis.job_mode == "rq"


@pytest.mark.parametrize(
    ("jobs", "redis_url", "message"),
    [("celery", "", "JOBS must be rq or inline"), ("rq", "", "JOBS=rq needs REDIS_URL")],
)
def test_a_jobs_setting_that_cannot_work_is_refused(
    jobs: str, redis_url: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(
            settings_for("sqlite:///unused.db", JOBS=jobs, REDIS_URL=redis_url), environ={}
        )


def test_production_refuses_a_redis_that_may_evict_queued_jobs(
    private_redis: PrivateRedis, tmp_path: Any
) -> None:
    with Redis.from_url(private_redis.url) as client:
        client.config_set("maxmemory-policy", "allkeys-lru")
    settings = load_settings(
        production(REDIS_URL=private_redis.url, DATABASE_URL=f"sqlite:///{tmp_path}/p.db"),
        environ={},
    )
    with pytest.raises(ConfigError, match="maxmemory-policy is allkeys-lru: set it to noeviction"):
        build_container(settings)

    with Redis.from_url(private_redis.url) as client:
        client.config_set("maxmemory-policy", "noeviction")
    services = build_container(settings)
    services.db.engine.dispose()


def test_with_jobs_inline_the_web_process_itself_sends_the_reply_to_a_deferred_text(
    sqlite_url: str, fake: FakeTwilio
) -> None:
    """No worker process at all: an officer's answer goes out from the web app's own pump."""
    app = create_app(worker_settings(sqlite_url, fake, REDIS_URL="", JOBS="inline"))
    services = app.extensions["sgwrs"]
    client = app.test_client()
    for body in ("hi", "2", "ask when will you decide?"):
        params = inbound_params("+447700900123", body)
        assert (
            signed_post(client, "/twilio/messages", params, token=fake.auth_token).status_code
            == 200
        )
    (question,) = services.questions.open_questions()

    services.questions.answer(question.id, "In March.")

    wait_for(lambda: len(fake.messages) == 1, 10, "the answer to go out")
    assert "In March." in fake.messages[0].body
