"""The audit log's filters in a real browser, with axe in English and Welsh: an admin narrows the
log to one officer's sign-ins today, sees the choices kept in the address, and follows an entry
about a resident to that resident's transcript.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

from playwright.sync_api import Page, expect

from admin.dates import UK
from bot.core.audit import record_event
from bot.store.users import find_user_by_email
from tests.browser.conftest import ACCOUNTS, SCREENSHOTS, WELSH, Live, check_page, follow

OpenPage = Callable[[str | None], Page]


def test_an_admin_filters_the_log_and_opens_what_an_entry_was_about(
    open_page: OpenPage, live: Live
) -> None:
    open_page("officer")  # signed in today, so the log has the officer's sign-in
    resident = live.participants[WELSH]
    with live.services.db.session() as session:
        admin = find_user_by_email(session, ACCOUNTS["admin"][0])
        assert admin is not None
        record_event(session, admin.id, "person_exported", f"participant:{resident}")
    page = open_page("admin")
    page.goto("/admin/audit")
    today = datetime.now(UTC).astimezone(UK).date()

    page.get_by_label("What").select_option(label="Signed in")
    page.get_by_label("Who").select_option(label="Officer Tester (officer@council.example)")
    on_or_after = page.get_by_role("group", name="On or after")
    on_or_after.get_by_label("Day").fill(str(today.day))
    on_or_after.get_by_label("Month").fill(str(today.month))
    on_or_after.get_by_label("Year").fill(str(today.year))
    follow(page.get_by_role("button", name="Apply filters"))

    expect(page).to_have_url(re.compile(r"action=signed_in&user=\d+&from-day="))
    rows = page.locator("tbody tr")
    expect(rows.first).to_be_visible()
    for row in rows.all():
        expect(row).to_contain_text("Signed in")
        expect(row).to_contain_text("officer@council.example")
    expect(page.get_by_label("What")).to_have_value("signed_in")  # the choices stay shown
    check_page(page, "audit-filters")
    page.locator("form.sgwrs-filter-form").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "audit-filters.png"))

    follow(page.get_by_role("button", name="Cymraeg"))
    expect(page.get_by_label("Beth")).to_have_value("signed_in")
    check_page(page, "audit-filters-cy")
    follow(page.get_by_role("button", name="English"))

    page.get_by_label("What").select_option(label="Downloaded a resident's data")
    page.get_by_label("Who").select_option("")
    follow(page.get_by_role("button", name="Apply filters"))
    follow(page.get_by_role("link", name=f"Resident {resident}", exact=True).first)
    expect(page).to_have_url(re.compile(rf"/admin/conversations/{resident}$"))
    expect(page.locator("h1")).to_contain_text("Conversation with")
