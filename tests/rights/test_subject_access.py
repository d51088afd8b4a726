"""Subject access (UK GDPR Art 15): everything held about one phone number, as JSON, audited.

Residents are seeded through the real inbound path, and the officer's answer really goes out
(through the worker and the fake Twilio), so the export is checked against what a resident
would have seen on their phone.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from redis import Redis
from sqlmodel import select

from bot.channels.fake_twilio import FakeTwilio
from bot.core.audit import record_event
from bot.core.subject_access import SCHEMA, NumberError, export_person
from bot.runtime.container import Container
from bot.store.models import AuditEvent, OptOut, Participant
from tests.conftest import TEST_AUTH_TOKEN
from tests.delivery.support import Harness, MovableClock, build_harness

pytestmark = pytest.mark.redis

RESIDENT = "+447700900123"
NEIGHBOUR = "+447700900124"
HOPE = "Warmer homes for older people on our street"
QUESTION = "will the bins be collected on bank holiday Monday?"
ANSWER = "Yes, on the usual day."
#: The first person: language, the explanations, consent, a view, a hope, then a question.
FIRST_PERSON = ["hi", "2", *["next"] * 7, "yes", "1", HOPE, f"ASK {QUESTION}"]
HOPE_CY = "Cartrefi cynhesach i bobl hŷn"
#: The next person on the same phone, in Welsh, as far as a hope.
NEXT_PERSON = ["Helo", "1", *["nesaf"] * 7, "ie", "1", HOPE_CY]
NEIGHBOUR_WORDS = "Our landlord at number 9 never fixes the damp"


def export(harness: Harness, number: str = RESIDENT) -> dict[str, Any]:
    services = harness.services
    return export_person(
        services.db,
        services.vault,
        number,
        clock=services.clock,
        retention_days=services.settings.retention_days,
    )


def audit_events(services: Container) -> list[AuditEvent]:
    with services.db.session() as session:
        statement = select(AuditEvent).where(AuditEvent.action == "person_exported")
        return list(session.exec(statement.order_by(AuditEvent.id)))  # type: ignore[arg-type]


@pytest.fixture
def harness(database_url: str, redis_client: Redis) -> Iterator[Harness]:
    """The services on Redis with a fake Twilio, as the worker has them, on a still clock."""
    twilio = FakeTwilio(auth_token=TEST_AUTH_TOKEN)
    twilio.start()
    built = build_harness(database_url, twilio, redis_client, MovableClock())
    yield built
    built.close()
    twilio.stop()


@pytest.fixture
def shared_phone(harness: Harness) -> Harness:
    """A resident who answered and asked a question an officer answered (and it went out),
    then handed the phone on (NEW) to a second person; and a neighbour who is nothing to them."""
    harness.texts(RESIDENT, *FIRST_PERSON)
    [question] = harness.services.questions.open_questions()
    harness.services.questions.answer(question.id, ANSWER)
    harness.run_worker()
    harness.texts(RESIDENT, "NEW", *NEXT_PERSON)
    harness.texts(NEIGHBOUR, "hi", "2", *["next"] * 7, "yes", "1", NEIGHBOUR_WORDS)
    return harness


def test_the_export_holds_everyone_who_shared_the_phone_with_all_they_said(
    shared_phone: Harness,
) -> None:
    document = export(shared_phone, "07700 900123")

    assert document["schema"] == SCHEMA
    assert document["number"] == RESIDENT
    assert document["generated_at"] == shared_phone.clock().strftime("%Y-%m-%dT%H:%M:%SZ")
    first, second = document["participants"]
    assert [first["closed_at"] is not None, second["closed_at"] is None] == [True, True]
    said = [m["body"] for m in first["messages"] if m["direction"] == "in"]
    assert said == [*FIRST_PERSON, "NEW"]
    assert [m["body"] for m in second["messages"] if m["direction"] == "in"] == NEXT_PERSON
    assert [(a["step_id"], a["kind"], a["text"]) for a in first["answers"]] == [
        ("view", "choice", "1"),
        ("hopes", "hope", HOPE),
    ]
    assert [(a["kind"], a["text"]) for a in second["answers"]] == [
        ("choice", "1"),
        ("hope", HOPE_CY),
    ]
    [asked] = first["questions"]
    assert (asked["text"], asked["status"], asked["answer"]) == (QUESTION, "answered", ANSWER)
    assert asked["answered_at"] is not None
    [delivered] = [m for m in first["messages"] if m["direction"] == "out" and ANSWER in m["body"]]
    assert delivered["status"] == "queued"  # as Twilio said; no status callback yet
    [send] = first["outbox"]
    assert (send["purpose"], send["status"], send["body"]) == ("answer", "sent", delivered["body"])
    assert second["questions"] == []
    assert second["outbox"] == []


def test_the_export_holds_consent_and_where_each_person_is(shared_phone: Harness) -> None:
    first, second = export(shared_phone)["participants"]

    for person, language in ((first, "en"), (second, "cy")):
        assert person["channel"] == "sms"
        assert person["language"] == language
        assert person["consent"] is True
        assert person["consent_at"] is not None
        assert (person["hear_back"], person["opted_out"], person["opted_out_at"]) == (
            False,
            False,
            None,
        )
        assert person["created_at"] is not None
        assert person["last_inbound_at"] is not None
        assert person["where_you_are"]["flow_id"] == "energy-data"
    assert first["where_you_are"]["step_id"] == "worries"
    assert [c["status"] for c in first["conversations"]] == ["completed", "handed_on"]
    assert [c["status"] for c in second["conversations"]] == ["completed", "active"]
    assert {t["status"] for t in second["timers"]} == {"pending"}
    assert {t["kind"] for t in second["timers"]} == {"reminder", "expiry"}


def test_every_channel_the_number_used_is_in_it(shared_phone: Harness) -> None:
    shared_phone.texts("whatsapp:" + RESIDENT, "Helo")

    channels = [p["channel"] for p in export(shared_phone)["participants"]]

    assert channels == ["sms", "sms", "whatsapp"]


def test_another_residents_data_never_appears(shared_phone: Harness) -> None:
    written = json.dumps(export(shared_phone), ensure_ascii=False)

    assert NEIGHBOUR_WORDS not in written
    assert NEIGHBOUR not in written
    assert len(export(shared_phone, NEIGHBOUR)["participants"]) == 1
    assert HOPE not in json.dumps(export(shared_phone, NEIGHBOUR), ensure_ascii=False)


def test_times_are_iso_8601_utc(shared_phone: Harness) -> None:
    first = export(shared_phone)["participants"][0]
    times = [first["created_at"], first["consent_at"], *(m["at"] for m in first["messages"])]

    for written in times:
        assert written.endswith("Z")
        assert datetime.fromisoformat(written).tzinfo == UTC


def test_the_raw_state_and_its_sealed_part_are_left_out(shared_phone: Harness) -> None:
    services = shared_phone.services
    sealed = services.vault.seal("reactions the service keeps for itself")
    with services.db.session() as session:
        participant = session.get(Participant, 1)
        assert participant is not None
        participant.state = {**participant.state, "sealed": sealed}
        session.add(participant)

    first = export(shared_phone)["participants"][0]
    written = json.dumps(first)

    assert first["where_you_are"] == {
        "flow_id": "energy-data",
        "step_id": "worries",
        "status": "active",
    }
    assert "state" not in first
    assert sealed not in written
    assert "reactions the service keeps" not in written


def test_audit_entries_about_them_are_listed_by_action_and_time_only(
    shared_phone: Harness,
) -> None:
    services = shared_phone.services
    with services.db.session() as session:
        record_event(
            session,
            user_id=None,
            action="number_revealed",
            target="participant:1",
            detail="Resident phoned to ask for a call back",
        )
        record_event(session, user_id=None, action="answer_flagged", target="answer:2")
        record_event(session, user_id=None, action="number_revealed", target="participant:99")

    first, second = export(shared_phone)["participants"]
    written = json.dumps(first)

    assert [e["action"] for e in first["audit"]] == ["number_revealed", "answer_flagged"]
    assert set(first["audit"][0]) == {"action", "at"}
    assert "call back" not in written
    assert second["audit"] == []
    assert any("which officer" in note for note in export(shared_phone)["notes"])


def test_the_opt_out_of_the_number_is_in_it(shared_phone: Harness) -> None:
    services = shared_phone.services
    at = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    with services.db.session() as session:
        session.add(
            OptOut(
                number_hash=services.vault.hash_number(RESIDENT),
                number_encrypted=services.vault.seal(RESIDENT),
                source="resident",
                opted_out_at=at,
            )
        )

    assert export(shared_phone)["opt_out"] == {
        "source": "resident",
        "opted_out_at": "2026-03-01T09:30:00Z",
    }
    assert export(shared_phone, NEIGHBOUR)["opt_out"] is None


def test_the_notes_say_what_it_is_how_long_it_is_kept_and_how_to_erase_it(
    shared_phone: Harness,
) -> None:
    document = export(shared_phone)
    notes = " ".join(document["notes"])
    notes_cy = " ".join(document["notes_cy"])

    days = shared_phone.settings.retention_days

    assert RESIDENT in notes
    assert "nothing is redacted" in notes
    assert f"{days} days" in notes
    for words in ("DELETE", "DILEU", "ask the council"):
        assert words in notes
    assert RESIDENT in notes_cy
    assert "DILEU" in notes_cy
    assert f"{days} diwrnod" in notes_cy
    assert len(document["notes"]) == len(document["notes_cy"])


def test_each_export_is_audited_per_participant(shared_phone: Harness) -> None:
    export(shared_phone)

    events = audit_events(shared_phone.services)

    assert [(e.target, e.user_id, e.detail) for e in events] == [
        ("participant:1", None, "participants=2"),
        ("participant:2", None, "participants=2"),
    ]


def test_a_number_with_no_data_gives_an_empty_document_and_is_audited(harness: Harness) -> None:
    document = export(harness, "+447700900555")

    assert document["participants"] == []
    assert document["opt_out"] is None
    assert document["number"] == "+447700900555"
    assert document["notes"]
    assert [(e.target, e.detail) for e in audit_events(harness.services)] == [
        ("number", "participants=0")
    ]


@pytest.mark.parametrize("number", ["", "   ", "not a number", "123", "+44", "+" + "7" * 40])
def test_a_bad_number_gets_a_clear_message_and_nothing_is_audited(
    number: str, harness: Harness
) -> None:
    with pytest.raises(NumberError, match=r"^That is not a phone number\. Give it in full"):
        export(harness, number)

    assert audit_events(harness.services) == []
