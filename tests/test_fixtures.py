"""The core fixtures themselves: a test that forgets its fake Twilio must fail, not send.

settings_for points TWILIO_API_URL at `http://twilio.invalid`, a name that can never resolve,
so a container built from the fixtures cannot reach api.twilio.com whatever a test does.
"""

from __future__ import annotations

import pytest
from requests import RequestException

from bot.channels.sender import OutboundSms, SendError, TwilioSender
from bot.runtime.container import Container
from tests.conftest import FIXTURE_FLOWS, UNREACHABLE_TWILIO


def test_the_fixtures_twilio_is_unreachable(services: Container) -> None:
    sender = services.delivery.sender
    assert isinstance(sender, TwilioSender)

    with pytest.raises(SendError) as caught:
        sender.send(OutboundSms(to="+447700900123", body="hello", from_="+447700900999"))

    assert caught.value.retryable
    assert "could not reach Twilio" in str(caught.value)
    cause = caught.value.__cause__
    assert isinstance(cause, RequestException)
    assert cause.request is not None
    assert str(cause.request.url).startswith(f"{UNREACHABLE_TWILIO}/2010-04-01/Accounts/")
    assert "api.twilio.com" not in str(cause.request.url)


def test_the_fixtures_load_the_fixture_flows(services: Container) -> None:
    assert services.settings.flows_path == FIXTURE_FLOWS
    assert {"welcome", "energy-data"} <= set(services.library.flows)
