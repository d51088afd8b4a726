"""A resident who comes back after their chat expired: what they say next is still counted.

The services come from make_container, so they run on the fixture flows (tests/data/flows).
"""

from __future__ import annotations

from sqlmodel import col, select

from bot.channels.addresses import parse_address
from bot.core.inbound import InboundMessage
from bot.store.models import Answer, Conversation, Timer
from tests.bot.test_transcripts import FakeClock
from tests.conftest import make_container
from tests.helpers import new_sid

TO_HOPES = ("2", *["next"] * 7, "yes", "1")


def test_answers_after_an_expired_chat_resumes_belong_to_a_conversation(sqlite_url: str) -> None:
    services = make_container(sqlite_url)
    clock = FakeClock()
    services.inbound.clock = clock
    sender = parse_address("+447700900123")

    def send(text: str) -> str | None:
        message = InboundMessage(message_sid=new_sid(), sender=sender, body=text)
        clock.advance(minutes=1)
        return services.inbound.receive(message).reply

    for text in TO_HOPES:
        send(text)
    clock.advance(hours=100)
    with services.db.session() as session:
        expiry = session.exec(
            select(Timer).where(Timer.kind == "expiry", Timer.status == "pending")
        ).one()
    assert expiry.id is not None
    services.inbound.fire_timer(expiry.id)
    reply = send("hello")
    assert reply is not None
    assert reply.startswith("Welcome back.")
    for text in ("Warm homes", "Mistakes", "Nothing", "no", "yes"):
        send(text)

    with services.db.session() as session:
        answers = session.exec(select(Answer).order_by(col(Answer.id))).all()
        runs = session.exec(select(Conversation).where(Conversation.flow_id == "energy-data")).all()
    assert [answer.step_id for answer in answers] == [
        "view",
        "hopes",
        "worries",
        "feedback",
        "hear-back",
    ]
    assert all(answer.conversation_id is not None for answer in answers), [
        (answer.step_id, answer.conversation_id) for answer in answers
    ]
    assert "completed" in {run.status for run in runs}
    services.db.engine.dispose()
