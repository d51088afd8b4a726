"""POST /twilio/voice: the incoming-call contract, on SQLite and PostgreSQL.

A call is signed like every Twilio route; a missed call gets <Reject> as its first and only
verb, and one welcome text is put in the outbox for the caller (the delivery tests follow it to
the fake Twilio); any other call is asked its language, Welsh first (tests/webhooks/
test_voice_flow.py follows whole calls).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from sqlmodel import select

from bot.engine import texts as say
from bot.runtime.config import ConfigError, load_settings
from bot.runtime.container import Container
from bot.store.models import Message, OutboxMessage, Participant
from tests.conftest import TEST_AUTH_TOKEN, make_container, settings_for
from tests.helpers import inbound_params, new_sid, sign, signed_post
from tests.webhooks.support import count_rows, row_counts
from wsgi import create_app

PATH = "/twilio/voice"
CALLER = "+447700900123"
OUR_NUMBER = "+447700900999"
MISSED_CALL_NUMBER = "+447700900888"


def call_params(caller: str = CALLER, to: str = OUR_NUMBER, sid: str | None = None) -> dict:
    """The form fields of Twilio's incoming-call webhook."""
    return {
        "CallSid": sid or new_sid("CA"),
        "AccountSid": "AC" + "0" * 32,
        "From": caller,
        "To": to,
        "Caller": caller,
        "Called": to,
        "CallStatus": "ringing",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
    }


def verbs(body: bytes) -> list[ET.Element]:
    root = ET.fromstring(body)
    assert root.tag == "Response"
    return list(root)


@pytest.fixture
def missed_services(database_url: str) -> Iterator[Container]:
    built = make_container(database_url, VOICE_MODE="missed-call")
    yield built
    built.db.engine.dispose()


@pytest.fixture
def missed_client(missed_services: Container) -> FlaskClient:
    return create_app(services=missed_services).test_client()


def outbox_bodies(services: Container) -> list[str]:
    with services.db.session() as session:
        rows = session.exec(select(OutboxMessage)).all()
        return [services.vault.open(row.body_encrypted) for row in rows]


def welcome(services: Container) -> str:
    flow = services.library.flow(services.library.welcome_flow)
    return flow.first_step().text.cy


def test_a_missed_call_is_rejected_and_the_caller_is_texted_the_welcome(
    missed_client: FlaskClient, missed_services: Container
) -> None:
    response = signed_post(missed_client, PATH, call_params())
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    assert response.data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    [reject] = verbs(response.data)
    assert reject.tag == "Reject"
    assert reject.get("reason") == "busy"
    [body] = outbox_bodies(missed_services)
    assert welcome(missed_services) in body
    assert count_rows(missed_services, Participant) == 1
    assert count_rows(missed_services, Message, Message.direction == "in") == 1


@pytest.mark.parametrize("signature", [None, "bad", "wrong-token"])
def test_an_unsigned_or_badly_signed_call_is_refused_and_nothing_is_stored(
    missed_client: FlaskClient, missed_services: Container, signature: str | None
) -> None:
    params = call_params()
    headers = {}
    if signature == "bad":
        headers["X-Twilio-Signature"] = "bm90IGEgc2lnbmF0dXJl"
    elif signature == "wrong-token":
        headers["X-Twilio-Signature"] = sign(PATH, params, "another-token")
    response = missed_client.post(PATH, data=params, headers=headers)
    assert response.status_code == 403
    counts = row_counts(missed_services)
    assert counts == dict.fromkeys(counts, 0)


