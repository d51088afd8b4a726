"""Opting out is per phone number and absolute: once any opt-out signal arrives, nothing more
is sent to that number, on any channel, for anyone who shared the phone, until it is lifted.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from bot.channels.addresses import parse_address
from bot.channels.fake_twilio import FakeTwilio
from bot.core.inbound import InboundMessage
from bot.core.questions import AnswerError
from bot.engine import texts as say
from tests.delivery.support import Harness, MovableClock, Resident, insert_residents
from tests.helpers import inbound_params, new_sid, signed_post
from wsgi import create_app

pytestmark = pytest.mark.redis

RESIDENT = "+447700900123"
ANSWER = "We will decide in March 2027."


def stopped(harness: Harness, number: str = RESIDENT) -> None:
    """Nothing reached the fake Twilio for this number."""
    assert harness.fake.sent_to(number) == []


def answer_is_refused(harness: Harness, question_id: int) -> None:
    """The officer is told at once that the number opted out, and nothing is queued."""
    with pytest.raises(AnswerError, match="opted out"):
        harness.services.questions.answer(question_id, ANSWER)


@pytest.mark.parametrize(
    "word", ["STOP", "stopall", "Unsubscribe", "CANCEL", "end", "Quit.", "STOPIO"]
)
def test_every_opt_out_word_stops_an_answer_already_on_its_way(
    word: str, sqlite_url: str, make_harness: Callable[..., Harness], clock: MovableClock
) -> None:
    harness = make_harness(sqlite_url, clock=clock)
    question_id = harness.ask(RESIDENT, "when will you decide?")

    reply = harness.text(RESIDENT, word)
    answer_is_refused(harness, question_id)
    harness.run_worker()

    assert reply in {say.OPTED_OUT.en, say.OPTED_OUT.cy}
    stopped(harness)


def test_an_answer_queued_before_stop_is_never_sent(
    database_url: str, make_harness: Callable[..., Harness], clock: MovableClock
) -> None:
    harness = make_harness(database_url, clock=clock)
    question_id = harness.ask(RESIDENT, "when will you decide?")
    harness.services.questions.answer(question_id, ANSWER)

    harness.text(RESIDENT, "STOP")
    harness.run_worker()

    stopped(harness)


def test_opt_out_type_from_twilio_counts_whatever_the_words(
    database_url: str, make_harness: Callable[..., Harness], clock: MovableClock
) -> None:
    harness = make_harness(database_url, clock=clock)
    client = create_app(services=harness.services).test_client()
    question_id = harness.ask(RESIDENT, "when will you decide?")
    params = inbound_params(RESIDENT, "arret") | {"OptOutType": "STOP"}

    response = signed_post(client, "/twilio/messages", params)
    answer_is_refused(harness, question_id)

    assert response.status_code == 200
    assert harness.participant(RESIDENT).opted_out


def test_error_21610_on_a_status_callback_opts_the_number_out_of_the_next_broadcast(
    database_url: str,
    make_harness: Callable[..., Harness],
    clock: MovableClock,
    fake: FakeTwilio,
) -> None:
    harness = make_harness(database_url, clock=clock)
    client = create_app(services=harness.services).test_client()
    insert_residents(harness.services, [Resident(RESIDENT), Resident("+447700900124")])
    first = harness.services.broadcasts.create("energy-data", "Diolch", "Thank you", "officer")
    harness.services.broadcasts.start(first)
    harness.run_worker()
    sid = fake.sent_to(RESIDENT)[0].sid
    callback = {"MessageSid": sid, "MessageStatus": "undelivered", "ErrorCode": "21610"}
    callback |= {"AccountSid": "AC" + "0" * 32, "To": RESIDENT, "From": "+447700900999"}
    assert signed_post(client, "/twilio/status", callback).status_code == 204
    fake.clear()

    second = harness.services.broadcasts.create("energy-data", "Eto", "Again", "officer")
    harness.services.broadcasts.start(second)
    harness.run_worker()

    stopped(harness)
    assert len(fake.sent_to("+447700900124")) == 1


def test_error_21610_on_a_send_stops_every_later_text_to_the_number(
    database_url: str,
    make_harness: Callable[..., Harness],
    clock: MovableClock,
    fake: FakeTwilio,
) -> None:
    harness = make_harness(database_url, clock=clock)
    first = harness.ask(RESIDENT, "when will you decide?")
    second = harness.ask_again(RESIDENT, "who can see my answers?")
    fake.fail_next_opted_out()
    harness.services.questions.answer(first, ANSWER)
    harness.run_worker()

    answer_is_refused(harness, second)

    assert [m.sid for m in fake.messages if m.status != "failed"] == []
    assert harness.text("whatsapp:" + RESIDENT, "Hello") is None  # the number, any channel


def test_stop_by_the_next_person_on_a_shared_phone_stops_the_previous_persons_answer(
    database_url: str, make_harness: Callable[..., Harness], clock: MovableClock
) -> None:
    harness = make_harness(database_url, clock=clock)
    question_id = harness.ask(RESIDENT, "when will you decide?")
    harness.text(RESIDENT, "NEW")
    harness.text(RESIDENT, "STOPIO")

    answer_is_refused(harness, question_id)


def test_stop_on_sms_silences_whatsapp_from_the_same_number(
    database_url: str, make_harness: Callable[..., Harness], clock: MovableClock
) -> None:
    harness = make_harness(database_url, clock=clock)
    question_id = harness.ask("whatsapp:" + RESIDENT, "when will you decide?")
    harness.text(RESIDENT, "STOP")

    answer_is_refused(harness, question_id)
    reply = harness.text("whatsapp:" + RESIDENT, "hello again")

    assert reply is None


@pytest.mark.parametrize("word", ["START", "DECHRAU", "unstop", "Yes"])
def test_start_lifts_the_opt_out_for_the_number(
    word: str, sqlite_url: str, make_harness: Callable[..., Harness], clock: MovableClock
) -> None:
    harness = make_harness(sqlite_url, clock=clock)
    question_id = harness.ask(RESIDENT, "when will you decide?")
    harness.text(RESIDENT, "STOP")

    reply = harness.text(RESIDENT, word)
    harness.services.questions.answer(question_id, ANSWER)
    harness.run_worker()

    assert reply is not None
    assert not harness.participant(RESIDENT).opted_out
    assert len(harness.fake.sent_to(RESIDENT)) == 1


def test_opt_out_type_start_lifts_it(
    sqlite_url: str, make_harness: Callable[..., Harness], clock: MovableClock
) -> None:
    harness = make_harness(sqlite_url, clock=clock)
    client: FlaskClient = create_app(services=harness.services).test_client()
    harness.texts(RESIDENT, "Hi", "2", "STOP")

    params = inbound_params(RESIDENT, "Start please") | {"OptOutType": "START"}
    response = signed_post(client, "/twilio/messages", params)

    assert response.status_code == 200
    assert not harness.participant(RESIDENT).opted_out


def test_a_first_text_from_a_number_that_opted_out_on_another_channel_gets_no_reply(
    sqlite_url: str, make_harness: Callable[..., Harness], clock: MovableClock
) -> None:
    harness = make_harness(sqlite_url, clock=clock)
    harness.texts(RESIDENT, "Hi", "STOP")

    message = InboundMessage(new_sid(), parse_address("whatsapp:" + RESIDENT), "Helo")
    result = harness.services.inbound.receive(message)

    assert result.reply is None
