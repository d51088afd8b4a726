"""The flows page (every message, its cost and reading age) and the phone simulator."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from admin.views.flows import simulator_number
from bot.core.flow_check import check_flows
from bot.core.flow_sheet import flow_sheets
from bot.core.reading_age import reading_age
from bot.runtime.container import Container
from bot.store.models import Participant
from tests.admin.conftest import post_form, talk
from tests.admin.test_overview import figures, tables

FLOWS = "/admin/flows"
SIMULATOR = "/admin/flows/simulator"
#: Partners can open the overview, so it gives them a CSRF token to try a POST with.
PAGE_WITH_TOKEN = "/admin/overview"


def thread(page: str) -> list[str]:
    """The simulator's bubbles, oldest first, as "You: hi" / "Sgwrs: Croeso..."."""
    bubbles = re.findall(r'<li class="sgwrs-bubble[^"]*">(.*?)</li>', page, re.S)
    return [re.sub(r"<[^>]+>", "", re.sub(r'<span class="sgwrs-meta".*', "", b)) for b in bubbles]


def participants(services: Container) -> list[Participant]:
    with services.db.session() as session:
        return list(session.exec(select(Participant).order_by(Participant.id)))


@pytest.mark.parametrize("path", [FLOWS, SIMULATOR])
def test_anonymous_visitors_are_sent_to_sign_in(admin_app, path: str) -> None:
    response = admin_app.test_client().get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/sign-in")


@pytest.mark.parametrize("path", [FLOWS, SIMULATOR])
def test_partners_may_not_see_flows_or_use_the_simulator(sign_in, path: str) -> None:
    partner = sign_in("partner")
    assert partner.get(path).status_code == 403
    assert (
        post_form(partner, SIMULATOR, {"text": "hi"}, token_from=PAGE_WITH_TOKEN).status_code == 403
    )


@pytest.mark.parametrize("role", ["admin", "officer"])
def test_the_flows_page_shows_each_message_in_both_languages(sign_in, role: str) -> None:
    response = sign_in(role).get(FLOWS)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count("<h1") == 1
    sheet = next(t for t in tables(page, "sheet-energy-data"))
    view = next(cells for cells in sheet["rows"] if cells[0].startswith("Their view"))
    # The choice goes out with its numbered options, as the engine sends it.
    assert view[1].startswith("Ddylai'r Cyngor wneud hyn? 1 Dylai 2 Na ddylai 3 Ddim yn siŵr")
    assert "UCS-2" in view[1]  # the ŵ makes the Welsh UCS-2
    assert view[2].startswith("Do you think the council should do this? 1 Yes 2 No 3 Not sure")
    assert "GSM-7" in view[2]
    assert "Reading age about" in view[2]
    consent = next(
        cells for cells in sheet["rows"] if cells[0].startswith("Keeping answers asks consent")
    )
    assert "2 segments" in consent[2]  # over 160 characters
    declined = next(cells for cells in sheet["rows"] if "if they say no" in cells[0])
    assert declined[2].startswith("That's fine. We will not keep any answers.")
    assert "Welsh texts await review by a fluent speaker" in page
    assert "Welsh awaits review" in view[1]  # per text
    assert "words a sentence" in view[1]  # the plain-Welsh figures beside the reading age
    # These flows are the ones before the budget: the page shows why they fail it.
    assert "text is 5 segments; no text may be more than 3: one idea per text" in page
    routes = tables(page, "routes")[0]["rows"]
    assert routes[-1] == ["The whole conversation", "30", "18"]
    assert "The bot&#39;s own texts" in page  # help, STOP replies and the like
    welcome = tables(page, "sheet-welcome")[0]
    assert any("gets both as one text, Welsh first" in " ".join(r) for r in welcome["rows"])


def test_each_step_is_named_by_its_title_in_the_officers_language(sign_in) -> None:
    officer = sign_in("officer")
    sheet = tables(officer.get(FLOWS).get_data(as_text=True), "sheet-energy-data")[0]
    names = [cells[0] for cells in sheet["rows"][1:]]
    assert names[:2] == ["The plan explains", "The plan explains: simpler words (SIMPLER)"]
    assert "Their view choice" in names
    welcome = tables(officer.get(FLOWS).get_data(as_text=True), "sheet-welcome")[0]
    assert welcome["rows"][1][0] == "Choosing a language choice"
    post_form(officer, "/admin/language", {"language": "cy", "next": FLOWS}, token_from=FLOWS)
    sheet = tables(officer.get(FLOWS).get_data(as_text=True), "sheet-energy-data")[0]
    assert sheet["rows"][1][0] == "Y cynllun esbonio"


def test_the_flow_sheet_matches_the_flows_check(admin_services: Container) -> None:
    settings = admin_services.settings
    report = check_flows(settings.flows_path, settings.default_flow)
    sheets = {sheet.flow_id: sheet for sheet in flow_sheets(admin_services.library, report)}
    assert set(sheets) == {"energy-data", "welcome", "system"}
    rows = {(row.step_id, row.variant): row for row in sheets["energy-data"].rows}
    assert ("plan", "simpler") in rows
    assert ("who-sees", "faq") in rows
    assert ("which-first", "") not in rows  # a branch sends nothing
    assert rows[("consent", "")].en.segments == 2
    lines = [line for line in report.lines if "energy-data/consent " in line and " en " in line]
    assert f"{rows[('consent', '')].en.characters} chars" in lines[0]
    assert sheets["welcome"].rows[0].both is not None