def test_a_signature_for_other_fields_is_refused(
    missed_client: FlaskClient, missed_services: Container
) -> None:
    params = call_params()
    signature = sign(PATH, params, TEST_AUTH_TOKEN)
    response = missed_client.post(
        PATH, data={**params, "From": "+447700900456"}, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 403
    assert count_rows(missed_services, Participant) == 0


def test_a_malformed_call_sid_is_a_bad_request(
    missed_client: FlaskClient, missed_services: Container
) -> None:
    response = signed_post(missed_client, PATH, call_params(sid="SM" + "0" * 32))
    assert response.status_code == 400
    assert count_rows(missed_services, Participant) == 0


def test_twilio_retrying_a_call_sends_nothing_more(
    missed_client: FlaskClient, missed_services: Container
) -> None:
    params = call_params()
    for _ in range(2):
        response = signed_post(missed_client, PATH, params)
        assert [verb.tag for verb in verbs(response.data)] == ["Reject"]
    assert len(outbox_bodies(missed_services)) == 1


def test_a_second_call_within_the_window_sends_nothing_more(
    missed_client: FlaskClient, missed_services: Container
) -> None:
    for _ in range(3):
        response = signed_post(missed_client, PATH, call_params())
        assert [verb.tag for verb in verbs(response.data)] == ["Reject"]
    assert len(outbox_bodies(missed_services)) == 1
    assert count_rows(missed_services, Message, Message.direction == "in") == 1


@pytest.mark.parametrize("caller", ["Anonymous", "+266696687", "", "Restricted"])
def test_a_withheld_number_is_rejected_and_texted_nothing(
    missed_client: FlaskClient, missed_services: Container, caller: str
) -> None:
    response = signed_post(missed_client, PATH, call_params(caller=caller))
    assert response.status_code == 200
    assert [verb.tag for verb in verbs(response.data)] == ["Reject"]
    counts = row_counts(missed_services)
    assert counts == dict.fromkeys(counts, 0)


def test_a_number_that_sent_stop_is_texted_nothing(
    missed_client: FlaskClient, missed_services: Container
) -> None:
    stop = signed_post(missed_client, "/twilio/messages", inbound_params(CALLER, "STOP"))
    assert stop.status_code == 200
    response = signed_post(missed_client, PATH, call_params())
    assert [verb.tag for verb in verbs(response.data)] == ["Reject"]
    assert outbox_bodies(missed_services) == []


def test_in_flow_mode_a_new_caller_is_asked_their_language_welsh_first(
    client: FlaskClient, services: Container
) -> None:
    response = signed_post(client, PATH, call_params())
    assert response.status_code == 200
    [gather] = verbs(response.data)
    assert (gather.tag, gather.get("input"), gather.get("numDigits")) == ("Gather", "dtmf", "1")
    assert gather.get("action", "").endswith("/twilio/voice/gather?turn=1&misses=0")
    first, second = list(gather)
    assert (first.tag, first.get("language"), first.get("voice")) == (
        "Say",
        "cy-GB",
        "Polly.Gwyneth",
    )
    assert first.text is not None
    assert first.text.endswith("I barhau yn Gymraeg, pwyswch 1.")
    assert (second.tag, second.get("language"), second.get("voice")) == (
        "Say",
        "en-GB",
        "Polly.Amy",
    )
    assert second.text is not None
    assert second.text.endswith("For English, press 2.")
    assert outbox_bodies(services) == []  # the call is the conversation: no text


def test_a_withheld_number_in_flow_mode_is_told_the_call_needs_it(client: FlaskClient) -> None:
    response = signed_post(client, PATH, call_params(caller="anonymous"))
    welsh, english, hangup = verbs(response.data)
    assert welsh.text == say.VOICE_WITHHELD.cy
    assert english.text == say.VOICE_WITHHELD.en
    assert hangup.tag == "Hangup"


def test_a_missed_call_number_is_rejected_whatever_voice_mode_says(database_url: str) -> None:
    services = make_container(
        database_url, VOICE_MODE="flow", MISSED_CALL_NUMBERS=f"+447700900777, {MISSED_CALL_NUMBER}"
    )
    try:
        client = create_app(services=services).test_client()
        missed = signed_post(client, PATH, call_params(to=MISSED_CALL_NUMBER))
        assert [verb.tag for verb in verbs(missed.data)] == ["Reject"]
        answered = signed_post(client, PATH, call_params(caller="+447700900456"))
        assert [verb.tag for verb in verbs(answered.data)] == ["Gather"]
        assert len(outbox_bodies(services)) == 1  # the missed call's text only
    finally:
        services.db.engine.dispose()


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("VOICE_MODE", "missed", "VOICE_MODE must be flow or missed-call"),
        ("MISSED_CALL_NUMBERS", "07700900888", "MISSED_CALL_NUMBERS must be E.164"),
        ("MISSED_CALL_NUMBERS", "+447700900888;+447700900777", "MISSED_CALL_NUMBERS"),
        ("MISSED_CALL_WINDOW_MINUTES", "-1", "MISSED_CALL_WINDOW_MINUTES"),
        ("MISSED_CALL_WINDOW_MINUTES", "ten", "MISSED_CALL_WINDOW_MINUTES"),
    ],
)
def test_bad_voice_settings_fail_at_start_up(setting: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(settings_for("sqlite://", **{setting: value}), environ={})


def test_voice_settings_default_to_flow_with_no_missed_call_numbers() -> None:
    settings = load_settings(settings_for("sqlite://"), environ={})
    assert settings.voice_mode == "flow"
    assert settings.missed_call_number_set == frozenset()
    assert settings.missed_call_window_minutes == 10
