"""Every figure the overview shows, against outcomes seeded by hand: nothing else decides them.

Ten residents of energy-data, written straight into the tables (no engine), so the truth is this
file: 4 who said yes, 2 who declined, 3 not asked yet and 1 who said yes and then sent STOP, on
both channels, in both languages, through two partners and none; with answers, reactions at
explanations, skips, rows an officer filed as not an answer or as a question, texts, and a test
resident who must count nowhere. The page is read as an officer and as a partner (LIB1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

import pytest

from bot.core.reports import build_overview
from bot.runtime.container import Container
from bot.store.models import Answer, Conversation, Message, Participant
from tests.admin.conftest import post_form
from tests.admin.test_overview import PAGE, row, tables

TODAY = datetime.now(UTC).date()
#: Two residents started three days ago, the rest today (noon UTC, whatever the hour now).
EARLIER = datetime.combine(TODAY - timedelta(days=3), time(12), tzinfo=UTC)
NOON = datetime.combine(TODAY, time(12), tzinfo=UTC)


@dataclass
class Seeded:
    """One resident: where they are, what they said yes or no to, and what they told us."""

    name: str
    channel: str
    language: str
    partner: str | None
    #: The energy-data conversation's status, and the step the resident is on (their state).
    status: str
    step: str
    consent: bool | None = None
    stopped: bool = False
    started: datetime = NOON
    #: (step, kind, filed_as): the text does not matter to any figure.
    answers: list[tuple[str, str, str]] = field(default_factory=list)
    is_test: bool = False


YES, NO = True, False
RESIDENTS = [
    Seeded(
        "Y1", "sms", "en", "LIB1", "completed", "thanks", YES, started=EARLIER,
        answers=[("risks", "reaction", "answer"), ("view", "choice", "answer"),
                 ("hopes", "hope", "answer"), ("worries", "fear", "answer"),
                 ("feedback", "skipped", "answer"), ("hear-back", "choice", "answer")],
    ),
    Seeded(
        "Y2", "whatsapp", "cy", "FOOD1", "completed", "thanks", YES, started=EARLIER,
        answers=[("plan", "reaction", "answer"), ("view", "choice", "answer"),
                 ("worries-first", "fear", "answer"), ("hopes-after", "skipped", "answer"),
                 ("feedback", "feedback", "answer"), ("hear-back", "choice", "answer")],
    ),
    Seeded(
        "Y3", "sms", "cy", None, "active", "hopes", YES,
        answers=[("help", "reaction", "question"), ("view", "choice", "answer")],
    ),
    Seeded(
        "Y4", "whatsapp", "en", "LIB1", "expired", "feedback", YES,
        answers=[("view", "choice", "answer"), ("hopes", "skipped", "answer"),
                 ("worries", "fear", "not_an_answer")],
    ),
    Seeded("D1", "sms", "en", "LIB1", "declined", "consent", NO),
    Seeded("D2", "sms", "cy", None, "declined", "consent", NO),
    Seeded("N1", "sms", "en", "FOOD1", "active", "risks"),
    Seeded("N2", "whatsapp", "cy", None, "expired", "smart-meters"),
    Seeded("N3", "sms", "en", None, "active", "algorithm", stopped=True),
    Seeded(
        "W1", "sms", "en", "FOOD1", "active", "hopes", YES, stopped=True,
        answers=[("smart-meters", "reaction", "answer"), ("view", "choice", "answer")],
    ),
    Seeded(
        "T1", "sms", "en", "LIB1", "completed", "thanks", YES, is_test=True,
        answers=[("plan", "reaction", "answer"), ("hopes", "skipped", "answer")],
    ),
]  # fmt: skip
#: Each resident's texts: two in, three out billed as 1, 1 and 2 segments.
TEXTS = [("in", 0), ("in", 0), ("out", 1), ("out", 1), ("out", 2)]


def seed(services: Container, residents: list[Seeded]) -> None:
    vault = services.vault
    with services.db.session() as session:
        for n, who in enumerate(residents):
            number = f"+4477009004{n:02d}"
            at = who.started
            participant = Participant(
                channel=who.channel,
                number_hash=vault.hash_number(number),
                number_encrypted=vault.seal(number),
                language=who.language,
                partner_code=who.partner,
                consent=who.consent,
                consent_at=at + timedelta(minutes=10) if who.consent is not None else None,
                opted_out=who.stopped,
                opted_out_at=at + timedelta(minutes=20) if who.stopped else None,
                is_test=who.is_test,
                state={"flow_id": "energy-data", "step_id": who.step},
                created_at=at,
            )
            session.add(participant)
            session.flush()
            pid = participant.id or 0
            welcome = Conversation(
                participant_id=pid, flow_id="welcome", flow_version=1, status="completed",
                started_at=at, ended_at=at + timedelta(minutes=1),
            )  # fmt: skip
            ended = who.status in ("completed", "declined", "expired")
            energy = Conversation(
                participant_id=pid, flow_id="energy-data", flow_version=1, status=who.status,
                started_at=at + timedelta(minutes=1),
                ended_at=at + timedelta(minutes=30) if ended else None,
            )  # fmt: skip
            session.add_all([welcome, energy])
            session.flush()
            for k, (step, kind, filed_as) in enumerate(who.answers):
                session.add(
                    Answer(
                        participant_id=pid, conversation_id=energy.id, flow_id="energy-data",
                        step_id=step, kind=kind, filed_as=filed_as,
                        text_encrypted=vault.seal("" if kind == "skipped" else f"{who.name} {k}"),
                        created_at=at + timedelta(minutes=11 + k),
                    )
                )  # fmt: skip
            for k, (direction, segments) in enumerate(TEXTS):
                session.add(
                    Message(
                        participant_id=pid, conversation_id=energy.id, direction=direction,
                        channel=who.channel, body_encrypted=vault.seal("..."),
                        status="received" if direction == "in" else "delivered",
                        segments=segments, created_at=at + timedelta(minutes=k),
                    )
                )  # fmt: skip


@pytest.fixture
def sqlite_url(database_url: str) -> str:
    """The admin fixtures' database, here each kind in turn: the figures are SQL, and must
    mean the same on SQLite and PostgreSQL."""
    return database_url


@pytest.fixture
def seeded(admin_services: Container) -> None:
    seed(admin_services, RESIDENTS)


COLUMNS = [
    "Started", "Consented", "Declined", "Not yet asked", "Withdrew", "Completed", "Opted out",
    "Expired",
]  # fmt: skip
NOT_ASKED = "– not asked"
PARTNER_LABELS = {
    "LIB1": "LIB1 – Central Library",
    "FOOD1": "FOOD1 – Town Food Bank",
    "HWB1": "HWB1 – Riverside Community Hub",
}


def conversations_table(page: str, flow_id: str) -> dict[str, list[str]]:
    """A flow's Conversations table: {row label: [cell, ...]} under COLUMNS."""
    table = tables(page, f"flow-{flow_id}")[0]
    header = table["rows"][0][1:]
    assert header == COLUMNS
    return {cells[0]: cells[1:] for cells in table["rows"][1:] if len(cells) > 1}