def test_reading_age_is_flesch_kincaid_plus_five_and_works_offline() -> None:
    assert reading_age("Thank you.") == 5  # never under 5
    plain = reading_age("Do you think the council should do this?")
    hard = reading_age(
        "Notwithstanding considerable administrative complexity, the authority anticipates "
        "implementing comprehensive algorithmic prioritisation methodologies."
    )
    assert plain is not None
    assert hard is not None
    assert plain < 10 < hard


def test_the_simulator_runs_the_real_engine_as_test_data(sign_in, admin_services) -> None:
    officer = sign_in("officer")
    page = officer.get(SIMULATOR).get_data(as_text=True)
    assert "No texts yet" in page
    assert "07••• ••• 502" in page  # the officer's own pretend phone, masked
    response = post_form(officer, SIMULATOR, {"text": "hi"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/flows/simulator#thread-end"
    post_form(officer, SIMULATOR, {"text": "2"})
    shown = thread(officer.get(SIMULATOR).get_data(as_text=True))
    assert shown[0] == "You: hi"
    assert shown[1].startswith("Sgwrs: Croeso i Sgwrs gan Gyngor Sir Enghraifft.")
    assert shown[2] == "You: 2"
    assert shown[3].startswith("Sgwrs: Thanks. Send HELP for help")  # newest last
    [resident] = participants(admin_services)
    assert resident.is_test
    assert resident.language == "en"


def test_start_again_sends_new_and_starts_a_new_test_resident(sign_in, admin_services) -> None:
    officer = sign_in("officer")
    post_form(officer, SIMULATOR, {"text": "hi"})
    response = post_form(officer, SIMULATOR, {"restart": "1", "text": ""})
    assert response.status_code == 302
    shown = thread(officer.get(SIMULATOR).get_data(as_text=True))
    assert "hi" not in " ".join(shown)  # the thread is the new resident's
    assert shown[-1].startswith("Sgwrs: ")
    assert "Croeso i Sgwrs" in shown[-1]
    old, new = participants(admin_services)
    assert old.closed_at is not None
    assert new.is_test


def test_each_officer_has_their_own_simulator_phone(sign_in, admin_services) -> None:
    officer, admin = sign_in("officer"), sign_in("admin")
    post_form(officer, SIMULATOR, {"text": "hi"})
    assert "No texts yet" in admin.get(SIMULATOR).get_data(as_text=True)
    assert simulator_number(1) != simulator_number(2)
    assert simulator_number(1).startswith("+447700900")  # Ofcom's drama range
    assert simulator_number(1001) == simulator_number(501)  # wraps within 900500-900999


def test_the_simulator_is_left_out_of_the_overview(sign_in, seed) -> None:
    seed("+447700900111", partner="LIB1")
    officer = sign_in("officer")
    before = officer.get("/admin/overview").get_data(as_text=True)
    for text in ("LIB1", "2", *["next"] * 7, "yes", "1", "Warm homes"):
        post_form(officer, SIMULATOR, {"text": text})
    after = officer.get("/admin/overview").get_data(as_text=True)
    assert figures(after, "energy-data") == figures(before, "energy-data")
    assert figures(after, "energy-data")["Started"] == 1
    assert tables(after) == tables(before)


@pytest.mark.parametrize("data", [{"text": "hi"}, {"restart": "1"}])
def test_posts_without_a_csrf_token_are_refused(sign_in, admin_services, data) -> None:
    response = sign_in("officer").post(SIMULATOR, data=data)
    assert response.status_code == 400
    assert participants(admin_services) == []


def test_an_empty_message_is_refused_and_nothing_is_sent(sign_in, admin_services) -> None:
    officer = sign_in("officer")
    response = post_form(officer, SIMULATOR, {"text": "   "})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page
    assert page.count("Enter a message to send") == 2  # the summary and the field
    assert participants(admin_services) == []


def test_a_too_long_message_keeps_what_was_typed(sign_in, admin_services) -> None:
    officer = sign_in("officer")
    typed = "A" * 1601
    response = post_form(officer, SIMULATOR, {"text": typed})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "A text can be at most 1,600 characters" in page
    assert f">{typed}</textarea>" in page
    assert participants(admin_services) == []


def test_a_real_resident_on_the_simulator_number_is_never_touched(sign_in, admin_services) -> None:
    talk(admin_services, simulator_number(2), "hi")  # a real (non-test) resident on that number
    officer = sign_in("officer")
    response = post_form(officer, SIMULATOR, {"text": "STOP"})
    assert response.status_code == 400
    assert "not test data uses this number" in response.get_data(as_text=True)
    [resident] = participants(admin_services)
    assert not resident.opted_out
