"""The questions inbox at scale in a real browser: two residents ask the same thing, one in a
Welsh conversation and one in an English one; the officer sees them together, one overdue,
answers once, and the fake Twilio gets two texts, each in its resident's language. axe checks
the inbox in English and in Welsh."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlmodel import select

from bot.runtime.background import InlinePump
from bot.store.models import Question
from tests.admin.conftest import talk
from tests.browser.conftest import SCREENSHOTS, Live, check_page, follow

OpenPage = Callable[[str | None], Page]
CYMRAEG, ENGLISH_SPEAKER = "+447700900131", "+447700900132"
ASKED = "Will the council tell my landlord about the grant?"
WELSH_ANSWER = "Na. Ni fydd y cyngor yn dweud wrth eich landlord heb ofyn i chi."
ENGLISH_ANSWER = "No. The council will not tell your landlord without asking you."


def ask_the_same_thing_twice(live: Live) -> None:
    """The Welsh resident's question came three weeks ago: it is overdue."""
    talk(live.services, CYMRAEG, "hi", "1", f"GOFYN {ASKED}")
    talk(live.services, ENGLISH_SPEAKER, "hi", "2", f"ASK {ASKED.lower()}")
    with live.services.db.session() as session:
        asked = session.exec(select(Question).where(Question.status == "open")).all()
        first = min(
            (q for q in asked if live.services.vault.open(q.text_encrypted) == ASKED),
            key=lambda q: q.id or 0,
        )
        first.created_at -= timedelta(days=21)
        session.add(first)


def viewport_screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_officer_answers_similar_questions_once_each_in_their_language(
    open_page: OpenPage, live: Live
) -> None:
    ask_the_same_thing_twice(live)
    page = open_page("officer")
    page.goto("/admin/questions")
    nav = page.locator(".govuk-service-navigation")
    expect(nav.get_by_role("link", name=re.compile(r"Questions \d+ waiting"))).to_be_visible()
    group = page.locator("section.sgwrs-question--group", has_text=ASKED)
    expect(group.get_by_role("heading")).to_contain_text("2 similar questions")
    expect(group.locator(".govuk-tag--red").first).to_contain_text("Overdue")
    expect(group.get_by_text(re.compile(r"Overdue by \d+ working days"))).to_be_visible()
    check_page(page, "questions-inbox")
    group.scroll_into_view_if_needed()
    viewport_screenshot(page, "questions-inbox")

    follow(page.get_by_role("button", name="Cymraeg"))
    group = page.locator("section.sgwrs-question--group", has_text=ASKED)
    expect(group.get_by_role("heading")).to_contain_text("2 cwestiwn tebyg")
    expect(group.get_by_text(re.compile(r"\d+ diwrnod gwaith yn hwyr"))).to_be_visible()
    check_page(page, "questions-inbox-cy")
    follow(page.get_by_role("button", name="English"))

    group = page.locator("section.sgwrs-question--group", has_text=ASKED)
    group.get_by_label("Your answer in Welsh").fill(WELSH_ANSWER)
    group.get_by_label("Your answer in English").fill(ENGLISH_ANSWER)
    follow(group.get_by_role("button", name="Send to all 2"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Answer sent to 2 residents, each in their own language."
    )
    expect(page.locator("section.sgwrs-question", has_text=ASKED)).to_have_count(0)
    check_page(page, "questions-inbox-answered")

    InlinePump(live.services).tick()
    (welsh,) = live.fake.sent_to(CYMRAEG)
    (english,) = live.fake.sent_to(ENGLISH_SPEAKER)
    assert (welsh.body or "").startswith("Ateb gan y cyngor i'ch cwestiwn")
    assert WELSH_ANSWER in (welsh.body or "")
    assert ENGLISH_ANSWER not in (welsh.body or "")
    assert (english.body or "").startswith("The council's answer to your question")
    assert ENGLISH_ANSWER in (english.body or "")
    assert WELSH_ANSWER not in (english.body or "")