def numbers(*values: int) -> list[str]:
    return [f"{value:,}" for value in values]


def welcomed(n: int) -> list[str]:
    """A welcome row: n started and finished; no consent asked; none stopped or expired."""
    return [str(n), *[NOT_ASKED] * 4, str(n), "0", "0"]


def funnel_table(page: str, flow_id: str) -> list[list[str]]:
    section = tables(page, f"flow-{flow_id}")
    funnel = next(t for t in section if "reached each step" in t["caption"])
    assert funnel["rows"][0] == [
        "Step", "What it says or asks", "Reached", "Of those who started", "Went no further",
        "Reactions", "Skipped",
    ]  # fmt: skip
    # The title, the reach, its share and the loss, reactions and skips (not the prompt).
    return [[cells[0], *cells[2:]] for cells in funnel["rows"][1:]]


def texts_table(page: str) -> dict[str, list[str]]:
    texts = next(t for t in tables(page) if t["caption"].startswith("Texts received"))
    return {label: row(texts, label) for label in ("SMS", "WhatsApp", "All channels")}


def days_table(page: str, flow_id: str) -> dict[str, str]:
    days = next(
        t for t in tables(page, f"flow-{flow_id}")
        if t["caption"] == "Conversations started each day"
    )  # fmt: skip
    return {cells[0]: cells[1] for cells in days["rows"][1:]}


OFF = "– not counted off the main route"
DASH = "– not counted for this step"


