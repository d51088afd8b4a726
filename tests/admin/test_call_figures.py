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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from bot.runtime.config import with_changes
from bot.runtime.container import Container
from bot.store.counts import CallCount, count_calls, count_tally
from bot.store.models import Answer, Call, Conversation, Participant, Recording
from bot.store.retention import PurgeGroup, add_retained_totals, get_retained_totals
from tests.admin.conftest import add_accounts
from tests.admin.test_overview import PAGE, figures, row, tables
from tests.admin.test_overview_truth import PARTNER_LABELS
from tests.admin.test_welsh_admin import english_on, welsh_client
from tests.conftest import FIXTURE_FLOWS, make_container
from tests.helpers import count_queries

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


def calls_by_flow(page: str) -> dict[str, list[str]]:
    table = next(t for t in tables(page) if t["caption"].startswith("Calls, minutes"))
    assert table["rows"][0] == ["Flow", *COLUMNS]
    return {cells[0]: cells[1:] for cells in table["rows"][1:]}


def flow_calls(page: str, flow_id: str) -> dict[str, list[str]]:
    """A flow's Calls table: {row label: [calls, minutes, recordings, cost]}."""
    table = next(t for t in tables(page, f"flow-{flow_id}") if t["caption"] == "Calls")
    assert table["rows"][0] == ["", *COLUMNS]
    return {cells[0]: cells[1:] for cells in table["rows"][1:] if len(cells) > 1}


def voice_line(page: str) -> str:
    return " ".join(page.split('id="voice-cost">', 1)[1].split("</p>", 1)[0].split())


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


# -- the page ------------------------------------------------------------------------------------


def test_the_overview_says_no_calls_yet_and_nothing_more_before_any_call(
    sign_in: Callable[[str], FlaskClient],
) -> None:
    page = sign_in("officer").get(PAGE).get_data(as_text=True)
    section = page.split('id="calls"', 1)[1].split("<h2", 1)[0]
    assert "No calls yet." in section
    assert "<table" not in section
    assert "voice-cost" not in page
    captions = {table["caption"] for table in tables(page)}
    assert not captions & {"Calls", "Calls, minutes and recordings by flow"}


def test_calls_minutes_recordings_and_cost_per_flow(
    sign_in: Callable[[str], FlaskClient], callers: dict[str, int]
) -> None:
    page = sign_in("officer").get(PAGE).get_data(as_text=True)
    assert voice_line(page) == "Calls: 6, 6 minutes, £0.12 at £0.02 a minute."
    assert calls_by_flow(page) == {
        "Energy data and cold homes": ["4", "5", "2", "£0.10"],
        "Welcome and choice of language": ["1", "0", "0", "£0.00"],
        "Not in a flow yet": ["1", "1", "0", "£0.02"],
        "All flows": ["6", "6", "2", "£0.12"],
    }
    assert "£0.02 a minute (the PRICE_PER_VOICE_MINUTE setting)" in page
    assert flow_calls(page, "energy-data") == {
        "All": ["4", "5", "2", "£0.10"],
        "Welsh": ["2", "4", "1", "£0.08"],
        "English": ["2", "1", "1", "£0.02"],
        "Not chosen yet": ["0", "0", "0", "£0.00"],
        PARTNER_LABELS["LIB1"]: ["2", "4", "1", "£0.08"],
        PARTNER_LABELS["FOOD1"]: ["0", "0", "0", "£0.00"],
        PARTNER_LABELS["HWB1"]: ["0", "0", "0", "£0.00"],
        "No partner code": ["2", "1", "1", "£0.02"],
    }
    assert flow_calls(page, "welcome")["All"] == ["1", "0", "0", "£0.00"]


