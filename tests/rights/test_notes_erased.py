"""What officers keep about a resident goes with them: their notes and a call-back waiting are
erased when the resident texts DELETE, when an officer erases the number, and by the retention
purge, on SQLite and PostgreSQL, and no one else's are touched. (Key rotation re-seals them:
tests/rights/test_key_rotation.py.)
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.core import retention
from bot.core.accounts import create_user
from bot.core.call_backs import request_call_back
from bot.core.notes import write_note
from bot.runtime.clock import utc_now
from bot.runtime.container import Container
from bot.store.models import CallBack, ConversationNote
from tests.conftest import make_container
from tests.rights.test_erasure import (
    NEIGHBOUR,
    RESIDENT,
    engaged,
    participant_ids,
    rows_about,
    talk,
)

NOTE = "Mrs Evans in flat 4 rang: her son has asthma, wants a call about the damp."


@pytest.fixture
def services(database_url: str) -> Iterator[Container]:
    built = make_container(database_url)
    yield built
    built.db.engine.dispose()


def keep_notes_about(services: Container, participant_ids: list[int]) -> None:
    """An officer's note on each of these residents, and a call-back for each."""
    with services.db.session() as session:
        officer = create_user(
            session,
            email=f"officer{participant_ids[0]}@council.example",
            name="Nia Officer",
            role="officer",
            password="correct horse battery staple",
        )
        assert officer.id is not None
        for participant_id in participant_ids:
            vault, clock = services.vault, services.clock
            write_note(session, vault, clock, participant_id, NOTE, user_id=officer.id)
            request_call_back(session, vault, clock, participant_id, "Mornings", user_id=officer.id)


def kept(services: Container) -> dict[str, int]:
    with services.db.engine.connect() as connection:
        return {
            model.__tablename__: connection.execute(
                select(func.count()).select_from(model)
            ).scalar_one()
            for model in (ConversationNote, CallBack)
        }


def test_delete_by_text_takes_the_notes_and_call_backs_of_everyone_on_the_number(
    services: Container,
) -> None:
    ids = engaged(services)
    talk(services, NEIGHBOUR, "Hi", "2")
    keep_notes_about(services, [*ids, *participant_ids(services, NEIGHBOUR)])
    assert rows_about(services, ids)["conversation_notes"] == 2

    talk(services, RESIDENT, "DELETE", "YES")

    assert rows_about(services, ids) == {}
    assert kept(services) == {"conversation_notes": 1, "call_backs": 1}  # the neighbour's


def test_an_officer_erasing_the_number_takes_them(services: Container) -> None:
    ids = engaged(services)
    keep_notes_about(services, ids)

    services.rights.erase_number(RESIDENT, user_id=None, reason="asked_by_phone")

    assert kept(services) == {"conversation_notes": 0, "call_backs": 0}


def test_the_retention_purge_takes_them(services: Container) -> None:
    ids = engaged(services)
    keep_notes_about(services, ids)
    later = utc_now() + timedelta(days=services.settings.retention_days + 1)

    report = retention.purge(
        services.db, services.queue, timedelta(days=services.settings.retention_days), later
    )

    assert report.residents == 2
    assert report.rows["conversation_notes"] == 2
    assert report.rows["call_backs"] == 2
    assert rows_about(services, ids) == {}
    assert kept(services) == {"conversation_notes": 0, "call_backs": 0}
