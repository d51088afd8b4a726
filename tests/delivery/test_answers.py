"""An officer's answer to a resident's question: outbox -> RQ -> Twilio (the fake) -> status."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.channels.fake_twilio import FakeTwilio
from bot.core.questions import AnswerError
from tests.delivery.support import SMS_FROM, AppServer, Harness, MovableClock

pytestmark = pytest.mark.redis

RESIDENT = "+447700900123"
ANSWER = "We will decide in March 2027, after reading every reply."
#: What the resident gets: their question quoted, the officer's words, how to ask more.
BODY = (
    "The council's answer to your question 'when will you decide?':\n"
    + ANSWER
    + "\nText ASK with another question."
)


def test_the_answer_goes_to_the_resident_and_its_delivery_is_recorded(
    sqlite_url: str,
    make_harness: Callable[..., Harness],
    app_server: AppServer,
    clock: MovableClock,
    fake: FakeTwilio,
) -> None:
    harness = app_server.serve(make_harness, sqlite_url, clock)
    question_id = harness.ask(RESIDENT, "when will you decide?")
    assert fake.messages == []  # replies to texts go back as TwiML, never through the API

    ticket = harness.services.questions.answer(question_id, ANSWER)
    harness.run_worker()

    [sent] = fake.messages
    assert sent.to == RESIDENT
    assert sent.from_ == SMS_FROM
    assert sent.body == BODY
    assert sent.content_sid is None
    assert sent.status_callback == app_server.url + "/twilio/status"
    row = harness.outbox_row(ticket.id)
    assert (row.status, row.attempts, row.error_code) == ("sent", 1, None)
    message = harness.message(row.message_id)
    assert (message.twilio_sid, message.direction, message.status) == (sent.sid, "out", "queued")
    assert harness.question(question_id).status == "answered"

    # Twilio's signed callbacks, over HTTP to the app; a late "sent" never moves it back.
    assert fake.deliver(sent.sid, "sent") == 204
    assert fake.deliver(sent.sid, "delivered") == 204
    assert fake.deliver(sent.sid, "sent") == 204
    assert harness.message(row.message_id).status == "delivered"


def test_a_welsh_speaker_gets_the_answer_introduced_in_welsh(
    sqlite_url: str, make_harness: Callable[..., Harness], fake: FakeTwilio
) -> None:
    harness = make_harness(sqlite_url)
    question_id = harness.ask(RESIDENT, "Faint o bobl sydd wedi ateb hyd yn hyn?", language="cy")

    harness.services.questions.answer(question_id, "Tua 400 o bobl.")
    harness.run_worker()

    [sent] = fake.messages
    assert sent.to == RESIDENT
    assert sent.body == (
        "Ateb gan y cyngor i'ch cwestiwn 'Faint o bobl sydd wedi ateb hyd yn hyn?':\n"
        "Tua 400 o bobl.\nAnfonwch GOFYN gyda chwestiwn arall."
    )


def test_a_question_is_answered_once(
    sqlite_url: str, make_harness: Callable[..., Harness], fake: FakeTwilio
) -> None:
    harness = make_harness(sqlite_url)
    question_id = harness.ask(RESIDENT, "when will you decide?")
    harness.services.questions.answer(question_id, ANSWER)

    with pytest.raises(AnswerError, match="already been answered"):
        harness.services.questions.answer(question_id, "A second, different answer.")
    harness.run_worker()

    assert [m.body for m in fake.messages] == [BODY]
    assert len(harness.outbox()) == 1


def test_no_answer_goes_to_a_resident_who_opted_out(
    sqlite_url: str, make_harness: Callable[..., Harness], fake: FakeTwilio
) -> None:
    harness = make_harness(sqlite_url)
    question_id = harness.ask(RESIDENT, "when will you decide?")
    harness.text(RESIDENT, "STOP")

    with pytest.raises(AnswerError, match="opted out"):
        harness.services.questions.answer(question_id, ANSWER)
    harness.run_worker()

    assert fake.messages == []
    assert harness.outbox() == []
    assert harness.question(question_id).status == "open"


def test_an_answer_queued_before_the_resident_opted_out_is_not_sent(
    sqlite_url: str, make_harness: Callable[..., Harness], fake: FakeTwilio
) -> None:
    harness = make_harness(sqlite_url)
    question_id = harness.ask(RESIDENT, "when will you decide?")
    ticket = harness.services.questions.answer(question_id, ANSWER)
    harness.text(RESIDENT, "STOPIO")  # Welsh STOP: Twilio does not know it, so Sgwrs must

    harness.run_worker()

    assert fake.messages == []
    assert harness.outbox_row(ticket.id).status == "cancelled"
