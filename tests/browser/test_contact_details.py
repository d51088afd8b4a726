"""Redacted contact details in a real browser, with axe: the "Resident left contact details" tag
on the answers pages (officer and partner) and in the questions inbox, and the broadcast
preview's warning. The resident is seeded for this test alone and erased after it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Page, expect

from bot.store.participants import erase_participant, get_current_participant
from tests.admin.conftest import TO_HOPES, talk
from tests.browser.conftest import Live, check_page, follow

OpenPage = Callable[[str | None], Page]
RESIDENT = "+447700900127"
HOPE = "Warm homes. Ring me on 029 2087 2087 please"
FEAR = "Leaks. Write to jo.bloggs@example.com"
QUESTION = "Can you visit me at 12 High St, CF10 1AA?"
TAG = "Resident left contact details"


@pytest.fixture
def resident(live: Live) -> Iterator[None]:
    """A LIB1 resident whose answers and question hold contact details, for this test only."""
    services = live.services
    talk(services, RESIDENT, "LIB1", *TO_HOPES[1:], HOPE, FEAR, "None", QUESTION, "2")
    yield
    with services.db.session() as session:
        hashes = services.vault.number_hashes(RESIDENT)
        participant = get_current_participant(session, hashes, "sms")
        assert participant is not None
        erase_participant(session, participant.id or 0)


def test_the_tag_and_the_warning_read_well(open_page: OpenPage, resident: None) -> None:
    page = open_page("officer")
    page.goto("/admin/answers")
    hope = page.locator("li.sgwrs-answer", has_text="Warm homes. Ring me on [phone number] please")
    expect(hope.get_by_text(TAG)).to_be_visible()
    expect(hope.get_by_role("link", name="Full text in the transcript")).to_be_visible()
    assert "2087" not in page.content()
    check_page(page, "answers-contact-details")

    page.goto("/admin/questions")
    question = page.locator("section.sgwrs-question", has_text="[address], [postcode]?")
    expect(question.get_by_text(TAG)).to_be_visible()
    assert "High St" not in page.content()
    check_page(page, "questions-contact-details")

    follow(question.get_by_role("link", name="Full text in the transcript"))
    expect(page.get_by_role("cell", name=QUESTION)).to_be_visible()  # the full text is here

    page.goto("/admin/broadcasts")
    page.get_by_label("Residents of this flow").select_option("energy-data")
    page.get_by_label("Message in Welsh").fill("Diolch. Ffoniwch 029 2087 2087.")
    page.get_by_label("Message in English").fill("Thank you. Ring 029 2087 2087.")
    follow(page.get_by_role("button", name="Preview"))
    expect(page.get_by_text("This text contains a phone number")).to_be_visible()
    check_page(page, "broadcasts-contact-details")


def test_a_partner_sees_the_tag_without_a_link(open_page: OpenPage, resident: None) -> None:
    page = open_page("partner")
    page.goto("/admin/answers")
    fear = page.locator("li.sgwrs-answer", has_text="Leaks. Write to [email]")
    expect(fear.get_by_text(TAG)).to_be_visible()
    expect(page.get_by_role("link", name="Full text in the transcript")).to_have_count(0)
    assert "jo.bloggs" not in page.content()
    check_page(page, "answers-partner-contact-details")
