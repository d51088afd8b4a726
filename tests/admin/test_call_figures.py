"""The overview's calls: how many, the minutes billed, the recordings left and their cost, per
flow, language and partner; callers' conversations in every figure and the funnel.

Callers are written straight into the tables, as the overview's truth test writes residents, so
the truth is this file. Each call is billed per started minute of its CallDuration:

    A  Welsh, LIB1       energy-data, on "The algorithm"  calls of 61 s and 120 s: 2 + 2 minutes;
                                                         one recording stored, one failed
    B  English, none     energy-data, finished           calls of 59 s and one still going: 1 + 0;
                                                         one recording waiting at Twilio
    C  English, FOOD1    welcome, no conversation         a call of 0 s (busy): 0 minutes
    E  not chosen, none  before any flow                 a call of 30 s: 1 minute
    T  a test caller     energy-data                     600 s and a recording: counted nowhere

So 6 calls, 6 minutes and 2 recordings; at £0.02 a minute, £0.12.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.runtime.container import Container
from bot.store.counts import CallCount, count_calls, count_tally
from bot.store.models import Answer, Call, Conversation, Participant, Recording
from bot.store.retention import PurgeGroup, add_retained_totals, get_retained_totals
from tests.admin.conftest import add_accounts
from tests.conftest import FIXTURE_FLOWS, make_container

PRICE = "0.02"
NOW = datetime.now(UTC).replace(microsecond=0)
COLUMNS = ["Calls", "Minutes", "Recordings", "Estimated cost"]


@dataclass
class Caller:
    name: str
    language: str | None
    partner: str | None
    #: (flow_id, CallDuration or None while the call goes on, status)
    calls: list[tuple[str | None, int | None, str]]
    #: The energy-data conversation's status and the step the caller is on; None: no conversation.
    conversation: tuple[str, str] | None = None
    #: (status, the index of the call it was left on, saved as an energy-data answer?)
    recordings: list[tuple[str, int, bool]] = field(default_factory=list)
    is_test: bool = False


CALLERS = [
    Caller(
        "A", "cy", "LIB1",
        calls=[("energy-data", 61, "completed"), ("energy-data", 120, "completed")],
        conversation=("active", "algorithm"),
        recordings=[("stored", 0, True), ("failed", 1, False)],
    ),
    Caller(
        "B", "en", None,
        calls=[("energy-data", 59, "completed"), ("energy-data", None, "in-progress")],
        conversation=("completed", "thanks"),
        recordings=[("waiting", 0, False)],
    ),
    Caller("C", "en", "FOOD1", calls=[("welcome", 0, "busy")]),
    Caller("E", None, None, calls=[(None, 30, "completed")]),
    Caller(
        "T", "en", "LIB1", calls=[("energy-data", 600, "completed")],
        conversation=("completed", "thanks"), recordings=[("stored", 0, True)], is_test=True,
    ),
]  # fmt: skip


def add_callers(services: Container, callers: list[Caller], first: int = 0) -> dict[str, int]:
    """The callers as voice participants, with their calls, recordings and conversation; returns
    each one's participant id."""
    vault, ids = services.vault, {}
    with services.db.session() as session:
        for n, who in enumerate(callers, start=first):
            number = f"+4477009005{n:02d}"
            step = who.conversation[1] if who.conversation else None
            participant = Participant(
                channel="voice", number_hash=vault.hash_number(number),
                number_encrypted=vault.seal(number), language=who.language,
                partner_code=who.partner, is_test=who.is_test,
                state={"flow_id": "energy-data", "step_id": step} if step else {},
                created_at=NOW,
            )  # fmt: skip
            session.add(participant)
            session.flush()
            pid = ids[who.name] = participant.id or 0
            calls = []
            for k, (flow_id, seconds, status) in enumerate(who.calls):
                call = Call(
                    call_sid=f"CA{who.name}{n}{k}", participant_id=pid, flow_id=flow_id,
                    status=status, duration_seconds=seconds, started_at=NOW,
                    ended_at=NOW if seconds is not None else None,
                )  # fmt: skip
                session.add(call)
                calls.append(call)
            conversation_id = None
            if who.conversation:
                status = who.conversation[0]
                conversation = Conversation(
                    participant_id=pid, flow_id="energy-data", flow_version=1, status=status,
                    started_at=NOW, ended_at=NOW if status == "completed" else None,
                )  # fmt: skip
                session.add(conversation)
                session.flush()
                conversation_id = conversation.id
            session.flush()
            for k, (status, on_call, as_answer) in enumerate(who.recordings):
                answer_id = None
                if as_answer:
                    answer = Answer(
                        participant_id=pid, conversation_id=conversation_id,
                        flow_id="energy-data", step_id="plan", kind="reaction",
                        text_encrypted=vault.seal(""), created_at=NOW,
                    )  # fmt: skip
                    session.add(answer)
                    session.flush()
                    answer_id = answer.id
                session.add(
                    Recording(
                        recording_sid=f"RE{who.name}{n}{k}", participant_id=pid,
                        call_id=calls[on_call].id, answer_id=answer_id, status=status,
                        duration_seconds=20, created_at=NOW,
                    )
                )  # fmt: skip
    return ids