def test_every_figure_an_officer_sees_is_the_seeded_truth(
    sign_in, seeded, admin_services: Container
) -> None:
    page = sign_in("officer").get(PAGE).get_data(as_text=True)

    energy = conversations_table(page, "energy-data")
    assert energy == {
        "All": numbers(10, 4, 2, 3, 1, 2, 2, 2),
        "SMS": numbers(7, 2, 2, 2, 1, 1, 2, 0),
        "WhatsApp": numbers(3, 2, 0, 1, 0, 1, 0, 2),
        "Phone call": numbers(0, 0, 0, 0, 0, 0, 0, 0),
        "Welsh": numbers(4, 2, 1, 1, 0, 1, 0, 1),
        "English": numbers(6, 2, 1, 2, 1, 1, 2, 1),
        "Not chosen yet": numbers(0, 0, 0, 0, 0, 0, 0, 0),
        PARTNER_LABELS["LIB1"]: numbers(3, 2, 1, 0, 0, 1, 0, 1),
        PARTNER_LABELS["FOOD1"]: numbers(3, 1, 0, 1, 1, 1, 1, 0),
        PARTNER_LABELS["HWB1"]: numbers(0, 0, 0, 0, 0, 0, 0, 0),
        "No partner code": numbers(4, 1, 1, 2, 0, 0, 1, 1),
    }

    assert funnel_table(page, "energy-data") == [
        ["Started", "10", "100%", "0", "", ""],
        ["The plan", "10", "100%", "0", "1", DASH],
        ["Smart meters", "10", "100%", "1", "1", DASH],
        ["The algorithm", "9", "90%", "1", "0", DASH],
        ["The help", "8", "80%", "0", "0", DASH],  # Y3's reaction there was re-filed
        ["The risks", "8", "80%", "1", "1", DASH],
        ["Your rights", "7", "70%", "0", "0", DASH],
        ["What can change", "7", "70%", "0", "0", DASH],
        ["Keeping answers", "7", "70%", "2", DASH, DASH],
        ["Their view", "5", "50%", "2", DASH, DASH],
        ["Hopes on some routes only", "4", "40%", OFF, DASH, "1"],  # 2 replied, 2 on it now
        ["Worries on some routes only", "1", "10%", OFF, DASH, "0"],  # Y4's was no answer
        ["Worries (said no) on some routes only", "1", "10%", OFF, DASH, "0"],
        ["Hopes (said no) on some routes only", "1", "10%", OFF, DASH, "1"],
        ["What to change", "3", "30%", "1", DASH, "1"],
        ["Their questions", "2", "20%", "0", DASH, "0"],
        ["Hearing back", "2", "20%", "0", DASH, DASH],
        ["Finished", "2", "20%", "", "", ""],
    ]

    # Everyone finished the welcome, which asks no consent: those columns say so.
    assert conversations_table(page, "welcome") == {
        "All": welcomed(10), "SMS": welcomed(7), "WhatsApp": welcomed(3),
        "Phone call": welcomed(0), "Welsh": welcomed(4), "English": welcomed(6),
        "Not chosen yet": welcomed(0),
        PARTNER_LABELS["LIB1"]: welcomed(3), PARTNER_LABELS["FOOD1"]: welcomed(3),
        PARTNER_LABELS["HWB1"]: welcomed(0), "No partner code": welcomed(4),
    }  # fmt: skip
    assert funnel_table(page, "welcome") == [
        ["Started", "10", "100%", "0", "", ""],
        ["Choosing a language", "10", "100%", "0", DASH, DASH],
        ["Finished", "10", "100%", "", "", ""],
    ]

    # 7 SMS residents and 3 on WhatsApp, each 2 texts in and 3 out (4 segments): £0.04 each.
    assert texts_table(page) == {
        "SMS": ["14", "21", "28", "£1.12"],
        "WhatsApp": ["6", "9", "12", "£0.48"],
        "All channels": ["20", "30", "40", "£1.60"],
    }

    for flow_id in ("energy-data", "welcome"):
        days = days_table(page, flow_id)
        assert len(days) == 30
        assert [n for n in days.values() if n != "0"] == ["2", "8"]
    section = page.split('aria-labelledby="flow-energy-data"', 1)[1].split("</section>", 1)[0]
    assert "10 in all" in section
    assert "with 8." in section  # the busiest day
    assert "The plan: 10; Smart meters: 10; The algorithm: 9;" in section  # the funnel chart
    assert "Hopes: 4 (on some routes only)" in section


