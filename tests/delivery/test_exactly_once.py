"""Exactly once to Twilio: a send whose outcome a crash lost is settled by asking Twilio.

The process "dies" at the worst moment by raising out of the delivery (a BaseException, which
nothing in between catches): after the fake Twilio accepted the text and before its SID was
saved, or before the text reached Twilio at all. After LOST_SEND_AFTER_SECONDS the sweep asks
the fake (its Messages list, over HTTP) and either records what Twilio has or sends again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.channels.fake_twilio import FakeTwilio
from bot.core.delivery import Delivery
from bot.store.outbox import add_outbox_message
from tests.delivery.support import Harness, MovableClock

pytestmark = pytest.mark.redis

RESIDENT = "+447700900123"
LOST_AFTER_S = 120


class ProcessDied(BaseException):
    """Stands for SIGKILL: nothing after the point it is raised at runs."""


@pytest.fixture
def harness(pg_url: str, make_harness: Callable[..., Harness], clock: MovableClock) -> Harness:
    return make_harness(pg_url, clock=clock, LOST_SEND_AFTER_SECONDS=LOST_AFTER_S)


def answer_waiting(harness: Harness, answer: str = "In March 2027.") -> int:
    """A resident's question answered by an officer: the outbox id of the answer's text."""
    question_id = harness.ask(RESIDENT, "when will you decide?")
    return harness.services.questions.answer(question_id, answer).id


def die_after_twilio_accepts(monkeypatch: pytest.MonkeyPatch) -> None:
    def died(self: Delivery, *args: Any) -> None:
        raise ProcessDied

    monkeypatch.setattr(Delivery, "_record_sent", died)


def die_before_twilio_hears(monkeypatch: pytest.MonkeyPatch, harness: Harness) -> None:
    def died(*args: Any) -> None:
        raise ProcessDied

    monkeypatch.setattr(harness.services.delivery.sender, "send", died)


def crash_delivering(harness: Harness, outbox_id: int) -> None:
    with pytest.raises(ProcessDied):
        harness.services.delivery.deliver(outbox_id)


def test_a_send_twilio_accepted_before_the_crash_is_found_there_not_sent_again(
    harness: Harness, fake: FakeTwilio, clock: MovableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    outbox_id = answer_waiting(harness)
    with monkeypatch.context() as crash:
        die_after_twilio_accepts(crash)
        crash_delivering(harness, outbox_id)
    [accepted] = fake.messages
    assert harness.outbox_row(outbox_id).status == "sending"

    harness.sweep()  # within the window the send may still be under way: left alone
    assert harness.outbox_row(outbox_id).status == "sending"
    clock.advance(seconds=LOST_AFTER_S + 1)
    report = harness.sweep()
    harness.run_worker()

    assert fake.messages == [accepted], "the resident got the text twice"
    row = harness.outbox_row(outbox_id)
    assert (row.status, report["recovered"]) == ("sent", 1)
    assert harness.message(row.message_id).twilio_sid == accepted.sid


def test_a_send_twilio_never_got_is_sent_once_after_the_window(
    harness: Harness, fake: FakeTwilio, clock: MovableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    outbox_id = answer_waiting(harness)
    with monkeypatch.context() as crash:
        die_before_twilio_hears(crash, harness)
        crash_delivering(harness, outbox_id)
    assert fake.messages == []

    clock.advance(seconds=LOST_AFTER_S + 1)
    harness.sweep()
    harness.run_worker()
    harness.sweep()  # a later sweep finds nothing more to do
    harness.run_worker()

    [sent] = fake.sent_to(RESIDENT)
    row = harness.outbox_row(outbox_id)
    assert row.status == "sent"
    assert harness.message(row.message_id).twilio_sid == sent.sid


def test_while_twilio_cannot_be_asked_the_send_stays_unknown_and_is_never_sent_blind(
    harness: Harness, fake: FakeTwilio, clock: MovableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    outbox_id = answer_waiting(harness)
    with monkeypatch.context() as crash:
        die_after_twilio_accepts(crash)
        crash_delivering(harness, outbox_id)
    clock.advance(seconds=LOST_AFTER_S + 1)

    for _ in range(3):
        fake.fail_next_listing(1)
        harness.sweep()
        harness.run_worker()
        assert harness.outbox_row(outbox_id).status == "sending"
    harness.sweep()  # Twilio answers again
    harness.run_worker()

    [accepted] = fake.messages
    row = harness.outbox_row(outbox_id)
    assert row.status == "sent"
    assert harness.message(row.message_id).twilio_sid == accepted.sid


def test_the_same_words_sent_earlier_are_not_taken_for_the_lost_send(
    harness: Harness, fake: FakeTwilio, clock: MovableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two texts with the same words to one resident: the first went and was recorded; the
    second was lost before Twilio heard of it. The first's copy at Twilio is not the second."""
    first = answer_waiting(harness)
    participant_id = harness.participant(RESIDENT).id
    body = harness.services.vault.open(harness.outbox_row(first).body_encrypted)
    with harness.services.db.session() as session:
        again = add_outbox_message(
            session,
            harness.services.vault,
            participant_id=participant_id or 0,
            body=body,
            purpose="answer",
            priority="urgent",
            now=clock(),
        )
        assert again is not None
        second = again.id or 0
    assert harness.services.delivery.deliver(first) == "sent"
    with monkeypatch.context() as crash:
        die_before_twilio_hears(crash, harness)
        crash_delivering(harness, second)

    clock.advance(seconds=LOST_AFTER_S + 1)
    harness.sweep()
    harness.run_worker()

    assert len(fake.sent_to(RESIDENT)) == 2
    sids = {harness.message(harness.outbox_row(i).message_id).twilio_sid for i in (first, second)}
    assert sids == {m.sid for m in fake.messages}


def test_a_stalled_sender_whose_send_was_settled_meanwhile_does_not_send_it(
    harness: Harness, fake: FakeTwilio, clock: MovableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that stalls (waiting for its rate limit, paused) between taking the row and
    calling Twilio, for longer than the window: the sweep has settled the row as unsent and
    another worker will send it, so this one must not."""
    outbox_id = answer_waiting(harness)
    acquire = harness.services.delivery.limiter.acquire

    def stall(*args: Any, **kwargs: Any) -> float:
        clock.advance(seconds=LOST_AFTER_S + 1)
        harness.sweep()  # Twilio has nothing yet: pending again, queued for another worker
        return acquire(*args, **kwargs)

    with monkeypatch.context() as stalled:
        stalled.setattr(harness.services.delivery.limiter, "acquire", stall)
        outcome = harness.services.delivery.deliver(outbox_id)
    assert (outcome, fake.messages) == ("settled_elsewhere", [])

    harness.run_worker()

    assert len(fake.sent_to(RESIDENT)) == 1
    assert harness.outbox_row(outbox_id).status == "sent"
