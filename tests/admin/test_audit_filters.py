"""The audit log narrowed by action, by account and by dates (a plain GET form, so the URL says
what is shown and works without JavaScript), and each entry named in words: who by name and
email, what it was about as "Resident 7" or "Answer 12" linked to where it can be opened.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from sqlmodel import select

from bot.runtime.container import Container
from bot.store.audit import add_audit_event
from bot.store.models import Answer, User
from bot.store.participants import erase_participant
from bot.store.themes import add_theme
from tests.admin.conftest import ACCOUNTS
from tests.admin.pages import read_page
from tests.admin.test_welsh_admin import english_on, welsh_client

MARCH = datetime(2026, 3, 10, 12, tzinfo=UTC)
APRIL = datetime(2026, 4, 20, 12, tzinfo=UTC)


@pytest.fixture
def admin(sign_in: Callable[[str], FlaskClient]) -> FlaskClient:
    return sign_in("admin")


def account(services: Container, role: str) -> int:
    with services.db.session() as session:
        found = session.exec(select(User.id).where(User.email == ACCOUNTS[role][0])).one()
    assert found is not None
    return found


def log(services: Container, at: datetime, user_id: int | None, action: str, target: str) -> None:
    with services.db.session() as session:
        add_audit_event(
            session,
            at=at,
            user_id=user_id,
            action=action,
            target=target,
            detail="",
            reason_encrypted=None,
        )


def chosen(page: str) -> dict[str, str]:
    """What the filter form would send as it stands: the choices it shows as made."""
    [form] = [form for form in read_page(page).forms if form.action == "/admin/audit"]
    return dict(form.fields)


def rows_of(page: str) -> list[str]:
    body = page.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", body, re.S)


@pytest.fixture
def history(admin_services: Container) -> dict[str, int]:
    """An officer's export in March and note in April, an admin's export in April."""
    officer, admin_id = account(admin_services, "officer"), account(admin_services, "admin")
    log(admin_services, MARCH, officer, "export_downloaded", "answers")
    log(admin_services, APRIL, officer, "note_added", "participant:1")
    log(admin_services, APRIL, admin_id, "export_downloaded", "answers")
    return {"officer": officer, "admin": admin_id}


def test_the_filters_are_a_get_form_that_works_without_javascript(admin, history) -> None:
    page = admin.get("/admin/audit").get_data(as_text=True)
    form = page.split('<form method="get" action="/admin/audit"', 1)[1].split("</form>", 1)[0]
    for name in ("action", "user", "from-day", "from-month", "from-year", "to-day", "to-year"):
        assert f'name="{name}"' in form
    assert re.search(r'<option value="note_added"\s*>Added a note to a conversation<', form)
    assert "Officer (officer@council.example)" in form
    assert 'href="/admin/audit">Clear filters' in form


def test_by_action(admin, history) -> None:
    page = admin.get("/admin/audit?action=export_downloaded").get_data(as_text=True)
    rows = [row for row in rows_of(page) if "Signed in" not in row]
    assert len(rows) == 2
    assert all("Downloaded an export" in row for row in rows)
    assert chosen(page)["action"] == "export_downloaded"


def test_by_account_shown_by_name_and_email(admin, history) -> None:
    page = admin.get(f"/admin/audit?user={history['officer']}").get_data(as_text=True)
    rows = rows_of(page)
    assert len(rows) == 2
    for row in rows:
        assert '<span translate="no">Officer</span>' in row
        assert "officer@council.example" in row
    assert chosen(page)["user"] == str(history["officer"])


def test_by_dates_on_or_after_and_on_or_before(admin, history) -> None:
    march = "from-day=1&from-month=3&from-year=2026&to-day=31&to-month=3&to-year=2026"
    rows = rows_of(admin.get(f"/admin/audit?{march}").get_data(as_text=True))
    assert len(rows) == 1
    assert "10 Mar 2026" in rows[0]
    april = admin.get(
        "/admin/audit?from-day=1&from-month=4&from-year=2026&action=export_downloaded"
    )
    assert len(rows_of(april.get_data(as_text=True))) == 1
    nothing = admin.get("/admin/audit?to-day=1&to-month=1&to-year=2026").get_data(as_text=True)
    assert "No entries match these filters." in nothing


def test_a_bad_date_is_explained_and_an_unknown_choice_means_any(admin, history) -> None:
    response = admin.get("/admin/audit?from-day=31&from-month=2&from-year=2026")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page
    assert "The start date must be a real date" in page
    assert 'href="#from-day"' in page
    anything = admin.get("/admin/audit?action=made_up&user=999999").get_data(as_text=True)
    assert len(rows_of(anything)) >= 3


def test_the_next_page_keeps_the_filters(admin, admin_services, history) -> None:
    for _ in range(55):
        log(admin_services, MARCH, history["officer"], "export_downloaded", "answers")
    page = admin.get(f"/admin/audit?action=export_downloaded&user={history['officer']}")
    text = page.get_data(as_text=True)
    assert len(rows_of(text)) == 50
    [link] = re.findall(r'href="(/admin/audit\?[^"]*page=2[^"]*)"', text)
    assert "action=export_downloaded" in link
    assert f"user={history['officer']}" in link
    second = admin.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert len(rows_of(second)) == 6


def test_what_each_entry_was_about_reads_as_words_and_links(
    admin, admin_services: Container, seed: Callable[..., None], history
) -> None:
    seed("+447700900123")
    seed("+447700900456")
    with admin_services.db.session() as session:
        answer = session.exec(select(Answer).where(Answer.participant_id == 1)).first()
        theme = add_theme(session, "Cost of heating")
        erase_participant(session, 2)
    assert answer is not None
    officer = history["officer"]
    for target in (
        "participant:1",
        "participant:2",
        f"answer:{answer.id}",
        f"user:{officer}",
        f"theme:{theme.id}",
    ):
        log(admin_services, APRIL, history["admin"], "number_revealed", target)

    rows = rows_of(admin.get("/admin/audit?action=number_revealed").get_data(as_text=True))
    about = [row.split('<td class="govuk-table__cell sgwrs-break">')[2] for row in rows]
    theme_row, user_row, answer_row, erased_row, resident_row = about
    assert '<a class="govuk-link" href="/admin/conversations/1">Resident 1</a>' in resident_row
    assert "Resident 2" in erased_row
    assert "<a" not in erased_row.split("</td>")[0]  # erased: nothing left to open
    assert f'href="/admin/conversations/1#answer-{answer.id}">Answer {answer.id}</a>' in answer_row
    assert '<span translate="no">Officer</span>' in user_row
    assert "officer@council.example" in user_row
    assert 'Theme “<span translate="no">Cost of heating</span>”' in theme_row


def test_the_filtered_log_reads_in_welsh(sign_in, admin_services, history) -> None:
    client = welsh_client(sign_in, "admin")
    page = client.get(f"/admin/audit?action=note_added&user={history['officer']}")
    text = page.get_data(as_text=True)
    assert "Hidlo'r log archwilio" in text.replace("&#39;", "'")
    assert "Preswylydd 1" in text
    assert english_on(text) == {}
    bad = client.get("/admin/audit?to-day=40&to-month=1&to-year=2026").get_data(as_text=True)
    assert english_on(bad) == {}