def test_every_figure_a_partner_sees_is_their_own_residents_truth(sign_in, seeded) -> None:
    page = sign_in("partner").get(PAGE).get_data(as_text=True)

    # Y1 (said yes, finished), Y4 (said yes, expired) and D1 (said no): only LIB1's row.
    assert conversations_table(page, "energy-data") == {
        "All": numbers(3, 2, 1, 0, 0, 1, 0, 1),
        "SMS": numbers(2, 1, 1, 0, 0, 1, 0, 0),
        "WhatsApp": numbers(1, 1, 0, 0, 0, 0, 0, 1),
        "Phone call": numbers(0, 0, 0, 0, 0, 0, 0, 0),
        "Welsh": numbers(0, 0, 0, 0, 0, 0, 0, 0),
        "English": numbers(3, 2, 1, 0, 0, 1, 0, 1),
        "Not chosen yet": numbers(0, 0, 0, 0, 0, 0, 0, 0),
        PARTNER_LABELS["LIB1"]: numbers(3, 2, 1, 0, 0, 1, 0, 1),
    }
    assert conversations_table(page, "welcome") == {
        "All": welcomed(3), "SMS": welcomed(2), "WhatsApp": welcomed(1),
        "Phone call": welcomed(0), "Welsh": welcomed(0), "English": welcomed(3),
        "Not chosen yet": welcomed(0),
        PARTNER_LABELS["LIB1"]: welcomed(3),
    }  # fmt: skip
    assert "FOOD1" not in page
    assert "HWB1" not in page

    assert funnel_table(page, "energy-data") == [
        ["Started", "3", "100%", "0", "", ""],
        ["The plan", "3", "100%", "0", "0", DASH],
        ["Smart meters", "3", "100%", "0", "0", DASH],
        ["The algorithm", "3", "100%", "0", "0", DASH],
        ["The help", "3", "100%", "0", "0", DASH],
        ["The risks", "3", "100%", "0", "1", DASH],
        ["Your rights", "3", "100%", "0", "0", DASH],
        ["What can change", "3", "100%", "0", "0", DASH],
        ["Keeping answers", "3", "100%", "1", DASH, DASH],
        ["Their view", "2", "67%", "0", DASH, DASH],
        ["Hopes on some routes only", "2", "67%", OFF, DASH, "1"],
        ["Worries on some routes only", "1", "33%", OFF, DASH, "0"],
        ["Worries (said no) on some routes only", "0", "0%", OFF, DASH, "0"],
        ["Hopes (said no) on some routes only", "0", "0%", OFF, DASH, "0"],
        ["What to change", "2", "67%", "1", DASH, "1"],
        ["Their questions", "1", "33%", "0", DASH, "0"],
        ["Hearing back", "1", "33%", "0", DASH, DASH],
        ["Finished", "1", "33%", "", "", ""],
    ]

    # Y1 and D1 on SMS, Y4 on WhatsApp.
    assert texts_table(page) == {
        "SMS": ["4", "6", "8", "£0.32"],
        "WhatsApp": ["2", "3", "4", "£0.16"],
        "All channels": ["6", "9", "12", "£0.48"],
    }
    for flow_id in ("energy-data", "welcome"):
        days = days_table(page, flow_id)
        assert [n for n in days.values() if n != "0"] == ["1", "2"]
    assert funnel_table(page, "welcome") == [
        ["Started", "3", "100%", "0", "", ""],
        ["Choosing a language", "3", "100%", "0", DASH, DASH],
        ["Finished", "3", "100%", "", "", ""],
    ]


def test_titles_follow_the_officers_language(sign_in, seeded) -> None:
    officer = sign_in("officer")
    post_form(officer, "/admin/language", {"language": "cy", "next": PAGE}, token_from=PAGE)
    page = officer.get(PAGE).get_data(as_text=True)
    section = page.split('aria-labelledby="flow-energy-data"', 1)[1].split("</section>", 1)[0]
    assert "Y cynllun" in section
    assert "Cadw atebion" in section
    assert "The plan" not in section


def test_a_consent_answer_counts_in_the_run_it_was_given_in(admin_services: Container) -> None:
    """Participants keep only their latest consent answer: it belongs to one run, not all.

    R1 said yes and finished, then began again (START) and has not been asked again yet.
    R2 said no, which ended the run, then texted YES after all: consent given in that run.
    """
    vault = admin_services.vault
    with admin_services.db.session() as session:
        for n, (consent_after, runs) in enumerate(
            [
                (15, [("completed", 0, 30), ("active", 40, None)]),
                (45, [("declined", 0, 30)]),
            ]
        ):
            number = f"+4477009005{n:02d}"
            participant = Participant(
                channel="sms", number_hash=vault.hash_number(number),
                number_encrypted=vault.seal(number), language="en", consent=True,
                consent_at=NOON + timedelta(minutes=consent_after),
                state={"flow_id": "energy-data", "step_id": "plan"}, created_at=NOON,
            )  # fmt: skip
            session.add(participant)
            session.flush()
            for status, start, end in runs:
                session.add(
                    Conversation(
                        participant_id=participant.id or 0, flow_id="energy-data",
                        flow_version=1, status=status,
                        started_at=NOON + timedelta(minutes=start),
                        ended_at=NOON + timedelta(minutes=end) if end is not None else None,
                    )
                )  # fmt: skip
    with admin_services.db.session() as session:
        report = build_overview(
            session,
            admin_services.library,
            price_per_segment=0.04,
            price_per_voice_minute=0.013,
            today=TODAY,
        )
    energy = next(flow for flow in report.flows if flow.flow_id == "energy-data")
    totals = energy.totals
    assert (totals.started, totals.consented, totals.declined, totals.not_asked) == (3, 2, 0, 1)
