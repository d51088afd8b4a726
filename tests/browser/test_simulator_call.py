"""The phone simulator's voice mode in a real browser: an officer rings the bot, presses keys
and types an answer in place of speaking, hangs up, then reads the page in Welsh; axe on each
page reached, and at a phone's width."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.conftest import check_page, expect_failure, follow

OpenPage = Callable[[str | None], Page]
#: After English: the explanations, the expectations, the privacy notice, consent, view yes.
TO_HOPES = ["1"] * 9


def press(page: Page, key: str) -> None:
    follow(page.get_by_role("button", name=f"Press {key}", exact=True))


def test_officer_rings_the_bot_presses_keys_and_types_an_answer(open_page: OpenPage) -> None:
    page = open_page("officer")
    page.goto("/admin/flows/simulator")
    follow(page.get_by_role("link", name="Phone call"))
    expect(page.locator("h1")).to_have_text("Phone simulator")
    follow(page.get_by_role("button", name="Ring Sgwrs"))
    said = page.locator(".sgwrs-bubble--out")
    expect(said.first).to_contain_text("Welsh")
    expect(said.first.locator('[lang="cy"]')).to_contain_text("Croeso i Sgwrs")
    expect(said.last.locator('[lang="en"]')).to_contain_text("For English, press 2")
    expect(page.get_by_role("button", name="Press *", exact=True)).to_be_visible()
    check_page(page, "simulator-call-ring")

    press(page, "2")
    expect(page.locator("main")).to_contain_text("You pressed 2.")
    expect(said.first.locator('[lang="en"]')).to_contain_text("Thanks.")
    for key in TO_HOPES:
        press(page, key)
    answer = page.get_by_label("What you would say")
    expect(answer).to_be_visible()
    expect(page.get_by_role("button", name="Press 1", exact=True)).to_have_count(0)
    check_page(page, "simulator-call-recording")

    expect_failure(page, page.url)  # nothing typed: the page answers 400 with the problem
    follow(page.get_by_role("button", name="Send the answer"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Type what you would say")
    check_page(page, "simulator-call-error")
    page.get_by_label("What you would say").fill("Warm homes for everyone on our street")
    follow(page.get_by_role("button", name="Send the answer"))
    expect(page.locator("main")).to_contain_text("Your words were kept in place of a recording.")
    expect(said.last.locator('[lang="en"]')).to_contain_text("What worries you about it?")
    follow(page.get_by_role("button", name="Skip it (press 1)"))
    follow(page.get_by_role("button", name="Hang up"))
    expect(page.locator("main")).to_contain_text("The call has ended.")
    check_page(page, "simulator-call-ended")

    follow(page.get_by_role("button", name="Cymraeg"))
    expect(page.locator("h1")).to_have_text("Efelychydd ffôn")
    follow(page.get_by_role("button", name="Ffonio Sgwrs"))
    expect(said.first).to_contain_text("Saesneg")  # the caller chose English on the last call
    expect(said.first.locator('[lang="en"]')).to_contain_text("Welcome back.")
    expect(page.get_by_label("Beth fyddech chi'n ei ddweud")).to_be_visible()  # at feedback
    expect(page.get_by_role("button", name="Mynd heibio (pwyso 1)")).to_be_visible()
    check_page(page, "simulator-call-cy")
    page.set_viewport_size({"width": 390, "height": 844})
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the call page is {width} px wide on a phone"