@pytest.fixture
def sqlite_url(database_url: str) -> str:
    """The admin fixtures' database, each kind in turn: the minutes are SQL arithmetic."""
    return database_url


@pytest.fixture
def admin_services(sqlite_url: str, tmp_path: Path) -> Iterator[Container]:
    """The admin fixtures' services, with a minute of a call at PRICE."""
    flows = shutil.copytree(FIXTURE_FLOWS, tmp_path / "flows")
    services = make_container(sqlite_url, FLOWS_DIR=str(flows), PRICE_PER_VOICE_MINUTE=PRICE)
    add_accounts(services)
    yield services
    services.db.engine.dispose()


@pytest.fixture
def callers(admin_services: Container) -> dict[str, int]:
    return add_callers(admin_services, CALLERS)


# -- the store -----------------------------------------------------------------------------------


def test_each_call_is_billed_per_started_minute(admin_services: Container) -> None:
    durations = [None, 0, 1, 59, 60, 61, 119, 120, 121, 3600]
    calls = [(f"flow-{seconds}", seconds, "completed") for seconds in durations]
    add_callers(admin_services, [Caller("M", "en", None, calls=calls)])
    with admin_services.db.session() as session:
        minutes = {row.flow_id: row.minutes for row in count_calls(session)}
    assert minutes == {
        "flow-None": 0, "flow-0": 0, "flow-1": 1, "flow-59": 1, "flow-60": 1, "flow-61": 2,
        "flow-119": 2, "flow-120": 2, "flow-121": 3, "flow-3600": 60,
    }  # fmt: skip


def test_calls_minutes_and_recordings_by_flow_language_and_partner(
    admin_services: Container, callers: dict[str, int]
) -> None:
    with admin_services.db.session() as session:
        rows = sorted(count_calls(session), key=lambda row: str(row.flow_id))
        lib1 = count_calls(session, partner_code="LIB1")
    assert rows == [
        CallCount(None, None, None, calls=1, minutes=1, recordings=0),
        CallCount("energy-data", "cy", "LIB1", calls=2, minutes=4, recordings=1),
        CallCount("energy-data", "en", None, calls=2, minutes=1, recordings=1),
        CallCount("welcome", "en", "FOOD1", calls=1, minutes=0, recordings=0),
    ]
    assert lib1 == [CallCount("energy-data", "cy", "LIB1", calls=2, minutes=4, recordings=1)]


def test_calls_are_kept_as_totals_when_their_callers_are_erased_for_retention(
    admin_services: Container, callers: dict[str, int]
) -> None:
    with admin_services.db.session() as session:
        tally = count_tally(session, participant_ids=[callers["A"], callers["T"]])
        add_retained_totals(session, PurgeGroup("2026-01", "LIB1", [callers["A"]], 1), tally)
    with admin_services.db.session() as session:
        kept = get_retained_totals(session, partner_code="LIB1").tally.calls
        other = get_retained_totals(session, partner_code="FOOD1").tally.calls
    assert kept == [CallCount("energy-data", "cy", "LIB1", calls=2, minutes=4, recordings=1)]
    assert other == []
