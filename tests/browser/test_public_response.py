"""The public response in a real browser: an officer writes what was heard, decided and why for
a theme in Welsh and English, picks a quote and publishes; a visitor with no session reads it
in Welsh and then English, and on paper the navigation is gone; axe finds nothing on any page
in either language."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from bot.store.answer_list import AnswerFilter, list_open_answers
from bot.store.themes import find_or_add_theme, set_answer_themes
from tests.browser.conftest import AXE_RESULTS, HOPE, SCREENSHOTS, Live, check_page, follow

OpenPage = Callable[[str | None], Page]
FLOW = "energy-data"
THEME = "Homes kept warm"
WELSH_THEME = "Cartrefi clyd"
DECIDED = {
    "cy": "Byddwn yn defnyddio data ynni i gyrraedd cartrefi oer yn gyntaf.",
    "en": "We will use energy data to reach cold homes first.",
}
WRITTEN = {
    "Overall summary": (
        "Diolch am eich atebion: dyma beth wnaethon ni.",
        "Thank you: here is what we did.",
    ),
    "What we heard": ("Roedd pobl eisiau cartrefi cynnes.", "People wanted warm homes."),
    "What we decided": (DECIDED["cy"], DECIDED["en"]),
    "Why we decided it": (
        "Mae'n helpu'r rhai sydd angen help fwyaf.",
        "It helps those most in need.",
    ),
}


@pytest.fixture
def tagged(live: Live) -> int:
    """The theme, with the English resident's hope tagged with it (its other tags kept)."""
    with live.services.db.session() as session:
        theme = find_or_add_theme(session, THEME)
        theme.name_cy = WELSH_THEME
        session.add(theme)
        listed = list_open_answers(
            session, live.services.vault, AnswerFilter(flow_id=FLOW), limit=50, offset=0
        )
        hope = next(answer for answer in listed.answers if answer.text == HOPE)
        set_answer_themes(session, hope.id, [*(t for t, _ in hope.themes), theme.id or 0])
        return theme.id or 0


def checked(page: Page, name: str, shown: Locator | None = None) -> None:
    """axe with no violations at all, and a screenshot of the viewport (with `shown` in it)."""
    check_page(page, name)
    assert AXE_RESULTS[name] == [], AXE_RESULTS[name]
    if shown is not None:
        shown.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def write_the_response(page: Page, theme_id: int) -> None:
    summary = page.locator("fieldset", has=page.get_by_role("heading", name="Overall summary"))
    theme = page.locator(f"#theme-{theme_id}")
    for part, (welsh, english) in WRITTEN.items():
        where = summary if part == "Overall summary" else theme
        where.get_by_label(f"{part}, in Welsh").fill(welsh)
        where.get_by_label(f"{part}, in English").fill(english)
    theme.get_by_label(HOPE).check()


def test_an_officer_publishes_a_response_and_a_visitor_reads_and_prints_it(
    open_page: OpenPage, live: Live, tagged: int
) -> None:
    officer = open_page("officer")
    officer.goto("/admin/")
    follow(
        officer.locator(".govuk-service-navigation").get_by_role("link", name="Public responses")
    )
    checked(officer, "responses")
    follow(officer.get_by_role("link", name="Energy data and cold homes"))
    expect(officer.locator("h1")).to_have_text("Public response: Energy data and cold homes")
    theme = officer.locator(f"#theme-{tagged}")
    expect(theme.get_by_role("heading", name=THEME)).to_be_visible()
    checked(officer, "response-edit")

    write_the_response(officer, tagged)
    follow(officer.get_by_role("button", name="Save draft"))
    expect(officer.locator(".govuk-notification-banner--success")).to_contain_text("Draft saved")
    expect(officer.locator("#status")).to_contain_text("Not published")
    follow(officer.get_by_role("button", name="Save and publish"))
    banner = officer.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("Published: the public page shows this response.")
    expect(officer.locator(f"#theme-{tagged}").get_by_label(HOPE)).to_be_checked()
    checked(officer, "response-edit-published", officer.locator("#text-message"))

    follow(officer.get_by_role("button", name="Cymraeg"))
    expect(officer.locator("h1")).to_have_text("Ymateb cyhoeddus: Data ynni a chartrefi oer")
    checked(officer, "response-edit-cy")
    follow(officer.get_by_role("button", name="English"))

    # A visitor who never signed in: Welsh first, then English from the link.
    visitor = open_page(None)
    visitor.goto(f"/responses/{FLOW}")
    expect(visitor.locator("html")).to_have_attribute("lang", "cy")
    section = visitor.locator("section", has=visitor.get_by_role("heading", name=WELSH_THEME))
    expect(section).to_contain_text(DECIDED["cy"])
    expect(section.locator("blockquote[lang=en]")).to_contain_text(HOPE)
    checked(visitor, "response-public")

    follow(visitor.get_by_role("link", name="English"))
    expect(visitor).to_have_url(re.compile(rf"/responses/{FLOW}\?lang=en$"))
    expect(visitor.locator("html")).to_have_attribute("lang", "en")
    expect(visitor.get_by_role("heading", name=THEME)).to_be_visible()
    expect(visitor.locator("main")).to_contain_text(DECIDED["en"])
    checked(visitor, "response-public-en")

    visitor.emulate_media(media="print")
    expect(visitor.get_by_role("navigation")).to_be_hidden()
    expect(visitor.get_by_role("link", name="Cymraeg")).to_be_hidden()
    expect(visitor.locator("h1")).to_be_visible()
    expect(visitor.locator("main")).to_contain_text(DECIDED["en"])
    visitor.screenshot(path=str(SCREENSHOTS / "response-public-print.png"))


def test_the_text_message_opens_the_broadcast_form_filled_in(
    open_page: OpenPage, live: Live, tagged: int
) -> None:
    officer = open_page("officer")
    officer.goto(f"/admin/responses/{FLOW}")
    if officer.locator("#text-message").count() == 0:  # not published by the journey above
        write_the_response(officer, tagged)
        follow(officer.get_by_role("button", name="Save and publish"))
    follow(officer.get_by_role("button", name="Draft the text message"))

    expect(officer).to_have_url(re.compile(r"/admin/broadcasts\?"))
    expect(officer.get_by_label("Residents of this flow")).to_have_value(FLOW)
    address = f"{live.url}/responses/{FLOW}"
    expect(officer.get_by_label("Message in Welsh")).to_have_value(
        re.compile(rf"Rhagor: {re.escape(address)}$")
    )
    english = officer.get_by_label("Message in English")
    expect(english).to_have_value(re.compile(rf"More: {re.escape(address)}\?lang=en$"))
    checked(officer, "response-text-message", english)
