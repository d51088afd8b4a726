"""Erasure that always works: by text (even after STOP), by an officer, from the command line;
every row and queued job about every participant on the number goes, audit entries keep the
event but lose the words, and (SQLite) nothing can be read back out of the file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from redis import Redis
from sqlalchemy import text
from sqlmodel import SQLModel, select

from bot.channels.addresses import parse_address
from bot.core.audit import record_event
from bot.core.inbound import InboundMessage
from bot.core.rights import RightsError
from bot.engine import texts as say
from bot.runtime.container import Container
from bot.runtime.crypto import VaultError
from bot.runtime.queue import outbox_job_id, timer_job_id
from bot.store.db import Database
from bot.store.models import AuditEvent, OptOut, Participant, Timer
from bot.store.participants import read_state
from tests.conftest import make_container
from tests.delivery.support import Harness, MovableClock
from tests.helpers import new_sid

RESIDENT = "+447700900123"
NEIGHBOUR = "+447700900124"
SECRET = "my son has asthma and the damp in flat 4 is making it worse"
FERNET_TOKEN = re.compile(rb"gAAAAA[A-Za-z0-9_\-]{40,}={0,2}")


def talk(services: Container, number: str, *bodies: str) -> list[str | None]:
    return [
        services.inbound.receive(InboundMessage(new_sid(), parse_address(number), body)).reply
        for body in bodies
    ]


def rows_about(services: Container, participant_ids: list[int]) -> dict[str, int]:
    """Rows in every table that point at these participants (or are them)."""
    found: dict[str, int] = {}
    ids = ",".join(map(str, participant_ids)) or "0"
    with services.db.engine.connect() as connection:
        for name, table in SQLModel.metadata.tables.items():
            column = "id" if name == "participants" else "participant_id"
            if column not in table.columns:
                continue
            count = connection.execute(
                text(f"SELECT count(*) FROM {name} WHERE {column} IN ({ids})")
            ).scalar()
            if count:
                found[name] = count
    return found


def participant_ids(services: Container, number: str) -> list[int]:
    with services.db.session() as session:
        statement = select(Participant.id).where(
            Participant.number_hash.in_(services.vault.number_hashes(number))  # type: ignore[attr-defined]
        )
        return sorted(pid for pid in session.exec(statement) if pid is not None)


def engaged(services: Container, number: str = RESIDENT) -> list[int]:
    """A resident who consented, answered in their own words and asked a question, then
    handed the phone on to someone who started too: two participants on one number."""
    talk(services, number, "Hi", "2", *["NEXT"] * 7, "YES", "1", SECRET, "ASK who reads this?")
    talk(services, number, "NEW", "2")
    ids = participant_ids(services, number)
    assert len(ids) == 2
    assert rows_about(services, ids).get("answers")
    return ids


def test_delete_after_stop_erases_at_once_with_one_confirmation(database_url: str) -> None:
    services = make_container(database_url)
    ids = engaged(services)
    talk(services, RESIDENT, "STOP")

    [reply] = talk(services, RESIDENT, "DELETE")

    assert reply == say.ERASED_OPTED_OUT.en  # the opt-out list is the one thing kept
    assert rows_about(services, ids) == {}
    with services.db.session() as session:  # still opted out: we must never text them again
        assert len(list(session.exec(select(OptOut)))) == 1
    assert talk(services, RESIDENT, "hello?") == [None]


@pytest.mark.parametrize(
    "words", ["please delete everything about me", "Dilewch fy manylion os gwelwch yn dda"]
)
def test_a_request_in_their_own_words_after_stop_is_carried_out(
    words: str, sqlite_url: str
) -> None:
    services = make_container(sqlite_url)
    ids = engaged(services)
    talk(services, RESIDENT, "STOPIO")

    [reply] = talk(services, RESIDENT, words)

    assert reply in {say.ERASED_OPTED_OUT.en, say.ERASED_OPTED_OUT.cy}
    assert rows_about(services, ids) == {}


def test_delete_before_stop_still_asks_first_then_erases_everyone_on_the_number(
    database_url: str,
) -> None:
    services = make_container(database_url)
    ids = engaged(services)
    talk(services, NEIGHBOUR, "Hi", "2")

    confirm, done = talk(services, RESIDENT, "DELETE", "YES")

    assert confirm == say.ERASE_CONFIRM.en
    assert done == say.ERASED.en
    assert rows_about(services, ids) == {}
    assert rows_about(services, participant_ids(services, NEIGHBOUR))["participants"] == 1


def test_erasure_keeps_the_audit_event_but_drops_what_the_officer_typed(
    database_url: str,
) -> None:
    services = make_container(database_url)
    first, _second = engaged(services)
    with services.db.session() as session:
        sealed = services.vault.seal("Mrs Evans asked me to ring her on 07700 900123")
        record_event(session, None, "number_revealed", f"participant:{first}", sealed_reason=sealed)

    talk(services, RESIDENT, "DELETE", "YES")

    with services.db.session() as session:
        [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "number_revealed"))
    assert (event.target, event.reason_encrypted) == (f"participant:{first}", None)


def test_ids_of_erased_rows_are_never_given_to_someone_else(database_url: str) -> None:
    services = make_container(database_url)
    ids = engaged(services)
    talk(services, RESIDENT, "DELETE", "YES")

    talk(services, NEIGHBOUR, "Hi")

    assert min(participant_ids(services, NEIGHBOUR)) > max(ids)


def test_an_officer_erases_a_number_with_a_reason_from_the_list(database_url: str) -> None:
    services = make_container(database_url)
    ids = engaged(services)

    erased = services.rights.erase_number("07700 900123", user_id=None, reason="asked_by_phone")

    assert erased.participants == 2
    assert rows_about(services, ids) == {}
    with services.db.session() as session:
        [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "resident_erased"))
    assert event.detail == f"reason=asked_by_phone; participants={ids[0]},{ids[1]}"
    assert event.reason_encrypted is None


def test_an_officer_must_choose_a_reason_and_a_real_number(sqlite_url: str) -> None:
    services = make_container(sqlite_url)
    with pytest.raises(RightsError, match="Choose why"):
        services.rights.erase_number(RESIDENT, user_id=None, reason="Mrs Evans rang")
    with pytest.raises(RightsError, match="not a phone number"):
        services.rights.erase_number("12345", user_id=None, reason="asked_by_phone")


def test_an_officer_opt_out_stops_texts_and_is_audited(database_url: str) -> None:
    services = make_container(database_url)
    _first, second = engaged(services)

    services.rights.opt_out(second, user_id=None, reason="asked_in_writing")

    assert talk(services, RESIDENT, "hello") == [None]
    with services.db.session() as session:
        [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "number_opted_out"))
        [opt_out] = session.exec(select(OptOut))
    assert (event.target, event.detail) == (f"participant:{second}", "reason=asked_in_writing")
    assert opt_out.source == "officer"


@pytest.mark.redis
def test_erasure_removes_their_queued_jobs_from_redis(
    sqlite_url: str,
    make_harness: Callable[..., Harness],
    clock: MovableClock,
    redis_db: Redis,
) -> None:
    harness = make_harness(sqlite_url, clock=clock)
    question_id = harness.ask(RESIDENT, "when will you decide?")
    ticket = harness.services.questions.answer(question_id, "In March.")
    [timer] = _pending_timers(harness.services)
    assert not redis_db.exists(f"rq:job:{timer_job_id(timer)}"), "timers are rows until due"
    job_ids = [outbox_job_id(ticket)]
    assert all(redis_db.exists(f"rq:job:{job_id}") for job_id in job_ids)

    harness.texts(RESIDENT, "DELETE", "YES")

    assert [job_id for job_id in job_ids if redis_db.exists(f"rq:job:{job_id}")] == []
    harness.run_worker()
    assert harness.fake.sent_to(RESIDENT) == []


def _pending_timers(services: Container) -> list[int]:
    with services.db.session() as session:
        return [
            t.id
            for t in session.exec(select(Timer).where(Timer.status == "pending"))
            if t.id is not None and t.kind == "reminder"
        ]


def test_nothing_erased_can_be_read_back_out_of_the_sqlite_file(sqlite_url: str) -> None:
    services = make_container(sqlite_url)
    engaged(services)
    talk(services, NEIGHBOUR, "Hi", "2")  # someone who stays: proves the scan finds tokens
    erased_hash = services.vault.hash_number(RESIDENT)

    talk(services, RESIDENT, "DELETE", "YES")
    services.db.engine.dispose()

    path = Path(sqlite_url.removeprefix("sqlite:///"))
    raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    opened = []
    for token in FERNET_TOKEN.findall(raw):
        try:
            opened.append(services.vault.open(token.decode("ascii")))
        except VaultError:
            continue  # a fragment of a token, not readable
    assert NEIGHBOUR in opened
    assert [words for words in opened if RESIDENT in words or "asthma" in words] == []
    assert erased_hash.encode() not in raw


def test_the_sqlite_file_is_readable_by_this_service_only(tmp_path: Path) -> None:
    path = tmp_path / "instance" / "sgwrs.db"
    database = Database.from_url(f"sqlite:///{path}")
    database.upgrade()
    with database.engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")
        wal = Path(str(path) + "-wal")
        assert wal.exists()
        assert oct(wal.stat().st_mode & 0o777) == oct(0o600)
    database.engine.dispose()

    assert oct(path.stat().st_mode & 0o777) == oct(0o600)
    os.chmod(path, 0o644)
    Database.from_url(f"sqlite:///{path}").engine.dispose()
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)


def test_a_question_waiting_for_did_that_answer_it_is_sealed_and_goes_with_new(
    database_url: str,
) -> None:
    services = make_container(database_url)
    question = "What is a smart meter?"
    talk(services, RESIDENT, "Hi", "2", question)
    [participant_id] = participant_ids(services, RESIDENT)
    with services.db.session() as session:
        waiting = session.get(Participant, participant_id)
        assert waiting is not None
    assert "smart" not in str(waiting.state)  # sealed, like every other text of theirs
    assert read_state(services.vault, waiting)["pending_question"] == question

    talk(services, RESIDENT, "NEW")

    with services.db.session() as session:
        closed = session.get(Participant, participant_id)
        assert closed is not None
    assert "sealed" not in closed.state
    assert read_state(services.vault, closed).get("pending_question") is None
