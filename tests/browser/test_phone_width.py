"""Every admin page on a 390 x 844 phone screen: nothing is wider than the screen.

An officer checking a call-back on the bus, or a partner at a library counter with only a
phone, must be able to read every page without it sliding sideways. Wide tables scroll inside
a labelled region of their own (reachable by keyboard); everything else wraps. The pages come
from the URL map, so a page added later is checked with no change here, in English and Welsh,
as an admin (who opens every officer page and more), as a partner and signed out; axe runs on
each at this width, where the scrolling regions really scroll.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from flask import Flask, url_for
from playwright.sync_api import Page, expect

from admin import admin_blueprint
from bot.core.call_backs import request_call_back
from bot.core.notes import write_note
from bot.store.users import find_user_by_email
from tests.admin.test_access import admin_rules
from tests.browser.conftest import (
    ACCOUNTS,
    ENGLISH,
    LIBRARY,
    RUN_AXE,
    SCREENSHOTS,
    Live,
    axe_source,
    expect_failure,
    follow,
)

OpenPage = Callable[[str | None], Page]
PHONE = {"width": 390, "height": 844}
PREVIEW = {"en": "Preview", "cy": "Rhagolwg"}
#: The elements sticking out past the right edge, deepest first: what to fix when it fails.
WIDER_THAN_THE_SCREEN = """
() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll("body *")].filter((element) => {
    const box = element.getBoundingClientRect();
    return box.right > width + 0.5 && box.width > 0;
  });
  const scrolls = (element) => {
    for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") return true;
    }
    return false;
  };
  const outside = wide.filter((element) => !scrolls(element));
  return (outside.length ? outside : wide)
    .filter((element) => !wide.some((other) => other !== element && element.contains(other)))
    .slice(0, 5)
    .map((element) => `${element.tagName.toLowerCase()}.${element.className} ` +
                      `(${Math.round(element.getBoundingClientRect().right)} px)`);
}
"""


def real_ids(live: Live) -> dict[str, int | str]:
    """A real row for each kind of id a page's address takes."""
    [question, *_] = live.services.questions.open_questions()
    return {
        "participant_id": live.participants[ENGLISH],
        "question_id": question.id,
        "flow_id": "energy-data",
    }


#: GET routes that answer with a file, not a page: nothing to fit on a screen.
FILES = {"admin.static", "admin.recordings.audio"}


def page_paths(ids: dict[str, int | str]) -> list[str]:
    """Every GET page under /admin (not its files), with a real row where an id is asked."""
    app = Flask(__name__)
    app.register_blueprint(admin_blueprint())
    paths = []
    with app.test_request_context():
        for rule in admin_rules(app):
            if "GET" not in (rule.methods or ()) or rule.endpoint in FILES:
                continue
            unknown = set(rule.arguments) - set(ids)
            assert not unknown, f"{rule.rule}: give this test a real id for {unknown}"
            paths.append(url_for(rule.endpoint, **{name: ids[name] for name in rule.arguments}))
    return paths


def overflow(page: Page) -> list[str]:
    """What sticks out, or nothing when the page is no wider than the screen."""
    if page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]:
        return []
    return page.evaluate(WIDER_THAN_THE_SCREEN) or ["the page (no single element)"]


def axe_problems(page: Page) -> list[str]:
    page.evaluate(axe_source())
    return [
        f"[{v['impact']}] {v['id']} on {', '.join(v['targets'][:3])}"
        for v in page.evaluate(RUN_AXE)
    ]


def in_welsh(page: Page) -> None:
    follow(page.get_by_role("button", name="Cymraeg"))
    expect(page.locator("html")).to_have_attribute("lang", "cy")


@dataclass
class Findings:
    """Pages wider than the screen, and pages axe faults, each by language and address."""

    live: Live
    wide: dict[str, list[str]] = field(default_factory=dict)
    inaccessible: dict[str, list[str]] = field(default_factory=dict)

    def check(self, page: Page, language: str) -> None:
        where = f"{language} {page.url.removeprefix(self.live.url)}"
        if found := overflow(page):
            self.wide[where] = found
        if found := axe_problems(page):
            self.inaccessible[where] = found

    def assert_none(self) -> None:
        report = "\n".join(f"  {where}: {found}" for where, found in self.wide.items())
        assert self.wide == {}, f"wider than {PHONE['width']} px:\n{report}"
        report = "\n".join(f"  {where}: {found}" for where, found in self.inaccessible.items())
        assert self.inaccessible == {}, f"axe:\n{report}"


@pytest.mark.parametrize("role", ["admin", "partner", None])
def test_every_page_fits_a_phone_screen_in_english_and_welsh(
    open_page: OpenPage, live: Live, role: str | None
) -> None:
    page = open_page(role)
    page.set_viewport_size(PHONE)
    page.goto("/admin/sign-in")
    paths = page_paths(real_ids(live))
    findings = Findings(live)
    for path in paths:  # a partner's 403 page must fit too: the browser may log its status
        expect_failure(page, live.url + path)
    for language in ("en", "cy"):
        if language == "cy":
            in_welsh(page)
        for path in paths:
            page.goto(path)
            findings.check(page, language)
    findings.assert_none()


def test_what_officers_do_on_a_phone_fits_and_wide_tables_scroll_by_keyboard(
    open_page: OpenPage, live: Live
) -> None:
    """The states forms lead to: a transcript with notes and a call-back waiting, lists
    filtered, a refused date, a broadcast's preview."""
    resident = live.participants[LIBRARY]
    with live.services.db.session() as session:
        officer = find_user_by_email(session, ACCOUNTS["officer"][0])
        assert officer is not None
        assert officer.id is not None
        services = live.services
        note = "Asked for the questions on paper; posted them to the library. " * 3
        write_note(session, services.vault, services.clock, resident, note, user_id=officer.id)
        request_call_back(
            session, services.vault, services.clock, resident, "Any weekday", user_id=officer.id
        )
    page = open_page("admin")
    page.set_viewport_size(PHONE)
    findings = Findings(live)
    expect_failure(page, f"{live.url}/admin/audit?from-day=31&from-month=2&from-year=2026")
    for language in ("en", "cy"):
        if language == "cy":
            page.goto("/admin/overview")  # switching on the preview would send it again as a GET
            in_welsh(page)
        for path in (
            f"/admin/conversations/{resident}",
            "/admin/conversations?call_back=requested&channel=sms",
            "/admin/audit?action=note_added",
            "/admin/audit?from-day=31&from-month=2&from-year=2026",
        ):
            page.goto(path)
            findings.check(page, language)
        page.goto("/admin/broadcasts")
        page.locator("#flow").select_option("energy-data")
        page.locator("#body_cy").fill("Diolch. Fe wnaethon ni wrando ar bob un ohonoch chi.")
        page.locator("#body_en").fill("Thank you. We listened to every one of you.")
        follow(page.get_by_role("button", name=PREVIEW[language], exact=True))
        expect(page.locator("#preview")).to_be_visible()
        findings.check(page, language)
    findings.assert_none()

    page.goto("/admin/conversations")
    follow(page.get_by_role("button", name="English"))
    region = page.get_by_role("region", name="Conversations, newest first")
    region.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(region).to_be_focused()
    # The table scrolls, not the page; a busy machine may finish the scroll a frame later.
    region.element_handle().wait_for_element_state("stable")
    page.wait_for_function("(element) => element.scrollLeft > 0", arg=region.element_handle())
    assert region.evaluate("(element) => element.scrollLeft") > 0
    assert page.evaluate("() => window.scrollX") == 0
    page.screenshot(path=str(SCREENSHOTS / "phone-390.png"))
