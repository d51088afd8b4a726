"""Twilio refusing a send: passing trouble waits out the backoff, lasting trouble stops for good."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from bot.channels.fake_twilio import FakeTwilio
from bot.store.outbox import OutboxTicket
from tests.delivery.support import Harness, MovableClock

pytestmark = pytest.mark.redis

RESIDENT = "+447700900123"
NEIGHBOUR = "+447700900456"
ANSWER = "We will decide in March 2027."


def answered(
    harness: Harness, number: str = RESIDENT, question: str = "when will you decide?"
) -> OutboxTicket:
    """A resident's question, answered by an officer: one urgent row in the outbox."""
    question_id = harness.ask(number, question)
    return harness.services.questions.answer(question_id, ANSWER)


def test_a_rate_limited_send_goes_once_after_the_first_backoff(
    sqlite_url: str, make_harness: Callable[..., Harness], clock: MovableClock, fake: FakeTwilio
) -> None:
    harness = make_harness(sqlite_url, clock=clock, RETRY_BACKOFF_MINUTES="5,10,15")
    ticket = answered(harness)
    fake.fail_next_rate_limited(1)
    sent_at = clock()

    harness.run_worker()
    row = harness.outbox_row(ticket.id)
    assert (row.status, row.attempts, row.error_code) == ("pending", 1, 20429)
    assert row.not_before == sent_at + timedelta(minutes=5)
    assert fake.messages == []

    clock.advance(minutes=5, seconds=-1)
    harness.sweep()
    harness.run_worker()
    assert fake.messages == []

    clock.advance(seconds=2)
    harness.sweep()
    harness.run_worker()
    [sent] = fake.messages
    assert sent.to == RESIDENT
    row = harness.outbox_row(ticket.id)
    assert (row.status, row.attempts) == ("sent", 2)
    assert harness.message(row.message_id).twilio_sid == sent.sid

    clock.advance(hours=1)
    harness.sweep()
    harness.run_worker()
    assert len(fake.messages) == 1


#: Backoffs whose tries all fall inside the loop guard's 10-minute window (LOOP_GUARD_WINDOW_SECONDS
#: = 600), as every try in these tests does by the wall clock the loop guard reads (Redis TIME):
#: what is tested is then exactly what a deployment with these settings would do.
SHORT_BACKOFF = (1, 2, 4)


def test_server_errors_are_retried_through_every_backoff(
    sqlite_url: str, make_harness: Callable[..., Harness], clock: MovableClock, fake: FakeTwilio
) -> None:
    harness = make_harness(
        sqlite_url, clock=clock, RETRY_BACKOFF_MINUTES=",".join(map(str, SHORT_BACKOFF))
    )
    ticket = answered(harness)
    fake.fail_next_server_error(3)

    for attempt, minutes in enumerate(SHORT_BACKOFF, start=1):
        harness.run_worker()
        row = harness.outbox_row(ticket.id)
        assert (row.status, row.attempts) == ("pending", attempt)
        assert row.not_before == clock() + timedelta(minutes=minutes)
        assert fake.messages == []
        clock.advance(minutes=minutes)
        harness.sweep()

    harness.run_worker()
    assert [m.to for m in fake.messages] == [RESIDENT]
    row = harness.outbox_row(ticket.id)
    assert (row.status, row.attempts) == ("sent", 4)


def test_a_send_still_rate_limited_after_every_backoff_fails(
    sqlite_url: str, make_harness: Callable[..., Harness], clock: MovableClock, fake: FakeTwilio
) -> None:
    harness = make_harness(
        sqlite_url, clock=clock, RETRY_BACKOFF_MINUTES=",".join(map(str, SHORT_BACKOFF))
    )
    ticket = answered(harness)
    fake.fail_next_rate_limited(4)  # the first try and one per backoff

    for minutes in SHORT_BACKOFF:
        harness.run_worker()
        clock.advance(minutes=minutes)
        harness.sweep()
    harness.run_worker()

    row = harness.outbox_row(ticket.id)
    assert (row.status, row.attempts, row.error_code) == ("failed", 4, 20429)
    clock.advance(days=1)
    harness.sweep()
    harness.run_worker()
    # A day later the resident's reminder may go; the failed answer never does.
    assert not [m for m in fake.messages if ANSWER in (m.body or "")]
    assert harness.outbox_row(ticket.id).status == "failed"


def test_21610_opts_the_resident_out_and_cancels_everything_else_for_them(
    sqlite_url: str, make_harness: Callable[..., Harness], fake: FakeTwilio
) -> None:
    harness = make_harness(sqlite_url)
    first = answered(harness, RESIDENT, "when will you decide?")
    others = [
        harness.services.questions.answer(question_id, ANSWER)
        for question_id in (
            harness.ask_again(RESIDENT, "who pays for the new team?"),
            harness.ask_again(RESIDENT, "can my landlord see the list?"),
        )
    ]
    neighbour = answered(harness, NEIGHBOUR, "when will you decide?")
    # One refusal only: a second send to the resident would be accepted, and seen here.
    fake.fail_next_opted_out(1)

    harness.run_worker()

    assert harness.participant(RESIDENT).opted_out is True
    row = harness.outbox_row(first.id)
    assert (row.status, row.error_code) == ("failed", 21610)
    for ticket in others:
        row = harness.outbox_row(ticket.id)
        assert (row.status, row.error_code) == ("cancelled", 21610)
    assert [m.to for m in fake.messages] == [NEIGHBOUR]
    assert harness.outbox_row(neighbour.id).status == "sent"
    assert harness.participant(NEIGHBOUR).opted_out is False


def test_an_invalid_number_fails_without_opting_the_resident_out(
    sqlite_url: str, make_harness: Callable[..., Harness], fake: FakeTwilio
) -> None:
    harness = make_harness(sqlite_url)
    ticket = answered(harness)
    fake.fail_next(1, status=400, code=21211, message="The 'To' number is not a valid number.")

    harness.run_worker()

    row = harness.outbox_row(ticket.id)
    assert (row.status, row.attempts, row.error_code) == ("failed", 1, 21211)
    assert harness.participant(RESIDENT).opted_out is False
    assert fake.messages == []
