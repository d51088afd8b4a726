"""A missed call, end to end: the fake Twilio rings the app, which rejects the call unanswered;
the worker sends the caller the welcome's first text through the outbox to the fake."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.channels.fake_twilio import FakeTwilio
from tests.delivery.support import SMS_FROM, AppServer, Harness, MovableClock

pytestmark = pytest.mark.redis

CALLER = "+447700900123"
MISSED_CALL_NUMBER = "+447700900888"


def welcome(harness: Harness) -> str:
    library = harness.services.library
    return library.flow(library.welcome_flow).first_step().text.cy


def start(
    make_harness: Callable[..., Harness],
    database_url: str,
    app_server: AppServer,
    clock: MovableClock,
    **overrides: str,
) -> tuple[Harness, str]:
    settings = {"VOICE_MODE": "missed-call", **overrides}
    harness = app_server.serve(make_harness, database_url, clock, **settings)
    return harness, app_server.url + "/twilio/voice"


def test_a_missed_call_gets_exactly_one_welcome_text_and_a_second_call_none(
    sqlite_url: str,
    make_harness: Callable[..., Harness],
    app_server: AppServer,
    clock: MovableClock,
    fake: FakeTwilio,
) -> None:
    harness, voice_url = start(make_harness, sqlite_url, app_server, clock)

    call = fake.ring(voice_url, CALLER, SMS_FROM)
    assert call.rejected
    assert fake.ring(voice_url, CALLER, SMS_FROM, sid=call.sid).rejected  # Twilio's retry
    harness.run_worker()
    [sent] = fake.messages
    assert (sent.to, sent.from_) == (CALLER, SMS_FROM)
    assert welcome(harness) in sent.body

    clock.advance(minutes=5)
    assert fake.ring(voice_url, CALLER, SMS_FROM).rejected
    harness.run_worker()
    assert len(fake.messages) == 1


def test_a_caller_who_sent_stop_gets_nothing(
    sqlite_url: str,
    make_harness: Callable[..., Harness],
    app_server: AppServer,
    clock: MovableClock,
    fake: FakeTwilio,
) -> None:
    harness, voice_url = start(make_harness, sqlite_url, app_server, clock)
    harness.text(CALLER, "STOP")

    assert fake.ring(voice_url, CALLER, SMS_FROM).rejected
    harness.run_worker()
    assert fake.messages == []


def test_a_missed_call_number_overrides_flow_mode(
    sqlite_url: str,
    make_harness: Callable[..., Harness],
    app_server: AppServer,
    clock: MovableClock,
    fake: FakeTwilio,
) -> None:
    harness, voice_url = start(
        make_harness,
        sqlite_url,
        app_server,
        clock,
        VOICE_MODE="flow",
        MISSED_CALL_NUMBERS=MISSED_CALL_NUMBER,
    )
    assert fake.ring(voice_url, CALLER, MISSED_CALL_NUMBER).rejected
    harness.run_worker()
    [sent] = fake.messages
    assert sent.to == CALLER
    assert welcome(harness) in sent.body


def test_in_flow_mode_the_call_is_answered_with_the_flow_and_nothing_is_texted(
    sqlite_url: str,
    make_harness: Callable[..., Harness],
    app_server: AppServer,
    clock: MovableClock,
    fake: FakeTwilio,
) -> None:
    harness, voice_url = start(make_harness, sqlite_url, app_server, clock, VOICE_MODE="flow")
    call = fake.ring(voice_url, CALLER, SMS_FROM)
    assert call.http_status == 200
    assert not call.rejected
    assert 'voice="Polly.Gwyneth"' in call.twiml
    assert "<Gather" in call.twiml
    harness.run_worker()
    assert fake.messages == []


def test_a_badly_signed_call_is_refused(
    sqlite_url: str,
    make_harness: Callable[..., Harness],
    app_server: AppServer,
    clock: MovableClock,
) -> None:
    harness, voice_url = start(make_harness, sqlite_url, app_server, clock)
    with FakeTwilio(auth_token="not-our-token") as stranger:
        call = stranger.ring(voice_url, CALLER, SMS_FROM)
    assert call.http_status == 403
    assert not call.rejected
    assert harness.outbox() == []
