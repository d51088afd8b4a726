"""Storage rules from DESIGN.md's "Data rules", on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import MetaData, func, select, text
from sqlmodel import col
from sqlmodel import select as sqlmodel_select

from bot.channels.addresses import parse_address
from bot.core.inbound import InboundMessage
from bot.runtime.clock import utc_now
from bot.runtime.container import Container
from bot.store.models import Answer, Conversation, Message, Participant, Question
from bot.store.outbox import add_outbox_message
from bot.store.participants import create_participant
from tests.helpers import new_sid

RESIDENT = "+447700900123"
NEIGHBOUR = "+447700900124"
HOPE = "Warmer homes for older people on our street"
#: Not in the flow's FAQ, so it goes to an officer (a row in questions).
QUESTION = "ASK will the bins be collected on bank holiday Monday?"

#: From first contact to a saved hope: language, the explanations, consent, a view, a hope.
TO_A_HOPE = ["hi", "2", *["next"] * 7, "yes", "1", HOPE]


def text_bot(services: Container, number: str, *bodies: str) -> list[str | None]:
    sender = parse_address(number)
    replies = []
    for body in bodies:
        message = InboundMessage(new_sid(), sender, body)
        replies.append(services.inbound.receive(message).reply)
    return replies


def participants_of(services: Container, number: str) -> list[Participant]:
    number_hash = services.vault.hash_number(number)
    with services.db.session() as session:
        statement = (
            sqlmodel_select(Participant)
            .where(Participant.number_hash == number_hash)
            .order_by(Participant.id)
        )
        return list(session.exec(statement))


def rows_about(services: Container, participant_id: int) -> dict[str, int]:
    """Rows in every table of the database that refer to one participant (by id)."""
    metadata = MetaData()
    metadata.reflect(services.db.engine)
    counts = {}
    with services.db.engine.connect() as connection:
        for table in metadata.sorted_tables:
            column = table.c.get("participant_id")
            if table.name == "participants":
                column = table.c.id
            if column is None:
                continue
            statement = select(func.count()).select_from(table).where(column == participant_id)
            counts[table.name] = connection.execute(statement).scalar_one()
    return counts


def add_outbox(services: Container, participant_id: int | None) -> None:
    assert participant_id is not None
    with services.db.session() as session:
        row = add_outbox_message(
            session,
            services.vault,
            participant_id=participant_id,
            body="An officer's answer to your question.",
            purpose="answer",
            priority="urgent",
            now=utc_now(),
        )
        assert row is not None


def test_delete_then_yes_erases_everything_about_the_resident_only(services: Container) -> None:
    for number in (RESIDENT, NEIGHBOUR):
        text_bot(services, number, *TO_A_HOPE, QUESTION)
        (participant,) = participants_of(services, number)
        add_outbox(services, participant.id)
    (resident,) = participants_of(services, RESIDENT)
    (neighbour,) = participants_of(services, NEIGHBOUR)
    assert resident.id is not None
    assert neighbour.id is not None
    before = rows_about(services, resident.id)
    for table in ("participants", "messages", "answers", "questions", "conversations", "outbox"):
        assert before[table] > 0, f"the set-up left nothing in {table}"
    neighbour_before = rows_about(services, neighbour.id)

    replies = text_bot(services, RESIDENT, "DELETE", "YES")

    assert replies[-1] is not None
    assert rows_about(services, resident.id) == dict.fromkeys(before, 0)
    assert participants_of(services, RESIDENT) == []
    assert rows_about(services, neighbour.id) == neighbour_before


def test_new_closes_the_first_participant_and_starts_the_next(services: Container) -> None:
    text_bot(services, RESIDENT, "hi", "2", "next")

    text_bot(services, RESIDENT, "NEW")

    first, second = participants_of(services, RESIDENT)
    assert first.closed_at is not None
    assert second.closed_at is None
    assert first.language == "en"
    assert second.language is None

    text_bot(services, RESIDENT, "1")

    with services.db.session() as session:
        inbound = sqlmodel_select(Message).where(Message.direction == "in")
        latest = session.exec(inbound.order_by(col(Message.id).desc())).first()
        first_conversations = list(
            session.exec(
                sqlmodel_select(Conversation).where(Conversation.participant_id == first.id)
            )
        )
    assert latest is not None
    assert latest.participant_id == second.id
    assert services.vault.open(latest.body_encrypted) == "1"
    assert [c.status for c in first_conversations if c.flow_id == "energy-data"] == ["handed_on"]
    (_, second_now) = participants_of(services, RESIDENT)
    assert second_now.language == "cy"


def test_aware_datetimes_round_trip_in_utc(services: Container) -> None:
    summer = datetime(2026, 7, 1, 9, 30, tzinfo=ZoneInfo("Europe/London"))  # 08:30 UTC
    with services.db.session() as session:
        participant = create_participant(
            session,
            number_hash=services.vault.hash_number(RESIDENT),
            number_encrypted=services.vault.seal(RESIDENT),
            channel="sms",
            now=summer,
        )
        participant_id = participant.id
    text_bot(services, NEIGHBOUR, "hi")

    with services.db.session() as session:
        stored = session.get(Participant, participant_id)
        message = session.exec(sqlmodel_select(Message)).first()
    assert stored is not None
    assert stored.created_at == summer
    assert stored.created_at.utcoffset() == timedelta(0)
    assert stored.created_at.hour == 8
    assert message is not None
    assert message.created_at.tzinfo is not None
    assert message.created_at.utcoffset() == timedelta(0)
    assert abs(utc_now() - message.created_at) < timedelta(minutes=5)
    assert message.created_at.astimezone(UTC) == message.created_at


def test_answers_are_encrypted_at_rest(services: Container) -> None:
    text_bot(services, RESIDENT, *TO_A_HOPE)

    with services.db.engine.connect() as connection:
        raw = connection.execute(
            text("SELECT text_encrypted FROM answers WHERE kind = 'hope'")
        ).scalar_one()
    with services.db.session() as session:
        answer = session.exec(sqlmodel_select(Answer).where(Answer.kind == "hope")).one()

    assert HOPE not in raw
    assert "Warmer" not in raw
    assert services.vault.open(raw) == HOPE
    assert answer.text_encrypted == raw


def test_a_question_inside_an_own_words_answer_is_stored_linked_to_it(services: Container) -> None:
    """ "ask is my landlord told?" at the worries step: one fear, and one open question that
    points at it, so an officer answering the question can see what it was part of."""
    replies = text_bot(services, RESIDENT, *TO_A_HOPE, "ask is my landlord told?")
    assert "officer will answer your question" in (replies[-1] or "")
    with services.db.session() as session:
        [fear] = session.exec(sqlmodel_select(Answer).where(Answer.kind == "fear")).all()
        [question] = session.exec(sqlmodel_select(Question)).all()
        assert services.vault.open(fear.text_encrypted) == "ask is my landlord told?"
        assert services.vault.open(question.text_encrypted) == "is my landlord told?"
        assert question.answer_id == fear.id


def test_yes_after_declining_reopens_the_run_so_it_can_be_completed(services: Container) -> None:
    def status() -> str:
        with services.db.session() as session:
            statement = sqlmodel_select(Conversation.status).where(
                Conversation.flow_id == "energy-data"
            )
            return session.exec(statement).one()

    text_bot(services, RESIDENT, "hi", "2", *["next"] * 7, "no")
    assert status() == "declined"
    text_bot(services, RESIDENT, "yes")
    assert status() == "active"
