"""The conversations list, a resident's transcript, and revealing a number for a reason."""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import insert
from sqlmodel import select

from bot.channels.addresses import parse_address
from bot.core.inbound import InboundMessage
from bot.runtime.container import Container
from bot.store.models import AuditEvent, Conversation, Message, Participant
from tests.admin.conftest import post_form, talk
from tests.helpers import count_queries, new_sid

PAGES = ["/admin/conversations", "/admin/conversations/1"]
FULL = "+447700900123"


def bulk_residents(services: Container, count: int, *, first_id: int = 1000) -> None:
    """`count` residents with a conversation and two messages each, inserted in bulk (fast)."""
    sealed_numbers = [services.vault.seal(f"+4477009{n:05d}") for n in range(20)]
    sealed_text = services.vault.seal("Helo")
    start = datetime(2025, 1, 1, tzinfo=UTC)
    ids = range(first_id, first_id + count)
    participants, conversations, messages = [], [], []
    for n, pid in enumerate(ids):
        at = start + timedelta(minutes=n)
        participants.append(
            {
                "id": pid,
                "channel": "whatsapp" if n % 3 == 0 else "sms",
                "number_hash": f"hash{pid}",
                "number_encrypted": sealed_numbers[n % len(sealed_numbers)],
                "language": "cy" if n % 2 else "en",
                "partner_code": ("LIB1", "FOOD1", None)[n % 3],
                "state": {},
                "created_at": at,
                "last_inbound_at": at,
                "is_test": False,
            }
        )
        conversations.append(
            {
                "id": pid,
                "participant_id": pid,
                "flow_id": "energy-data",
                "flow_version": 1,
                "status": ("active", "completed", "expired")[n % 3],
                "started_at": at,
            }
        )
        for k, direction in enumerate(("in", "out")):
            messages.append(
                {
                    "participant_id": pid,
                    "conversation_id": pid,
                    "direction": direction,
                    "channel": "sms",
                    "body_encrypted": sealed_text,
                    "status": "received" if direction == "in" else "delivered",
                    "segments": 1,
                    "created_at": at + timedelta(seconds=k),
                    "updated_at": at,
                }
            )
    with services.db.session() as session:
        session.execute(insert(Participant), participants)
        session.execute(insert(Conversation), conversations)
        session.execute(insert(Message), messages)


def rows_of(page: str) -> list[str]:
    body = page.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", body, re.S)


@pytest.fixture
def residents(seed: Callable[..., None], admin_services: Container) -> None:
    """Three real residents (library, food bank, WhatsApp with no partner) and a test one."""
    seed(FULL, partner="LIB1", question="When will it start?")
    seed("+447700900456", partner="FOOD1", hope="Cheaper bills")
    seed("whatsapp:+447700900789")
    admin_services.inbound.receive(
        InboundMessage(new_sid(), parse_address("+447700900999"), "hi"), is_test=True
    )


@pytest.fixture
def officer(sign_in: Callable[[str], FlaskClient]) -> FlaskClient:
    return sign_in("officer")


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(admin_app, path: str) -> None:
    response = admin_app.test_client().get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/sign-in")


@pytest.mark.parametrize("path", PAGES)
def test_partners_never_see_conversations(sign_in, residents, path: str) -> None:
    assert sign_in("partner").get(path).status_code == 403


@pytest.mark.parametrize("role", ["admin", "officer"])
def test_the_list_shows_every_resident_masked(sign_in, residents, role: str) -> None:
    response = sign_in(role).get("/admin/conversations")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count("<h1") == 1
    assert "4 residents" in page
    for masked in ("07••• ••• 123", "07••• ••• 456", "07••• ••• 789", "07••• ••• 999"):
        assert masked in page
    assert "7700900123" not in page
    assert "7700 900123" not in page
    rows = rows_of(page)
    assert "Test" in rows[0]  # the newest resident came from the simulator
    assert "Test" not in "".join(rows[1:])
    library = next(row for row in rows if "07••• ••• 123" in row)
    for shown in ("SMS", "English", "LIB1", "Energy data", "Completed", "/admin/conversations/1"):
        assert shown in library
    assert "WhatsApp" in next(row for row in rows if "07••• ••• 789" in row)


