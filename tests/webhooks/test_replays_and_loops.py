"""Replays of any age are no-ops, and the loop guard covers the instant TwiML reply too."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient

from bot.runtime.clock import utc_now
from bot.runtime.container import Container
from bot.store.models import Answer, Message, Participant
from bot.store.receipts import clear_old_receipts
from tests.helpers import inbound_params, signed_post
from tests.webhooks.support import count_rows, participants_for, row_counts, twiml_messages

PATH = "/twilio/messages"
RESIDENT = "+447700900123"
AWAY = "I am out of the office until Monday. For urgent matters call reception."


def replies_to(client: FlaskClient, body: str, sid: str | None = None) -> list[str]:
    response = signed_post(client, PATH, inbound_params(RESIDENT, body, sid))
    assert response.status_code == 200, response.data
    return twiml_messages(response.data)


def test_a_replay_after_the_receipt_was_emptied_is_a_no_op(
    client: FlaskClient, services: Container
) -> None:
    params = inbound_params(RESIDENT, "hi")
    first = signed_post(client, PATH, params)
    assert len(twiml_messages(first.data)) == 1
    with services.db.session() as session:  # the weekly tidy, however long after
        assert clear_old_receipts(session, utc_now() + timedelta(days=400)) == 1
    before = row_counts(services)

    replay = signed_post(client, PATH, params)

    assert replay.status_code == 200
    assert twiml_messages(replay.data) == []
    assert row_counts(services) == before


def test_an_auto_responder_gets_silence_after_three_identical_exchanges_and_is_flagged(
    client: FlaskClient, services: Container
) -> None:
    replies_to(client, "hi")
    replies_to(client, "2")  # English, then the flow's first explanation

    answered = [bool(replies_to(client, AWAY)) for _ in range(30)]

    assert answered[-20:] == [False] * 20, "the loop is broken: silence after the limit"
    assert sum(answered) <= 3 + 2, "at most the limit of identical exchanges, after moving on"
    (participant,) = participants_for(services, RESIDENT)
    assert participant.flagged == "repeated_text"
    assert participant.flagged_at is not None
    stored = count_rows(services, Message, Message.direction == "in")
    assert stored == 2 + sum(answered), "nothing more stored once silenced"
    assert count_rows(services, Answer) <= 1


def test_a_resident_going_on_with_next_is_never_taken_for_a_loop(
    client: FlaskClient, services: Container
) -> None:
    replies_to(client, "hi")
    replies_to(client, "2")
    answered = [bool(replies_to(client, "next")) for _ in range(4)]

    assert answered == [True] * 4
    (participant,) = participants_for(services, RESIDENT)
    assert participant.flagged is None
    assert count_rows(services, Participant) == 1
