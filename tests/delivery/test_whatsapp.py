"""WhatsApp's 24-hour window: outside it, an approved template asks the resident to reply, and
the answer waits (held) until they do."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from bot.channels.fake_twilio import FakeTwilio
from tests.delivery.support import WHATSAPP_FROM, Harness, MovableClock

pytestmark = pytest.mark.redis

RESIDENT = "whatsapp:+447700900123"
TEMPLATE_EN = "HX" + "e" * 32
TEMPLATE_CY = "HX" + "c" * 32
ANSWER = "We will decide in March 2027."
BODY = (
    "The council's answer to your question 'when will you decide?':\n"
    + ANSWER
    + "\nText ASK with another question."
)


def test_outside_the_window_a_template_goes_and_the_answer_waits_for_a_reply(
    sqlite_url: str, make_harness: Callable[..., Harness], clock: MovableClock, fake: FakeTwilio
) -> None:
    harness = make_harness(
        sqlite_url, clock=clock, WHATSAPP_TEMPLATE_EN=TEMPLATE_EN, WHATSAPP_TEMPLATE_CY=TEMPLATE_CY
    )
    question_id = harness.ask(RESIDENT, "when will you decide?")
    clock.advance(hours=24, minutes=1)

    ticket = harness.services.questions.answer(question_id, ANSWER)
    harness.run_worker()

    [template] = fake.messages
    assert (template.to, template.from_) == (RESIDENT, WHATSAPP_FROM)
    assert template.content_sid == TEMPLATE_EN
    assert template.body is None
    assert json.loads(template.content_variables or "null") == {}
    assert harness.outbox_row(ticket.id).status == "held"

    # Held means held: time passing and sweeps do not send it free-form outside the window.
    clock.advance(hours=2)
    harness.sweep()
    harness.run_worker()
    assert len(fake.messages) == 1

    harness.text(RESIDENT, "Hello?")
    harness.run_worker()

    assert len(fake.messages) == 2
    answer = fake.messages[1]
    assert (answer.to, answer.from_, answer.body) == (RESIDENT, WHATSAPP_FROM, BODY)
    assert answer.content_sid is None
    row = harness.outbox_row(ticket.id)
    assert row.status == "sent"
    assert harness.message(row.message_id).twilio_sid == answer.sid


def test_inside_the_window_the_answer_goes_free_form(
    sqlite_url: str, make_harness: Callable[..., Harness], clock: MovableClock, fake: FakeTwilio
) -> None:
    harness = make_harness(sqlite_url, clock=clock, WHATSAPP_TEMPLATE_EN=TEMPLATE_EN)
    question_id = harness.ask(RESIDENT, "when will you decide?")
    clock.advance(hours=23, minutes=59)

    harness.services.questions.answer(question_id, ANSWER)
    harness.run_worker()

    [answer] = fake.messages
    assert (answer.to, answer.body, answer.content_sid) == (RESIDENT, BODY, None)


def test_twilio_saying_the_window_closed_turns_the_send_into_the_template(
    sqlite_url: str, make_harness: Callable[..., Harness], clock: MovableClock, fake: FakeTwilio
) -> None:
    harness = make_harness(sqlite_url, clock=clock, WHATSAPP_TEMPLATE_EN=TEMPLATE_EN)
    question_id = harness.ask(RESIDENT, "when will you decide?")
    ticket = harness.services.questions.answer(question_id, ANSWER)
    fake.fail_next_outside_window(1)  # Twilio's view of the window wins over ours

    harness.run_worker()

    [template] = fake.messages
    assert (template.to, template.content_sid, template.body) == (RESIDENT, TEMPLATE_EN, None)
    assert harness.outbox_row(ticket.id).status == "held"

    harness.text(RESIDENT, "Yes?")
    harness.run_worker()

    assert [m.body for m in fake.messages] == [None, BODY]
    assert harness.outbox_row(ticket.id).status == "sent"


def test_without_a_template_for_their_language_the_answer_still_waits_for_a_reply(
    sqlite_url: str, make_harness: Callable[..., Harness], clock: MovableClock, fake: FakeTwilio
) -> None:
    harness = make_harness(sqlite_url, clock=clock, WHATSAPP_TEMPLATE_EN=TEMPLATE_EN)
    question_id = harness.ask(RESIDENT, "Faint o bobl sydd wedi ateb?", language="cy")
    clock.advance(hours=30)

    ticket = harness.services.questions.answer(question_id, "Tua 400.")
    harness.run_worker()

    assert fake.messages == []  # no Welsh template is set, and the English one is not theirs
    assert harness.outbox_row(ticket.id).status == "held"

    harness.text(RESIDENT, "Helo")
    harness.run_worker()

    [answer] = fake.messages
    assert answer.body == (
        "Ateb gan y cyngor i'ch cwestiwn 'Faint o bobl sydd wedi ateb?':\nTua 400.\n"
        "Anfonwch GOFYN gyda chwestiwn arall."
    )