def test_the_price_is_shown_to_the_tenth_of_a_penny(
    sign_in: Callable[[str], FlaskClient],
    admin_services: Container,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = with_changes(admin_services.settings, price_per_voice_minute=0.013)
    monkeypatch.setattr(admin_services, "settings", settings)
    add_callers(admin_services, [Caller("P", "en", None, calls=[("energy-data", 600, "done")])])
    page = sign_in("officer").get(PAGE).get_data(as_text=True)
    assert voice_line(page) == "Calls: 1, 10 minutes, £0.13 at £0.013 a minute."


def test_one_minute_is_said_as_one(
    sign_in: Callable[[str], FlaskClient], admin_services: Container
) -> None:
    add_callers(admin_services, [Caller("O", "cy", None, calls=[("energy-data", 5, "completed")])])
    page = sign_in("officer").get(PAGE).get_data(as_text=True)
    assert voice_line(page) == "Calls: 1, 1 minute, £0.02 at £0.02 a minute."


def test_callers_conversations_count_in_the_figures_and_the_funnel(
    sign_in: Callable[[str], FlaskClient], callers: dict[str, int]
) -> None:
    page = sign_in("officer").get(PAGE).get_data(as_text=True)
    assert figures(page, "energy-data")["Started"] == 2
    assert figures(page, "energy-data", "Phone call")["Started"] == 2
    assert figures(page, "energy-data", "Phone call")["Completed"] == 1
    assert figures(page, "energy-data", "SMS")["Started"] == 0
    funnel = next(t for t in tables(page, "flow-energy-data") if "each step" in t["caption"])
    reached = {cells[0]: cells[2] for cells in funnel["rows"][1:]}
    assert reached["The algorithm"] == "2"  # A is on it, B went past it
    assert reached["The help"] == "1"
    assert reached["Finished"] == "1"


def test_a_partner_sees_only_their_own_callers(
    sign_in: Callable[[str], FlaskClient], callers: dict[str, int]
) -> None:
    page = sign_in("partner").get(PAGE).get_data(as_text=True)
    assert voice_line(page) == "Calls: 2, 4 minutes, £0.08 at £0.02 a minute."
    assert calls_by_flow(page) == {
        "Energy data and cold homes": ["2", "4", "1", "£0.08"],
        "Welcome and choice of language": ["0", "0", "0", "£0.00"],
        "All flows": ["2", "4", "1", "£0.08"],
    }
    assert flow_calls(page, "energy-data") == {
        "All": ["2", "4", "1", "£0.08"],
        "Welsh": ["2", "4", "1", "£0.08"],
        "English": ["0", "0", "0", "£0.00"],
        "Not chosen yet": ["0", "0", "0", "£0.00"],
        PARTNER_LABELS["LIB1"]: ["2", "4", "1", "£0.08"],
    }
    assert "FOOD1" not in page
    other = sign_in("other_partner").get(PAGE).get_data(as_text=True)
    assert voice_line(other) == "Calls: 1, 0 minutes, £0.00 at £0.02 a minute."
    assert "LIB1" not in other


def test_test_callers_are_left_out(
    sign_in: Callable[[str], FlaskClient], admin_services: Container, callers: dict[str, int]
) -> None:
    officer = sign_in("officer")
    before = officer.get(PAGE).get_data(as_text=True)
    tester = Caller(
        "U", "cy", "FOOD1", calls=[("welcome", 300, "completed")],
        conversation=("active", "plan"), recordings=[("stored", 0, True)], is_test=True,
    )  # fmt: skip
    add_callers(admin_services, [tester], first=len(CALLERS))
    after = officer.get(PAGE).get_data(as_text=True)
    assert tables(after) == tables(before)
    assert voice_line(after) == voice_line(before)


def test_more_calls_cost_no_more_queries(
    sign_in: Callable[[str], FlaskClient], admin_services: Container, callers: dict[str, int]
) -> None:
    officer = sign_in("officer")
    with count_queries(admin_services) as few:
        officer.get(PAGE)
    more_callers = [
        Caller(f"X{n}", "cy", "HWB1", calls=[("energy-data", 90, "completed")] * 3)
        for n in range(5)
    ]
    add_callers(admin_services, more_callers, first=len(CALLERS))
    with count_queries(admin_services) as more:
        page = officer.get(PAGE).get_data(as_text=True)
    assert len(more) == len(few)
    assert voice_line(page) == "Calls: 21, 36 minutes, £0.72 at £0.02 a minute."


def test_the_calls_read_in_welsh(
    sign_in: Callable[[str], FlaskClient], callers: dict[str, int]
) -> None:
    page = welsh_client(sign_in, "officer").get(PAGE).get_data(as_text=True)
    assert "Galwadau a chost" in page
    assert "Galwadau: 6, 6 munud, £0.12 ar £0.02 y funud." in page
    energy = next(t for t in tables(page, "flow-energy-data") if t["caption"] == "Galwadau")
    assert row(energy, "Cymraeg") == ["2", "4", "1", "£0.08"]
    assert "Galwad ffôn" in page  # the channel, in the conversations' breakdown
    assert english_on(page) == {}


def test_no_calls_yet_reads_in_welsh(sign_in: Callable[[str], FlaskClient]) -> None:
    page = welsh_client(sign_in, "partner").get(PAGE).get_data(as_text=True)
    assert "Dim galwadau eto." in page
    assert english_on(page) == {}
