"""The audit log and the users page: admins only; adding and deactivating accounts is logged."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlmodel import select

from bot.core.audit import record_event
from bot.runtime.container import Container
from bot.store.models import AuditEvent, User
from tests.admin.conftest import ACCOUNTS, PASSWORD, post_form

NEW = {
    "name": "Nia Jones",
    "email": "Nia.Jones@council.example",
    "role": "officer",
    "password": "a long enough password",
}


@pytest.fixture
def admin(sign_in: Callable[[str], FlaskClient]) -> FlaskClient:
    return sign_in("admin")


def user_id(services: Container, email: str) -> int:
    with services.db.session() as session:
        user = session.exec(select(User).where(User.email == email)).one()
        assert user.id is not None
        return user.id


def logged(services: Container, action: str) -> list[AuditEvent]:
    with services.db.session() as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)))


def can_sign_in(app, email: str, password: str) -> bool:  # type: ignore[no-untyped-def]
    client = app.test_client()
    response = post_form(
        client, "/admin/sign-in?next=/admin/export", {"email": email, "password": password}
    )
    return response.status_code == 302


@pytest.mark.parametrize("path", ["/admin/audit", "/admin/users"])
def test_anonymous_visitors_are_sent_to_sign_in(admin_app, path: str) -> None:
    response = admin_app.test_client().get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/sign-in")


@pytest.mark.parametrize("role", ["officer", "partner"])
@pytest.mark.parametrize("path", ["/admin/audit", "/admin/users"])
def test_only_admins_see_the_audit_log_and_users(sign_in, role: str, path: str) -> None:
    assert sign_in(role).get(path).status_code == 403


@pytest.mark.parametrize("role", ["officer", "partner"])
def test_only_admins_change_accounts(sign_in, admin_services, role: str) -> None:
    client = sign_in(role)
    assert post_form(client, "/admin/users", NEW, token_from="/admin/sign-in").status_code == 403
    target = user_id(admin_services, ACCOUNTS["admin"][0])
    path = f"/admin/users/{target}/deactivate"
    assert post_form(client, path, {}, token_from="/admin/sign-in").status_code == 403
    assert logged(admin_services, "user_created") == []


def test_the_audit_log_shows_who_did_what_newest_first(admin, admin_services) -> None:
    officer = user_id(admin_services, ACCOUNTS["officer"][0])
    with admin_services.db.session() as session:
        reason = admin_services.vault.seal("Call back request to 07700 900123")
        record_event(session, officer, "number_revealed", "participant:7", sealed_reason=reason)
        record_event(session, officer, "export_downloaded", "answers", "flow=any; rows=12")
    page = admin.get("/admin/audit").get_data(as_text=True)
    assert page.count("<h1") == 1
    assert "<caption" in page
    assert "Downloaded an export" in page
    assert "Revealed a number" in page
    assert page.index("Downloaded an export") < page.index("Revealed a number")
    assert "Resident 7" in page
    assert "Call back request to [phone number]" in page  # what officers typed is redacted
    assert "900123" not in page
    assert "Officer" in page
    assert "Signed in" in page  # the admin's own sign-in


def test_the_audit_log_is_paged(admin, admin_services) -> None:
    with admin_services.db.session() as session:
        for n in range(60):
            record_event(session, None, "export_downloaded", "answers", f"event {n:02d}")
    first = admin.get("/admin/audit").get_data(as_text=True)
    assert first.count('<tr class="govuk-table__row">') == 1 + 50
    assert "event 59" in first
    assert "event 09" not in first
    assert "page=2" in first
    assert "govuk-pagination" in first
    second = admin.get("/admin/audit?page=2").get_data(as_text=True)
    assert "event 09" in second
    assert "event 59" not in second
    assert "page=1" in second
    assert "page=3" not in second


def test_the_users_page_lists_accounts(admin) -> None:
    page = admin.get("/admin/users").get_data(as_text=True)
    assert page.count("<h1") == 1
    for email, _partner in ACCOUNTS.values():
        assert email in page
    assert "LIB1" in page
    assert "FOOD1" in page
    assert "Partner" in page
    assert page.count("Deactivate<span") == len(ACCOUNTS) - 1  # not for yourself
    assert 'name="csrf_token"' in page
    assert 'autocomplete="new-password"' in page


def test_adding_an_account(admin, admin_app, admin_services) -> None:
    response = post_form(admin, "/admin/users", NEW)
    assert response.status_code == 302
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "Account added for nia.jones@council.example" in page
    assert "Nia Jones" in page
    assert can_sign_in(admin_app, NEW["email"], NEW["password"])
    [event] = logged(admin_services, "user_created")
    assert event.target == f"user:{user_id(admin_services, 'nia.jones@council.example')}"
    assert NEW["password"] not in event.detail


def test_a_partner_account_gets_its_code(admin, admin_services) -> None:
    data = {**NEW, "role": "partner", "partner_code": "HWB1"}
    assert post_form(admin, "/admin/users", data).status_code == 302
    with admin_services.db.session() as session:
        user = session.exec(select(User).where(User.email == "nia.jones@council.example")).one()
    assert (user.role, user.partner_code) == ("partner", "HWB1")


@pytest.mark.parametrize(
    ("change", "message", "field"),
    [
        ({"email": "not-an-email"}, "Enter an email address like", "email"),
        ({"email": ACCOUNTS["officer"][0]}, "There is already an account", "email"),
        ({"password": "short"}, "The password must be at least 12 characters", "password"),
        ({"role": "partner"}, "A partner account needs the partner", "partner_code"),
        ({"role": ""}, "Choose a role from the list.", "role"),
    ],
)
def test_a_bad_account_is_explained(admin, admin_services, change, message, field) -> None:
    response = post_form(admin, "/admin/users", {**NEW, **change})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page
    assert message in page
    assert re.search(rf'id="{field}-error"|href="#{field}"', page)
    assert 'value="Nia Jones"' in page  # nothing typed is lost (except the password)
    assert logged(admin_services, "user_created") == []


def test_deactivating_an_account_stops_it_signing_in(
    admin, sign_in, admin_app, admin_services
) -> None:
    officer = sign_in("officer")
    target = user_id(admin_services, ACCOUNTS["officer"][0])
    response = post_form(admin, f"/admin/users/{target}/deactivate", {}, token_from="/admin/users")
    assert response.status_code == 302
    assert '<span translate="no">Officer</span> can no longer sign in' in admin.get(
        "/admin/users"
    ).get_data(as_text=True)
    assert officer.get("/admin/conversations").status_code == 302  # signed out at once
    assert not can_sign_in(admin_app, ACCOUNTS["officer"][0], PASSWORD)
    [event] = logged(admin_services, "user_deactivated")
    assert event.target == f"user:{target}"


def test_an_admin_cannot_deactivate_themselves(admin, admin_app, admin_services) -> None:
    me = user_id(admin_services, ACCOUNTS["admin"][0])
    response = post_form(admin, f"/admin/users/{me}/deactivate", {}, token_from="/admin/users")
    assert response.status_code == 400
    assert "You cannot deactivate your own account" in response.get_data(as_text=True)
    assert admin.get("/admin/users").status_code == 200
    assert logged(admin_services, "user_deactivated") == []


def test_deactivating_an_unknown_account_is_404(admin) -> None:
    response = post_form(admin, "/admin/users/999/deactivate", {}, token_from="/admin/users")
    assert response.status_code == 404


def test_account_changes_need_a_csrf_token(admin, admin_services) -> None:
    assert admin.post("/admin/users", data=NEW).status_code == 400
    target = user_id(admin_services, ACCOUNTS["officer"][0])
    assert admin.post(f"/admin/users/{target}/deactivate").status_code == 400
    assert logged(admin_services, "user_created") == []
    assert logged(admin_services, "user_deactivated") == []
