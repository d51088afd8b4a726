"""The overview: per-flow figures, the funnel, texts and cost, the chart, and its speed."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, insert
from sqlmodel import col, select

from bot.channels.addresses import parse_address
from bot.core.inbound import InboundMessage
from bot.core.reports import build_overview, main_route
from bot.runtime.container import Container
from bot.store.counts import count_messages
from bot.store.models import Answer, Conversation, Message, Participant
from tests.admin.conftest import TO_HOPES, post_form, talk
from tests.helpers import count_queries, new_sid

PAGE = "/admin/overview"
FIGURES = [
    "Started", "Consented", "Declined", "Not yet asked", "Withdrew", "Completed", "Opted out",
    "Expired",
]  # fmt: skip
NOT_ASKED = "– not asked"


class _Tables(HTMLParser):
    """Each table as {"caption": text, "rows": [[cell text, ...], ...]}; enough for these tests."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self._cell: list[str] | None = None
        self._caption = False

    def handle_starttag(self, tag: str, _attrs: list) -> None:
        if tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "caption":
            self._caption = True
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("th", "td") and self.tables:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption":
            self._caption = False
        elif tag in ("th", "td") and self._cell is not None:
            self.tables[-1]["rows"][-1].append(" ".join(" ".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._caption:
            self.tables[-1]["caption"] += data.strip()
        elif self._cell is not None:
            self._cell.append(data)


def tables(page: str, section: str | None = None) -> list[dict]:
    """The tables of the page, or of one flow's section (e.g. "flow-energy-data")."""
    if section is not None:
        page = page.split(f'aria-labelledby="{section}"', 1)[1].split("</section>", 1)[0]
    parser = _Tables()
    parser.feed(page)
    return parser.tables


def row(table: dict, label: str) -> list[str]:
    return next(cells[1:] for cells in table["rows"] if cells and cells[0] == label)


def expected(*values: int | str) -> dict[str, int | str]:
    return dict(zip(FIGURES, values, strict=True))


def figures(page: str, flow_id: str, label: str = "All") -> dict[str, int | str]:
    """One row of a flow's Conversations table, e.g. {"Started": 5, ..., "Consented": "–"}."""
    cells = row(tables(page, f"flow-{flow_id}")[0], label)
    numbers = [int(c.replace(",", "")) if c.replace(",", "").isdigit() else c for c in cells]
    return dict(zip(FIGURES, numbers, strict=True))


@pytest.fixture
def residents(seed: Callable[..., None], admin_services: Container) -> None:
    """Two who finished (library, food bank), one who said no, one who stopped, one in Welsh."""
    seed("+447700900111", partner="LIB1")
    seed("+447700900112", partner="FOOD1")
    talk(admin_services, "+447700900113", "hi", *TO_HOPES[1:9], "no")
    talk(admin_services, "+447700900114", "hi", "2", "next", "STOP")
    talk(admin_services, "+447700900115", "hi", "1", "nesaf", "nesaf")


def test_anonymous_visitors_are_sent_to_sign_in(admin_app) -> None:
    response = admin_app.test_client().get(PAGE)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/sign-in")


@pytest.mark.parametrize("role", ["admin", "officer", "partner"])
def test_every_role_sees_the_overview(sign_in, residents, role: str) -> None:
    response = sign_in(role).get(PAGE)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count("<h1") == 1
    assert "Energy data and cold homes" in page
    assert "Welcome and choice of language" in page
    assert "07•••" not in page
    assert "+4477" not in page


def test_figures_per_flow_by_channel_language_and_partner(sign_in, residents) -> None:
    page = sign_in("officer").get(PAGE).get_data(as_text=True)
    # Two said yes and finished, one said no, two stopped before the question.
    assert figures(page, "energy-data") == expected(5, 2, 1, 2, 0, 2, 1, 0)
    assert figures(page, "energy-data", "SMS")["Started"] == 5
    assert figures(page, "energy-data", "WhatsApp")["Started"] == 0
    assert figures(page, "energy-data", "Welsh")["Started"] == 1
    assert figures(page, "energy-data", "English")["Declined"] == 1
    assert figures(page, "energy-data", "Not chosen yet")["Started"] == 0
    library = figures(page, "energy-data", "LIB1 – Central Library")
    assert library == expected(1, 1, 0, 0, 0, 1, 0, 0)
    assert figures(page, "energy-data", "No partner code")["Started"] == 3
    # The welcome flow asks no consent: the column says so rather than show a misleading 0.
    assert figures(page, "welcome") == expected(5, *[NOT_ASKED] * 4, 5, 0, 0)


def test_the_funnel_shows_where_people_stop(sign_in, residents) -> None:
    page = sign_in("officer").get(PAGE).get_data(as_text=True)
    funnel = next(t for t in tables(page, "flow-energy-data") if "each step" in t["caption"])
    some = " on some routes only"
    reached = {cells[0].removesuffix(some): cells[2:5] for cells in funnel["rows"][1:]}
    assert reached["Started"] == ["5", "100%", "0"]
    assert reached["Smart meters"] == ["5", "100%", "1"]  # one sent STOP here
    assert reached["The algorithm"] == ["4", "80%", "1"]  # one stopped here, in Welsh
    assert reached["Keeping answers"] == ["3", "60%", "1"]  # one said no
    assert reached["Their view"] == ["2", "40%", "0"]
    assert reached["Hopes"] == ["2", "40%", "– not counted off the main route"]
    assert reached["Worries (said no)"][0] == "0"  # only for those who say No: nobody here did
    assert reached["Hearing back"] == ["2", "40%", "0"]
    assert reached["Finished"] == ["2", "40%", ""]
    assert list(reached) == [
        "Started", "The plan", "Smart meters", "The algorithm", "The help", "The risks",
        "Your rights", "What can change", "Keeping answers", "Their view", "Hopes", "Worries",
        "Worries (said no)", "Hopes (said no)", "What to change", "Their questions",
        "Hearing back", "Finished",
    ]  # fmt: skip


def test_only_the_questions_every_route_passes_are_on_the_main_route(admin_services) -> None:
    flow = admin_services.library.flow("energy-data")
    assert {"consent", "view", "feedback", "your-questions", "hear-back"} <= main_route(flow)
    assert not {"hopes", "worries", "worries-first", "hopes-after"} & main_route(flow)


def test_texts_segments_and_cost(sign_in, residents, admin_services) -> None:
    with admin_services.db.session() as session:
        sent, segments = session.exec(
            select(func.count(), func.sum(Message.segments)).where(Message.direction == "out")
        ).one()
        received = session.exec(select(func.count()).where(Message.direction == "in")).one()
    page = sign_in("officer").get(PAGE).get_data(as_text=True)
    texts = next(t for t in tables(page) if t["caption"].startswith("Texts received"))
    cost = f"£{segments * 0.04:,.2f}"
    assert row(texts, "All channels") == [str(received), str(sent), str(segments), cost]
    assert "£0.04 for each segment sent" in page


def test_a_partner_sees_only_their_own_residents(sign_in, residents) -> None:
    page = sign_in("partner").get(PAGE).get_data(as_text=True)
    assert "your partner code, LIB1" in page
    assert figures(page, "energy-data") == expected(1, 1, 0, 0, 0, 1, 0, 0)
    assert "FOOD1" not in page
    assert "No partner code" not in page
    other = sign_in("other_partner").get(PAGE).get_data(as_text=True)
    assert figures(other, "energy-data")["Started"] == 1
    assert "LIB1" not in other


def test_test_residents_are_left_out(sign_in, residents, admin_services) -> None:
    officer = sign_in("officer")
    before = officer.get(PAGE).get_data(as_text=True)
    sender = parse_address("+447700900999")
    for text in ("LIB1", *TO_HOPES[1:], "hope", "fear"):
        message = InboundMessage(new_sid(), sender, text)
        admin_services.inbound.receive(message, is_test=True)
    after = officer.get(PAGE).get_data(as_text=True)
    assert tables(after) == tables(before)


def test_the_chart_is_an_accessible_image_with_its_numbers_in_a_table(sign_in, residents) -> None:
    page = sign_in("officer").get(PAGE).get_data(as_text=True)
    section = page.split('aria-labelledby="flow-energy-data"', 1)[1].split("</section>", 1)[0]
    assert section.count('role="img"') == 2  # the funnel and the days
    assert '<title id="days-energy-data-title">' in section
    assert "one bar per day" in section
    assert "5 in all" in section
    days = next(t for t in tables(section) if t["caption"] == "Conversations started each day")
    assert len(days["rows"]) == 31  # a header and 30 days
    assert days["rows"][-1][1] == "5"  # all started today
    assert "<script" not in section
    assert "style=" not in section


def test_the_page_reads_in_welsh(sign_in, residents) -> None:
    officer = sign_in("officer")
    post_form(officer, "/admin/language", {"language": "cy", "next": PAGE}, token_from=PAGE)
    page = officer.get(PAGE).get_data(as_text=True)
    assert '<html lang="cy"' in page
    assert "Trosolwg" in page
    assert "Ble mae pobl yn stopio" in page
    assert "Data ynni a chartrefi oer" in page  # the flow's own Welsh title
    assert figures(page, "energy-data", "Y cyfan") == expected(5, 2, 1, 2, 0, 2, 1, 0)


@pytest.mark.parametrize("hour", [12, 22], ids=["by day", "in quiet hours"])
def test_the_number_of_queries_does_not_grow_with_the_data(
    sign_in, seed, admin_services: Container, monkeypatch: pytest.MonkeyPatch, hour: int
) -> None:
    # In quiet hours the panel also reads the broadcasts they hold: pin the hour either way,
    # so the count does not depend on when the suite runs.
    now = datetime.now(UTC).replace(hour=hour)
    monkeypatch.setattr(admin_services.broadcasts, "clock", lambda: now)
    officer = sign_in("officer")
    seed("+447700900121")
    with count_queries(admin_services) as few:
        officer.get(PAGE)
    for n in range(4):
        seed(f"+44770090013{n}", partner="LIB1")
    with count_queries(admin_services) as more:
        officer.get(PAGE)
    # The user, the navigation's waiting questions, five aggregate queries (the fifth counts
    # calls, minutes and recordings), the retained totals, and what needs doing: questions
    # waiting, significant answers, call backs, and in quiet hours the broadcasts they hold.
    assert len(more) == len(few) <= (11 if hour == 12 else 12)


def bulk_conversations(services: Container, count: int) -> None:
    """`count` residents, each with a conversation, two answers and four texts (bulk inserts)."""
    sealed = services.vault.seal("+447700900000")  # one dummy for all: only figures are read
    text = services.vault.seal("Helo")
    now = datetime.now(UTC)
    statuses = ("active", "completed", "expired", "declined", "completed")
    participants, conversations, answers, messages = [], [], [], []
    for n in range(count):
        pid, at = 10_000 + n, now - timedelta(minutes=n * 4)
        status = statuses[n % len(statuses)]
        participants.append(
            {
                "id": pid,
                "channel": "whatsapp" if n % 4 == 0 else "sms",
                "number_hash": f"hash{pid}",
                "number_encrypted": sealed,
                "language": ("cy", "en", None)[n % 3],
                "partner_code": ("LIB1", "FOOD1", "HWB1", None)[n % 4],
                "consent": status != "declined",
                "opted_out": n % 50 == 0,
                "is_test": n % 100 == 99,
                "state": {"flow_id": "energy-data", "step_id": "view" if n % 2 else "risks"},
                "created_at": at,
            }
        )
        conversations.append(
            {
                "id": pid,
                "participant_id": pid,
                "flow_id": "energy-data",
                "flow_version": 1,
                "status": status,
                "started_at": at,
            }
        )
        for step in ("view", "hopes"):
            answers.append(
                {
                    "participant_id": pid,
                    "conversation_id": pid,
                    "flow_id": "energy-data",
                    "step_id": step,
                    "kind": "choice" if step == "view" else "hope",
                    "text_encrypted": text,
                    "created_at": at,
                }
            )
        for k in range(4):
            messages.append(
                {
                    "participant_id": pid,
                    "conversation_id": pid,
                    "direction": ("in", "out")[k % 2],
                    "channel": "sms",
                    "body_encrypted": text,
                    "status": "delivered",
                    "segments": 1 + k % 2,
                    "created_at": at,
                    "updated_at": at,
                }
            )
    with services.db.session() as session:
        session.execute(insert(Participant), participants)
        session.execute(insert(Conversation), conversations)
        session.execute(insert(Answer), answers)
        session.execute(insert(Message), messages)


def test_the_overview_is_fast_with_ten_thousand_conversations(
    sign_in, admin_services: Container, capsys: pytest.CaptureFixture[str]
) -> None:
    bulk_conversations(admin_services, 10_000)
    officer = sign_in("officer")
    page = officer.get(PAGE).get_data(as_text=True)  # warm: templates compiled, caches full
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        response = officer.get(PAGE)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    best, median = min(timings), sorted(timings)[2]
    with capsys.disabled():
        print(
            f"\n  GET {PAGE} with 10,000 conversations: best {best:.0f} ms, median {median:.0f} ms"
        )
    # The target is 100 ms on an idle machine (printed above); the bound only catches a page
    # that stopped aggregating or went N+1, without failing on a busy CI box.
    assert median < 1000
    # 100 are test data (all completed): 9,900 real, 2,000 declined, 2,000 expired, 200 stopped.
    totals = figures(page, "energy-data")
    assert totals["Started"] == 9_900
    assert totals["Declined"] == 2_000
    assert totals["Expired"] == 2_000
    assert totals["Opted out"] == 200


def test_build_overview_counts_declines_at_the_consent_step(
    residents, admin_services: Container
) -> None:
    with admin_services.db.session() as session:
        report = build_overview(
            session,
            admin_services.library,
            price_per_segment=0.05,
            price_per_voice_minute=0.013,
            today=datetime.now(UTC).date(),
            partner_code="LIB1",
        )
    energy = next(flow for flow in report.flows if flow.flow_id == "energy-data")
    assert energy.totals.started == 1
    assert energy.totals.completed == 1
    assert [step.reached for step in energy.funnel if step.main_route] == [1] * 12
    assert report.messages.cost == pytest.approx(report.messages.segments * 0.05)
    assert sum(n for _day, n in energy.days) == 1


def test_the_same_figures_on_sqlite_and_postgresql(services: Container) -> None:
    """JSON paths, date() and the grouped subqueries mean the same on both databases."""
    sender = parse_address("+447700900999")
    services.inbound.receive(InboundMessage(new_sid(), sender, "hi"), is_test=True)
    talk(services, "+447700900111", "LIB1", *TO_HOPES[1:], "Warm homes", "Being watched")
    talk(services, "+447700900112", "hi", *TO_HOPES[1:9], "no")
    talk(services, "+447700900113", "hi", "2", *["next"] * 7, "yes", "2", "Worried")
    with services.db.session() as session:
        report = build_overview(
            session,
            services.library,
            price_per_segment=0.04,
            price_per_voice_minute=0.013,
            today=datetime.now(UTC).date(),
        )
    energy = report.flows[0]
    assert energy.flow_id == "energy-data"
    assert energy.totals.started == 3
    assert energy.totals.declined == 1
    reached = {step.step_id: step.reached for step in energy.funnel}
    assert reached == {
        "plan": 3, "smart-meters": 3, "algorithm": 3, "help": 3, "risks": 3, "rights": 3,
        "expectations": 3, "consent": 3, "view": 2, "hopes": 1, "worries": 1, "worries-first": 1,
        "hopes-after": 1, "feedback": 1, "your-questions": 0, "hear-back": 0,
    }  # fmt: skip
    assert energy.days[-1][1] == 3
    assert report.messages.received > 0


def test_texts_counted_are_real_residents_and_by_partner(services: Container) -> None:
    """Texts from the simulator never count, and a partner sees only its residents' texts."""
    tester = parse_address("+447700900999")
    services.inbound.receive(InboundMessage(new_sid(), tester, "hi"), is_test=True)
    talk(services, "+447700900111", "LIB1", "1")
    talk(services, "+447700900112", "hi")
    with services.db.session() as session:
        everyone = {(c.direction, c.channel): c.count for c in count_messages(session)}
        library = {
            (c.direction, c.channel): c.count for c in count_messages(session, partner_code="LIB1")
        }
        stored = session.exec(
            select(Message.direction, func.count())
            .join(Participant, col(Participant.id) == Message.participant_id)
            .where(col(Participant.is_test).is_(False))
            .group_by(Message.direction)
        ).all()
    assert everyone == {(direction, "sms"): n for direction, n in stored}
    assert everyone[("in", "sms")] == 3  # the tester's "hi" is not among them
    assert library == {("in", "sms"): 2, ("out", "sms"): 2}


def test_the_overview_opens_with_what_needs_doing(sign_in, seed, admin_services: Container) -> None:
    seed("+447700900121", question="When will you decide?")
    with admin_services.db.session() as session:
        answer = session.exec(select(Answer).where(Answer.kind == "hope")).first()
        assert answer is not None
        answer.significant = True
        session.add(answer)
    page = sign_in("officer").get(PAGE).get_data(as_text=True)
    needs = page[page.index('id="needs-doing"') : page.index('id="progress"')]
    assert "1 questions waiting for an answer" in needs
    assert "1 answers flagged as significant" in needs
    assert "Welsh texts of" in needs
    assert page.index('id="needs-doing"') < page.index("Texts and cost")
    progress = page[page.index('id="progress"') :]
    assert "1 of 300 conversations (0%)" in progress


def test_partners_see_progress_but_not_the_officers_list(sign_in, seed) -> None:
    seed("+447700900121", partner="LIB1")
    page = sign_in("partner").get(PAGE).get_data(as_text=True)
    assert 'id="needs-doing"' not in page
    assert "1 of 300 conversations" in page
