"""The overview's calls in a real browser: axe on the tables, in English and Welsh, on a desktop
and on a 390 px phone, where the tables scroll inside their own labelled regions."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import delete
from sqlmodel import col

from bot.store.models import Answer, Call, Conversation, Participant, Recording
from tests.admin.test_call_figures import CALLERS, add_callers
from tests.browser.conftest import Live, check_page, follow

OpenPage = Callable[[str | None], Page]
PHONE = {"width": 390, "height": 844}
#: The callers' numbers start after these, clear of the live app's residents.
FIRST = 40


@pytest.fixture
def calls_made(live: Live) -> Iterator[None]:
    """The admin tests' callers in the live app for this test only: the other journeys read
    figures that have no calls in them."""
    ids = list(add_callers(live.services, CALLERS, first=FIRST).values())
    yield
    with live.services.db.session() as session:
        for table in (Recording, Answer, Call, Conversation, Participant):
            key = table.id if table is Participant else table.participant_id
            session.execute(delete(table).where(col(key).in_(ids)))


def test_the_calls_tables_pass_axe_on_a_desktop_and_a_phone(
    open_page: OpenPage, calls_made: None
) -> None:
    page = open_page("officer")
    page.goto("/admin/overview")
    line = page.locator("#voice-cost")
    expect(line).to_have_text("Calls: 6, 6 minutes, £0.08 at £0.013 a minute.")
    region = page.get_by_role("region", name="Calls, minutes and recordings by flow")
    expect(region.get_by_role("table")).to_be_visible()
    check_page(page, "overview-calls")
    page.set_viewport_size(PHONE)
    check_page(page, "overview-calls-phone")
    follow(page.get_by_role("button", name="Cymraeg"))
    try:
        expect(line).to_have_text("Galwadau: 6, 6 munud, £0.08 ar £0.013 y funud.")
        check_page(page, "overview-calls-phone-cy")
    finally:
        follow(page.get_by_role("button", name="English"))