FILTERS = [
    ("partner=LIB1", {"123"}),
    ("partner=FOOD1&channel=sms", {"456"}),
    ("channel=whatsapp", {"789"}),
    ("status=completed", {"123", "456", "789"}),
    ("status=active", {"999"}),
    ("flow=welcome", {"999"}),
    ("language=en&flow=energy-data", {"123", "456", "789"}),
    ("language=cy", set()),
    ("partner=NOPE", {"123", "456", "789", "999"}),  # unknown choices mean "any"
]


def test_filters_narrow_the_list(officer, residents) -> None:
    for query, expected in FILTERS:
        page = officer.get(f"/admin/conversations?{query}").get_data(as_text=True)
        shown = {row.split("••• ••• ")[1][:3] for row in rows_of(page)} if expected else set()
        assert shown == expected, query
        if not expected:
            assert "No conversations match these filters." in page


def test_dates_filter_on_when_residents_started(officer, residents) -> None:
    today = datetime.now(UTC).date()
    future = today + timedelta(days=2)
    query = f"from-day={future.day}&from-month={future.month}&from-year={future.year}"
    assert "No conversations match" in officer.get(f"/admin/conversations?{query}").get_data(
        as_text=True
    )
    yesterday = today - timedelta(days=1)
    query = f"from-day={yesterday.day}&from-month={yesterday.month}&from-year={yesterday.year}"
    assert "4 residents" in officer.get(f"/admin/conversations?{query}").get_data(as_text=True)


BAD_DATES = [
    ("from-day=31&from-month=2&from-year=2025", "The start date must be a real date"),
    ("to-day=1&to-month=x&to-year=2025", "The end date must be a real date"),
    ("from-day=1&from-month=1&from-year=25", "The start date must be a real date"),
    ("from-day=1&from-year=2025", "The start date must be a real date"),
    (
        "from-day=2&from-month=1&from-year=2025&to-day=1&to-month=1&to-year=2025",
        "The end date must be the same as or after the start date",
    ),
]


def test_a_bad_date_gets_a_clear_message(officer, residents) -> None:
    for query, message in BAD_DATES:
        response = officer.get(f"/admin/conversations?{query}&partner=LIB1")
        page = response.get_data(as_text=True)
        assert response.status_code == 400, query
        assert "There is a problem" in page
        assert message in page
        assert "govuk-error-message" in page
        assert 'value="LIB1" selected' in page  # what was chosen is kept
        assert len(rows_of(page)) == 1  # the other filters still apply


def test_fifty_a_page_with_govuk_pagination(officer, admin_services) -> None:
    bulk_residents(admin_services, 60)
    first = officer.get("/admin/conversations").get_data(as_text=True)
    assert len(rows_of(first)) == 50
    assert "govuk-pagination" in first
    assert "page=2" in first
    second = officer.get("/admin/conversations?page=2").get_data(as_text=True)
    assert len(rows_of(second)) == 10
    assert 'aria-current="page"' in second
    assert officer.get("/admin/conversations?page=abc").status_code == 200


def test_the_list_makes_the_same_number_of_queries_for_5_or_60(officer, admin_services) -> None:
    bulk_residents(admin_services, 5)
    with count_queries(admin_services) as few:
        assert officer.get("/admin/conversations").status_code == 200
    bulk_residents(admin_services, 55, first_id=2000)
    with count_queries(admin_services) as many:
        assert officer.get("/admin/conversations").status_code == 200
    print(f"queries for the list page: {len(few)} with 5 residents, {len(many)} with 60")
    assert len(few) == len(many) <= 6


def test_the_list_is_fast_with_10000_conversations(officer, admin_services) -> None:
    bulk_residents(admin_services, 10_000)
    officer.get("/admin/conversations")  # warm up: templates compiled, connection open
    timings = []
    for query in ("", "?page=100", "?partner=LIB1&status=completed&channel=sms"):
        started = time.perf_counter()
        response = officer.get(f"/admin/conversations{query}")
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200
    print(f"conversation list with 10,000 residents: {[round(t * 1000) for t in timings]} ms")
    # The target is 100 ms on an idle machine (printed above); the bound only catches a page
    # that stopped paging or went N+1, without failing on a busy CI box.
    assert statistics.median(timings) < 1.0


