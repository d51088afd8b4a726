"""Officers' notes and "call back requested" in a real browser, with axe in English and Welsh.

An officer reads a resident's transcript, leaves a note for colleagues, marks that the resident
asked to be phoned back (and when suits them), finds them in the conversations list filtered to
call-backs, and clears it once the call is made. A partner cannot reach any of it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import ENGLISH, SCREENSHOTS, Live, check_page, expect_failure, follow

OpenPage = Callable[[str | None], Page]
NOTE = "Rang back: she would like a paper copy posted to her."
WHEN = "Weekday mornings after 10"


def viewport_screenshot(section: Locator, name: str) -> None:
    """What an officer sees with `section` scrolled into view (the screenshot the brief keeps)."""
    section.scroll_into_view_if_needed()
    section.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_an_officer_notes_a_call_back_and_clears_it_when_done(
    open_page: OpenPage, live: Live
) -> None:
    page = open_page("officer")
    transcript = f"/admin/conversations/{live.participants[ENGLISH]}"
    page.goto(transcript)

    page.get_by_label("Add a note").fill(NOTE)
    follow(page.get_by_role("button", name="Save note"))
    expect(page).to_have_url(re.compile(rf"{transcript}#notes$"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Note added")
    note = page.locator(".sgwrs-note", has_text=NOTE)
    expect(note).to_contain_text("Officer Tester")

    page.get_by_label("When suits them (optional)").fill(WHEN)
    follow(page.get_by_role("button", name="Mark call back requested"))
    expect(page.locator("h1")).to_contain_text("Call back requested")
    call_back = page.locator("#call-back + dl")
    expect(call_back).to_contain_text(WHEN)
    expect(call_back).to_contain_text("Officer Tester")
    check_page(page, "transcript-notes")
    viewport_screenshot(page.locator("#call-back"), "transcript-notes")

    follow(page.get_by_role("button", name="Cymraeg"))
    expect(page.locator("h1")).to_contain_text("Gofynnwyd am alwad yn ôl")
    expect(page.get_by_role("heading", name="Nodiadau")).to_be_visible()
    check_page(page, "transcript-notes-cy")
    follow(page.get_by_role("button", name="English"))

    page.goto("/admin/conversations")
    page.get_by_label("Call back").select_option("requested")
    follow(page.get_by_role("button", name="Apply filters"))
    expect(page).to_have_url(re.compile(r"call_back=requested"))
    expect(page.locator("#result-count")).to_have_text("1 resident")
    row = page.locator("tbody tr")
    expect(row).to_contain_text("Call back requested")
    check_page(page, "conversations-call-backs")

    follow(row.get_by_role("link"))
    follow(page.get_by_role("button", name="The call is done: clear it"))
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("Call back marked as done")
    expect(page.get_by_text("No call back is waiting.")).to_be_visible()
    expect(page.locator(".sgwrs-note", has_text=NOTE)).to_be_visible()  # the note stays
    check_page(page, "transcript-call-back-cleared")


def test_a_refused_note_is_explained_beside_it_in_english_and_welsh(
    open_page: OpenPage, live: Live
) -> None:
    page = open_page("officer")
    transcript = f"/admin/conversations/{live.participants[ENGLISH]}"
    page.goto(transcript)
    expect_failure(page, f"{live.url}{transcript}/notes")  # refused with a 400
    follow(page.get_by_role("button", name="Save note"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Write the note first.")
    summary.get_by_role("link", name="Write the note first.").click()  # jumps to the box
    expect(page.get_by_label("Add a note")).to_be_focused()
    check_page(page, "transcript-note-error")

    follow(page.get_by_role("button", name="Cymraeg"))
    page.goto(transcript)
    follow(page.get_by_role("button", name="Cadw'r nodyn"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Ysgrifennwch y nodyn")
    check_page(page, "transcript-note-error-cy")


def test_a_partner_reaches_no_note(open_page: OpenPage, live: Live) -> None:
    page = open_page("partner")
    transcript = f"{live.url}/admin/conversations/{live.participants[ENGLISH]}"
    expect_failure(page, transcript)
    response = page.goto(transcript)
    assert response is not None
    assert response.status == 403
    expect(page.get_by_text(NOTE)).to_have_count(0)
