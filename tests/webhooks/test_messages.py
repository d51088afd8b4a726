"""POST /twilio/messages: the HTTP contract for residents' texts, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select
from twilio.request_validator import RequestValidator

from bot.core.inbound import RepeatRule
from bot.engine.render import compose
from bot.flowspec.model import Text
from bot.runtime.config import ConfigError, load_settings
from bot.runtime.container import Container
from bot.store.models import Answer, Message, Participant, Receipt
from bot.store.participants import read_state
from bot.store.receipts import receipt_key
from tests.conftest import TEST_AUTH_TOKEN, make_container, settings_for
from tests.helpers import inbound_params, new_sid, sign, signed_post
from tests.webhooks.support import (
    all_rows,
    count_rows,
    load_payload,
    participants_for,
    row_counts,
    twiml_messages,
)
from wsgi import create_app

PATH = "/twilio/messages"
RESIDENT = "+447700900123"


def step_text(services: Container, flow_id: str, step_id: str) -> Text:
    return services.library.flow(flow_id).step(step_id).text


def send(client: FlaskClient, body: str, sender: str = RESIDENT, sid: str | None = None) -> str:
    """Text the bot as `sender` and return the one reply (asserting there is exactly one)."""
    response = signed_post(client, PATH, inbound_params(sender, body, sid))
    assert response.status_code == 200, response.data
    replies = twiml_messages(response.data)
    assert len(replies) == 1, response.data
    return replies[0]


def assert_nothing_stored(services: Container) -> None:
    counts = row_counts(services)
    assert "participants" in counts
    assert counts == dict.fromkeys(counts, 0)


# --- the happy path ---------------------------------------------------------------------------


def test_recorded_inbound_sms_gets_the_bilingual_welcome_as_twiml(
    client: FlaskClient, services: Container
) -> None:
    response = signed_post(client, PATH, load_payload("inbound_sms"))

    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    language = step_text(services, "welcome", "language")
    assert twiml_messages(response.data) == [compose([language], None)]
    reply = twiml_messages(response.data)[0]
    assert reply.index(language.cy) < reply.index(language.en)


def test_replying_2_chooses_english(client: FlaskClient, services: Container) -> None:
    send(client, "hi")

    reply = send(client, "2")

    assert reply.startswith(step_text(services, "welcome", "keywords").en)
    assert step_text(services, "energy-data", "plan").en in reply
    assert step_text(services, "welcome", "keywords").cy not in reply
    (participant,) = participants_for(services, RESIDENT)
    assert participant.language == "en"


def test_a_repeated_message_sid_gets_the_same_reply_and_changes_nothing(
    client: FlaskClient, services: Container
) -> None:
    params = load_payload("inbound_sms")
    first = signed_post(client, PATH, params)
    before = row_counts(services)

    again = signed_post(client, PATH, params)

    assert again.status_code == 200
    assert again.data == first.data
    assert row_counts(services) == before
    sid = params["MessageSid"]
    assert count_rows(services, Message, Message.twilio_sid == sid) == 1
    assert count_rows(services, Message, Message.direction == "in") == 1
    assert count_rows(services, Receipt, Receipt.sid_hash == receipt_key(sid)) == 1
    assert count_rows(services, Receipt) == 1


def test_unknown_extra_fields_are_accepted(client: FlaskClient, services: Container) -> None:
    params = load_payload(
        "inbound_sms", MessageSid=new_sid(), NewTwilioField="surprise", AddOns='{"status":"ok"}'
    )

    response = signed_post(client, PATH, params)

    assert response.status_code == 200
    assert len(twiml_messages(response.data)) == 1
    assert count_rows(services, Participant) == 1


def test_an_mms_without_body_is_answered_and_its_media_noted_not_kept(
    client: FlaskClient, services: Container
) -> None:
    params = load_payload("inbound_mms")

    response = signed_post(client, PATH, params)

    assert response.status_code == 200
    assert len(twiml_messages(response.data)) == 1
    with services.db.session() as session:
        inbound = session.exec(
            select(Message).where(Message.twilio_sid == params["MessageSid"])
        ).one()
    assert services.vault.open(inbound.body_encrypted) == "[1 attachment(s) not kept]"
    stored = " ".join(str(value) for _, row in all_rows(services) for value in row.values())
    assert params["MediaUrl0"] not in stored


def test_a_picture_with_no_words_mid_flow_is_told_we_read_only_words(
    client: FlaskClient, services: Container
) -> None:
    """At "What worries you?" a photo alone is not an answer: the resident hears why, in their
    language, gets the question again, and nothing is filed."""
    for body in ["2", *["next"] * 7, "yes", "1", "Warm homes"]:
        send(client, body)
    params = {**inbound_params(RESIDENT, ""), "NumMedia": "1", "MediaUrl0": "https://x.test/1"}
    response = signed_post(client, PATH, params)
    [reply] = twiml_messages(response.data)
    assert reply.startswith("Sorry, we can only read words, not pictures or voice messages.")
    assert reply.endswith(step_text(services, "energy-data", "worries").en)
    with services.db.session() as session:
        kinds = sorted(session.exec(select(Answer.kind)))
    assert kinds == ["choice", "hope"]


def test_whatsapp_sender_becomes_a_whatsapp_participant(
    client: FlaskClient, services: Container
) -> None:
    params = load_payload("inbound_whatsapp")

    response = signed_post(client, PATH, params)

    assert response.status_code == 200
    assert len(twiml_messages(response.data)) == 1
    (participant,) = participants_for(services, "+447700900456", channel="whatsapp")
    assert participant.channel == "whatsapp"
    assert participants_for(services, "+447700900456", channel="sms") == []
    assert services.vault.open(participant.number_encrypted) == "+447700900456"
    with services.db.session() as session:
        channels = set(session.exec(select(Message.channel)))
    assert channels == {"whatsapp"}


def test_opted_out_resident_gets_an_empty_response(
    client: FlaskClient, services: Container
) -> None:
    send(client, "hi")
    send(client, "STOP")

    response = signed_post(client, PATH, inbound_params(RESIDENT, "are you there?"))

    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    assert twiml_messages(response.data) == []
    (participant,) = participants_for(services, RESIDENT)
    assert participant.opted_out is True


def test_the_number_is_never_stored_or_logged_in_clear(
    client: FlaskClient, services: Container, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    caplog.set_level(logging.DEBUG, logger="webhooks")
    question = "ASK will the bins be collected on bank holiday Monday?"  # not in the FAQ
    for body in ("hi", "2", "next", question, "DELETE", "NO"):
        send(client, body)

    rows = all_rows(services)
    assert {table for table, _ in rows} >= {"participants", "messages", "receipts", "questions"}
    for table, row in rows:
        for column, value in row.items():
            assert "7700900123" not in str(value), f"{table}.{column} holds the number"
            assert "bank holiday" not in str(value), f"{table}.{column} holds a body in clear"
    (participant,) = participants_for(services, RESIDENT)
    assert services.vault.open(participant.number_encrypted) == RESIDENT
    assert caplog.records, "nothing was logged, so nothing was checked"
    for record in caplog.records:
        assert "7700900123" not in record.getMessage()
        assert "bank holiday" not in record.getMessage()


# --- the signature ----------------------------------------------------------------------------


def _badly_signed(params: dict[str, str]) -> dict[str, tuple[dict[str, str], str | None]]:
    """Ways of getting the signature wrong: case -> (the form posted, the signature sent)."""
    internal_url = "http://localhost" + PATH
    return {
        "unsigned": (params, None),
        "empty signature": (params, ""),
        "another token": (params, sign(PATH, params, token="not-our-auth-token-0000")),
        "internal url": (
            params,
            RequestValidator(TEST_AUTH_TOKEN).compute_signature(internal_url, params),
        ),
        "other path": (params, sign("/twilio/status", params)),
        "tampered body": ({**params, "Body": "tampered"}, sign(PATH, params)),
        "extra field": ({**params, "Added": "later"}, sign(PATH, params)),
        "garbage": (params, "not-a-signature"),
    }


def test_badly_signed_requests_are_refused_and_nothing_is_written(
    client: FlaskClient, services: Container
) -> None:
    cases = _badly_signed(load_payload("inbound_sms"))
    outcomes = {}
    for case, (form, signature) in cases.items():
        headers = {} if signature is None else {"X-Twilio-Signature": signature}
        rows_before = sum(row_counts(services).values())
        response = client.post(PATH, data=form, headers=headers)
        outcomes[case] = (response.status_code, sum(row_counts(services).values()) - rows_before)

    assert outcomes == dict.fromkeys(cases, (403, 0))
    assert_nothing_stored(services)


def test_signature_covers_the_public_url_with_its_query_string(
    client: FlaskClient, services: Container
) -> None:
    params = load_payload("inbound_sms")
    path = PATH + "?partner=LIB1&x=1"

    signed_for_query = client.post(
        path, data=params, headers={"X-Twilio-Signature": sign(path, params)}
    )
    signed_without_query = client.post(
        path, data=params, headers={"X-Twilio-Signature": sign(PATH, params)}
    )

    assert signed_for_query.status_code == 200
    assert len(twiml_messages(signed_for_query.data)) == 1
    assert signed_without_query.status_code == 403
    assert count_rows(services, Receipt) == 1


def test_validation_can_be_turned_off_outside_production(database_url: str) -> None:
    services = make_container(database_url, TWILIO_VALIDATE="false")
    try:
        client = create_app(services=services).test_client()
        response = client.post(PATH, data=load_payload("inbound_sms"))
    finally:
        services.db.engine.dispose()

    assert response.status_code == 200
    assert len(twiml_messages(response.data)) == 1


def test_turning_validation_off_is_refused_in_production() -> None:
    url = "sqlite:///unused.db"
    production = {"ENV": "production", "JOBS": "inline"}
    assert load_settings(settings_for(url, **production), environ={}).production
    with pytest.raises(ConfigError, match="TWILIO_VALIDATE"):
        load_settings(settings_for(url, **production, TWILIO_VALIDATE="false"), environ={})


# --- malformed requests -----------------------------------------------------------------------


def _without(params: dict[str, str], field: str) -> dict[str, str]:
    return {key: value for key, value in params.items() if key != field}


MALFORMED: dict[str, tuple[dict[str, Any], str]] = {
    "missing MessageSid": ({"MessageSid": None}, "MessageSid"),
    "short MessageSid": ({"MessageSid": "SM123"}, "MessageSid"),
    "lowercase prefix": ({"MessageSid": "sm" + "a" * 32}, "MessageSid"),
    "MessageSid with newline": ({"MessageSid": "SM" + "a" * 32 + "\n"}, "MessageSid"),
    "missing From": ({"From": None}, "From"),
    "From not a number": ({"From": "not-a-number"}, "From"),
    "NumMedia x": ({"NumMedia": "x"}, "NumMedia"),
    "NumMedia negative": ({"NumMedia": "-1"}, "NumMedia"),
    "NumMedia superscript digit": ({"NumMedia": "²"}, "NumMedia"),
    "NumMedia 5000 digits": ({"NumMedia": "9" * 5000}, "NumMedia"),
}


def test_malformed_inbound_is_a_400_with_a_reason_and_writes_nothing(
    client: FlaskClient, services: Container
) -> None:
    outcomes = {}
    for case, (changes, _) in MALFORMED.items():
        params = load_payload("inbound_sms")
        for key, value in changes.items():
            params = _without(params, key) if value is None else {**params, key: value}
        rows_before = sum(row_counts(services).values())
        response = signed_post(client, PATH, params)
        reason = response.get_data(as_text=True) if response.mimetype == "text/plain" else ""
        outcomes[case] = (
            response.status_code,
            response.mimetype,
            [field for field in ("MessageSid", "From", "NumMedia") if field in reason],
            sum(row_counts(services).values()) - rows_before,
        )

    assert outcomes == {
        case: (400, "text/plain", [field], 0) for case, (_, field) in MALFORMED.items()
    }


# --- one resident at a time ---------------------------------------------------------------------


def _post_concurrently(app: Flask, forms: list[dict[str, str]]) -> list[Any]:
    """POST every form at once, each from its own thread and test client."""
    barrier = threading.Barrier(len(forms))
    responses: list[Any] = [None] * len(forms)
    errors: list[BaseException] = []

    def post(index: int) -> None:
        client = app.test_client()
        try:
            barrier.wait(timeout=10)
            responses[index] = signed_post(client, PATH, forms[index])
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(forms))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return responses


def _state_without_clock(services: Container, participant: Participant) -> dict[str, Any]:
    state = read_state(services.vault, participant)
    return {key: value for key, value in state.items() if key != "last_inbound_at"}


def _messages_of(services: Container, participant_id: int | None) -> list[Message]:
    with services.db.session() as session:
        statement = select(Message).where(Message.participant_id == participant_id)
        return list(session.exec(statement))


def test_concurrent_first_texts_make_one_participant_and_lose_nothing(
    app: Flask, client: FlaskClient, services: Container
) -> None:
    # Ten identical texts with identical replies would be a loop: this test is about the lock.
    services.inbound.repeats = RepeatRule(limit=20)
    forms = [inbound_params(RESIDENT, "hi") for _ in range(10)]

    responses = _post_concurrently(app, forms)

    assert [response.status_code for response in responses] == [200] * 10
    replies = [twiml_messages(response.data) for response in responses]
    assert all(len(reply) == 1 for reply in replies)
    (participant,) = participants_for(services, RESIDENT)
    messages = _messages_of(services, participant.id)
    inbound = [message for message in messages if message.direction == "in"]
    assert sorted(message.twilio_sid for message in inbound) == sorted(
        form["MessageSid"] for form in forms
    )
    assert len([message for message in messages if message.direction == "out"]) == 10
    assert count_rows(services, Receipt) == 10

    other = "+447700900124"
    sequential = [send(client, "hi", sender=other) for _ in range(10)]
    assert sorted(reply[0] for reply in replies) == sorted(sequential)
    (twin,) = participants_for(services, other)
    assert _state_without_clock(services, participant) == _state_without_clock(services, twin)


def test_concurrent_nexts_each_advance_the_flow_once(
    app: Flask, client: FlaskClient, services: Container
) -> None:
    send(client, "hi")
    send(client, "2")
    forms = [inbound_params(RESIDENT, "next") for _ in range(5)]

    responses = _post_concurrently(app, forms)

    assert [response.status_code for response in responses] == [200] * 5
    (participant,) = participants_for(services, RESIDENT)
    assert participant.state["flow_id"] == "energy-data"
    assert participant.state["step_id"] == "rights"
    assert len(_messages_of(services, participant.id)) == 2 * (2 + 5)

    other = "+447700900124"
    send(client, "hi", sender=other)
    send(client, "2", sender=other)
    sequential = [send(client, "next", sender=other) for _ in range(5)]
    concurrent = [twiml_messages(response.data)[0] for response in responses]
    assert sorted(concurrent) == sorted(sequential)
    (twin,) = participants_for(services, other)
    assert _state_without_clock(services, participant) == _state_without_clock(services, twin)
