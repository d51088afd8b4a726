"""Officers' notes and the "call back requested" flag on a resident's conversation.

A note is for colleagues: it shows on the transcript with who wrote it and when, is sealed in
the database, is in the resident's subject access export, and the audit log says only that one
was added. A call-back waits, with when suits the resident, until an officer clears it; the
conversations list can show just those waiting. Partners see none of it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlmodel import select

from bot.runtime.container import Container
from bot.store.call_backs import count_open_call_backs
from bot.store.models import AuditEvent, CallBack, ConversationNote
from tests.admin.conftest import form_fields, post_form, talk
from tests.admin.test_welsh_admin import WELSH_ROUTE, english_on, welsh_client

RESIDENT = "+447700900123"
NEIGHBOUR = "+447700900456"
TRANSCRIPT = "/admin/conversations/1"
NOTE = "Rang Mrs Evans back: she would like a paper copy posted to her."
LATER_NOTE = "Paper copy sent second class."
WHEN = "Weekday mornings after 10"


@pytest.fixture
def residents(seed: Callable[..., None]) -> None:
    seed(RESIDENT, partner="LIB1", hope="Warm homes")
    seed(NEIGHBOUR, hope="Cheaper bills")


@pytest.fixture
def officer(sign_in: Callable[[str], FlaskClient]) -> FlaskClient:
    return sign_in("officer")


def add_note(client: FlaskClient, text: str, path: str = TRANSCRIPT):  # type: ignore[no-untyped-def]
    return post_form(client, f"{path}/notes", {"note": text}, token_from=path)


def mark_call_back(client: FlaskClient, when: str = WHEN, path: str = TRANSCRIPT):  # type: ignore[no-untyped-def]
    return post_form(client, f"{path}/call-back", {"when": when}, token_from=path)


def events(services: Container, *actions: str) -> list[AuditEvent]:
    with services.db.session() as session:
        statement = select(AuditEvent).where(AuditEvent.action.in_(actions))  # type: ignore[attr-defined]
        return list(session.exec(statement.order_by(AuditEvent.id)))  # type: ignore[arg-type]


def stored_notes(services: Container) -> list[ConversationNote]:
    with services.db.session() as session:
        return list(session.exec(select(ConversationNote)))


def notes_section(page: str) -> str:
    return page.split('id="notes"', 1)[1].split("</form>", 1)[0]


# -- notes ---------------------------------------------------------------------------------------


def test_an_officer_adds_notes_shown_newest_first_with_who_and_when(officer, residents) -> None:
    response = add_note(officer, NOTE)
    assert response.status_code == 302
    assert response.location.endswith(f"{TRANSCRIPT}#notes")
    add_note(officer, LATER_NOTE)

    page = officer.get(TRANSCRIPT).get_data(as_text=True)
    assert "Note added" in page
    section = notes_section(page)
    assert section.index(LATER_NOTE) < section.index(NOTE)
    assert section.count('<span translate="no">Officer</span>') == 2
    assert re.search(r"Officer</span> · \d{1,2} \w+ \d{4},? \d{1,2}:\d{2}", section)
    assert "No notes yet." not in page
    assert "No notes yet." in officer.get("/admin/conversations/2").get_data(as_text=True)


def test_a_note_is_sealed_and_the_audit_log_records_only_that_it_was_added(
    officer, residents, admin_services: Container, sign_in
) -> None:
    add_note(officer, NOTE)

    [row] = stored_notes(admin_services)
    assert "Evans" not in row.text_encrypted
    assert admin_services.vault.open(row.text_encrypted) == NOTE
    [event] = events(admin_services, "note_added")
    assert (event.target, event.detail, event.reason_encrypted) == ("participant:1", "", None)
    audit = sign_in("admin").get("/admin/audit").get_data(as_text=True)
    assert "Added a note to a conversation" in audit
    assert "Evans" not in audit


@pytest.mark.parametrize(
    ("typed", "message"),
    [("   ", "Write the note first."), ("x" * 501, "A note can be at most 500 characters.")],
)
def test_an_empty_or_long_note_is_explained_and_what_was_typed_kept(
    officer, residents, admin_services: Container, typed: str, message: str
) -> None:
    response = add_note(officer, typed)

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page
    assert 'href="#note"' in page
    assert 'id="note-error"' in page
    assert message in page
    assert typed.strip() in notes_section(page)
    assert stored_notes(admin_services) == []
    assert events(admin_services, "note_added") == []


def test_a_note_sent_twice_is_kept_once(officer, residents, admin_services: Container) -> None:
    page = officer.get(TRANSCRIPT).get_data(as_text=True)
    form = {**form_fields(page, f"{TRANSCRIPT}/notes"), "note": NOTE}
    first = officer.post(f"{TRANSCRIPT}/notes", data=form)
    again = officer.post(f"{TRANSCRIPT}/notes", data=form)

    assert (first.status_code, again.status_code) == (302, 302)
    assert len(stored_notes(admin_services)) == 1
    assert len(events(admin_services, "note_added")) == 1


def test_a_note_for_a_resident_no_longer_held_is_404(officer, residents) -> None:
    assert add_note(officer, NOTE, "/admin/conversations/999").status_code == 404


def test_partners_can_neither_add_nor_read_notes(sign_in, residents, admin_services) -> None:
    add_note(sign_in("officer"), NOTE)
    partner = sign_in("partner")
    assert add_note(partner, LATER_NOTE, TRANSCRIPT).status_code == 403
    assert mark_call_back(partner).status_code == 403
    assert partner.get(TRANSCRIPT).status_code == 403
    for page in ("/admin/overview", "/admin/answers"):
        assert "Evans" not in partner.get(page).get_data(as_text=True)
    assert len(stored_notes(admin_services)) == 1


# -- call-backs ----------------------------------------------------------------------------------


def test_a_call_back_waits_until_an_officer_clears_it(
    officer, residents, admin_services: Container
) -> None:
    assert "No call back is waiting." in officer.get(TRANSCRIPT).get_data(as_text=True)
    response = mark_call_back(officer)
    assert response.status_code == 302
    assert response.location.endswith(f"{TRANSCRIPT}#call-back")

    page = officer.get(TRANSCRIPT).get_data(as_text=True)
    heading = page.split("<h1", 1)[1].split("</h1>", 1)[0]
    assert "Call back requested" in heading
    assert WHEN in page
    with admin_services.db.session() as session:
        assert count_open_call_backs(session) == 1
        [row] = session.exec(select(CallBack)).all()
    assert row.when_encrypted is not None
    assert WHEN not in row.when_encrypted

    response = post_form(officer, f"{TRANSCRIPT}/call-back/clear", {}, token_from=TRANSCRIPT)
    assert response.status_code == 302
    page = officer.get(TRANSCRIPT).get_data(as_text=True)
    assert "Call back marked as done" in page
    assert "No call back is waiting." in page
    assert WHEN not in page
    with admin_services.db.session() as session:
        assert count_open_call_backs(session) == 0
    logged = events(admin_services, "call_back_requested", "call_back_cleared")
    assert [(e.action, e.target) for e in logged] == [
        ("call_back_requested", "participant:1"),
        ("call_back_cleared", "participant:1"),
    ]
    assert all(WHEN not in e.detail and e.reason_encrypted is None for e in logged)


def test_the_list_shows_only_residents_waiting_for_a_call(officer, residents) -> None:
    mark_call_back(officer, "", "/admin/conversations/2")

    waiting = officer.get("/admin/conversations?call_back=requested").get_data(as_text=True)
    assert "1 resident" in waiting
    assert "07••• ••• 456" in waiting
    assert "07••• ••• 123" not in waiting
    assert "Call back requested" in waiting.split("<tbody", 1)[1]
    assert '<option value="requested" selected>' in waiting
    everyone = officer.get("/admin/conversations").get_data(as_text=True)
    assert "2 residents" in everyone
    assert everyone.split("<tbody", 1)[1].count("Call back requested") == 1


def test_marking_again_keeps_the_first_officers_note(officer, residents, admin_services) -> None:
    mark_call_back(officer)
    page = mark_call_back(officer, "Evenings", TRANSCRIPT)
    # The form is not on the page while a call-back waits; a second tab sending it again is told.
    assert page.status_code == 302
    shown = officer.get(TRANSCRIPT).get_data(as_text=True)
    assert "A call back was already requested." in shown
    assert WHEN in shown
    assert "Evenings" not in shown
    assert len(events(admin_services, "call_back_requested")) == 1


def test_when_suits_them_is_kept_short(officer, residents, admin_services) -> None:
    response = mark_call_back(officer, "y" * 121)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "When suits them can be at most 120 characters." in page
    assert 'href="#call-back-when"' in page
    assert "y" * 121 in page
    with admin_services.db.session() as session:
        assert count_open_call_backs(session) == 0


# -- subject access and Welsh --------------------------------------------------------------------


def test_notes_and_the_call_back_are_in_the_subject_access_export(
    sign_in, residents, admin_services
) -> None:
    officer = sign_in("officer")
    add_note(officer, NOTE)
    mark_call_back(officer)
    admin = sign_in("admin")
    response = post_form(admin, f"{TRANSCRIPT}/subject-access", {}, token_from=TRANSCRIPT)

    [person] = json.loads(response.get_data(as_text=True))["participants"]
    assert [note["text"] for note in person["officer_notes"]] == [NOTE]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", person["officer_notes"][0]["at"])
    assert "Officer" not in json.dumps(person["officer_notes"])  # never who wrote it
    assert person["call_back"]["when_suits"] == WHEN
    assert {"note_added", "call_back_requested"} <= {e["action"] for e in person["audit"]}


def test_notes_and_call_backs_read_in_welsh(sign_in, admin_services) -> None:
    talk(admin_services, RESIDENT, *WELSH_ROUTE, "Cartrefi cynnes", "Colli rheolaeth", "Dim", "na")
    client = welsh_client(sign_in, "officer")
    for problem in (add_note(client, ""), mark_call_back(client, "y" * 121)):
        assert problem.status_code == 400
        assert english_on(problem.get_data(as_text=True)) == {}
    for page in (add_note(client, NOTE), mark_call_back(client)):
        assert english_on(client.get(page.location).get_data(as_text=True)) == {}
    cleared = post_form(client, f"{TRANSCRIPT}/call-back/clear", {}, token_from=TRANSCRIPT)
    page = client.get(cleared.location).get_data(as_text=True)
    assert "Nodwyd bod yr alwad yn ôl" in page
    assert english_on(page) == {}
    listed = client.get("/admin/conversations?call_back=requested").get_data(as_text=True)
    assert english_on(listed) == {}
