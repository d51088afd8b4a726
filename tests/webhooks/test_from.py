"""POST /twilio/messages takes `From` only as Twilio writes it: E.164, or whatsapp: and E.164.

Anything else (another channel's address, a short code, a local number, spaces) is refused with
a 400 that says what From must be, stores nothing, and never puts the number in a log line.
"""

from __future__ import annotations

import logging
import re

import pytest
from flask.testing import FlaskClient

from bot.channels.addresses import AddressError, parse_twilio_address
from bot.runtime.container import Container
from tests.helpers import inbound_params, signed_post
from tests.webhooks.support import row_counts, twiml_messages

PATH = "/twilio/messages"

REFUSED = {
    "another channel": "messenger:+447700900123",
    "sms prefix": "sms:+447700900123",
    "a short code": "12345",
    "no plus": "447700900123",
    "a local number": "07700900123",
    "whatsapp with a local number": "whatsapp:07700900123",
    "capital WhatsApp": "WhatsApp:+447700900123",
    "empty": "",
    "spaces only": "   ",
    "spaces inside": "+44 7700 900123",
    "a space before": " +447700900123",
    "a newline after": "+447700900123\n",
    "40 digits": "+" + "4" * 40,
    "16 digits": "+4477009001234567",
    "7 digits": "+4477009",
    "a leading zero": "+047700900123",
    "unicode digits": "+４４７７００９００１２３",
    "whatsapp: alone": "whatsapp:",
    "twice whatsapp": "whatsapp:whatsapp:+447700900123",
}


@pytest.mark.parametrize("raw", ["+447700900123", "+14155550123", "+35312345678"])
def test_e164_numbers_are_read_as_sms(raw: str) -> None:
    address = parse_twilio_address(raw)
    assert (address.channel, address.number, address.twilio) == ("sms", raw, raw)


def test_whatsapp_numbers_are_read_as_whatsapp() -> None:
    address = parse_twilio_address("whatsapp:+447700900123")
    assert (address.channel, address.number) == ("whatsapp", "+447700900123")
    assert address.twilio == "whatsapp:+447700900123"


@pytest.mark.parametrize("raw", list(REFUSED.values()), ids=list(REFUSED))
def test_anything_else_is_refused(raw: str) -> None:
    with pytest.raises(AddressError):
        parse_twilio_address(raw)


def test_a_refused_from_is_a_400_that_stores_nothing_and_logs_no_number(
    client: FlaskClient, services: Container, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    answers = {}
    for case, raw in REFUSED.items():
        response = signed_post(client, PATH, inbound_params(raw, "hello"))
        answers[case] = (response.status_code, response.mimetype)
        assert "From must be" in response.get_data(as_text=True), case
    assert answers == dict.fromkeys(REFUSED, (400, "text/plain"))
    counts = row_counts(services)
    assert counts == dict.fromkeys(counts, 0)
    digits = {re.sub(r"\D", "", raw) for raw in REFUSED.values()} - {""}
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert not [run for run in digits if run in logged]


@pytest.mark.parametrize("sender", ["+447700900123", "whatsapp:+447700900456"])
def test_a_number_as_twilio_writes_it_is_answered(client: FlaskClient, sender: str) -> None:
    response = signed_post(client, PATH, inbound_params(sender, "hello"))
    assert response.status_code == 200
    assert len(twiml_messages(response.data)) == 1