def test_the_transcript_reads_like_a_phone_thread(officer, residents) -> None:
    response = officer.get("/admin/conversations/1")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count("<h1") == 1
    assert "Conversation with 07••• ••• 123" in page
    assert "7700900123" not in page
    assert page.count("sgwrs-bubble--in") == page.count("sgwrs-bubble--out") > 10
    assert "Warm homes" in page
    assert "Being watched" in page
    for kind in ("Hope", "Fear", "Feedback", "Choice"):
        assert f"{kind}\n" in page or f"{kind}<" in page
    assert "When will it start?" in page
    assert "Waiting for an answer" in page
    assert "LIB1 – " in page
    assert "Central Library" in page
    assert "Replied at once" in page
    assert "Received" in page
    assert "SMS" in page
    assert "Reveal number" in page
    assert 'name="csrf_token"' in page


def test_an_unknown_resident_is_404(officer) -> None:
    assert officer.get("/admin/conversations/999").status_code == 404
    response = post_form(
        officer, "/admin/conversations/999/reveal", {"reason": "x"}, token_from="/admin/export"
    )
    assert response.status_code == 404


def audit_events(services: Container) -> list[AuditEvent]:
    with services.db.session() as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action != "signed_in")))


@pytest.mark.parametrize("reason", ["", "   "])
def test_revealing_needs_a_reason(officer, residents, admin_services, reason: str) -> None:
    response = post_form(
        officer,
        "/admin/conversations/1/reveal",
        {"reason": reason},
        token_from="/admin/conversations/1",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter why you need the full number" in page
    assert FULL not in page
    assert audit_events(admin_services) == []


def test_revealing_shows_the_number_once_and_logs_why(officer, residents, admin_services) -> None:
    reason = "Resident phoned to ask us to call back"
    response = post_form(
        officer,
        "/admin/conversations/1/reveal",
        {"reason": reason},
        token_from="/admin/conversations/1",
    )
    assert response.status_code == 200
    assert FULL in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    [logged] = audit_events(admin_services)
    assert (logged.action, logged.target, logged.detail) == ("number_revealed", "participant:1", "")
    assert logged.reason_encrypted is not None
    assert reason not in logged.reason_encrypted  # sealed: free text can name a resident
    assert admin_services.vault.open(logged.reason_encrypted) == reason
    assert FULL not in officer.get("/admin/conversations/1").get_data(as_text=True)


def test_revealing_without_a_csrf_token_fails(officer, residents, admin_services) -> None:
    response = officer.post("/admin/conversations/1/reveal", data={"reason": "because"})
    assert response.status_code == 400
    assert FULL not in response.get_data(as_text=True)
    assert audit_events(admin_services) == []


def test_the_pages_switch_to_welsh(officer, residents) -> None:
    post_form(
        officer,
        "/admin/language",
        {"language": "cy", "next": "/admin/conversations"},
        token_from="/admin/conversations",
    )
    page = officer.get("/admin/conversations").get_data(as_text=True)
    assert "Sgyrsiau" in page
    assert "Cwblhawyd" in page
    assert "Neges olaf" in officer.get("/admin/conversations").get_data(as_text=True)


def test_a_conversation_the_loop_guard_silenced_is_flagged_for_an_officer_in_both_languages(
    officer, admin_services: Container
) -> None:
    talk(admin_services, FULL, "hi", "2", *["I am away until Monday."] * 6)

    page = officer.get("/admin/conversations/1").get_data(as_text=True)
    assert "Needs a look" in page
    assert "the same text kept coming with the same reply" in page

    post_form(
        officer,
        "/admin/language",
        {"language": "cy", "next": "/admin/conversations/1"},
        token_from="/admin/conversations/1",
    )
    page = officer.get("/admin/conversations/1").get_data(as_text=True)
    assert "Angen golwg" in page
    assert "daeth yr un neges dro ar ôl tro" in page


def test_officers_find_residents_by_what_they_texted(sign_in, seed) -> None:
    seed("+447700900151", hope="Bysiau i'r pentref")
    seed("+447700900152", hope="A warmer flat")
    officer = sign_in("officer")
    first, second = "07••• ••• 151", "07••• ••• 152"
    page = officer.get("/admin/conversations?q=fysiau").get_data(as_text=True)
    assert first in page
    assert second not in page
    assert 'value="fysiau"' in page
    page = officer.get("/admin/conversations?q=warmer+flats").get_data(as_text=True)
    assert second in page
    assert first not in page
    # What the bot sent is not searched: both were told "Reply NEXT".
    page = officer.get("/admin/conversations?q=reply+next").get_data(as_text=True)
    assert first not in page
    assert second not in page
