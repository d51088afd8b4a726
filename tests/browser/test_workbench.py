"""The officer's workbench in a real browser, with axe on every page, in English and Welsh:
find every answer mentioning a word (in any form), tag a hundred of them in one go, and
accept a theme suggested for an answer nobody has tagged."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from bot.store import themes as codebook
from bot.store.models import Answer
from tests.browser.conftest import Live, check_page, follow
from tests.helpers import add_written_answer

OpenPage = Callable[[str | None], Page]
#: A hundred and ten residents wrote about the bus; eight wrote in Welsh about buses, some
#: mutated ("fysiau"), and one late answer nobody has tagged yet.
BUS_ANSWERS = [
    f"The bus to town number {n} is always late and the buses are full" for n in range(110)
]
WELSH_ANSWERS = [
    *(f"Mae'r bysiau i'r dref yn hwyr, rhif {n}" for n in range(4)),
    *(f"Dim fysiau ar ddydd Sul yn y pentref, rhif {n}" for n in range(4)),
]
UNTAGGED = "my bus is late again and the buses are too full to get on"
THEME = "Buses and transport"


@pytest.fixture(scope="module")
def bus_riders(live: Live) -> None:
    """The answers above, from residents of their own (the simulator's are left out)."""
    services = live.services
    # A month old, so the answers other journeys look for stay on the first page.
    now = services.clock() - timedelta(days=30)
    with services.db.session() as session:
        for text in [*BUS_ANSWERS, *WELSH_ANSWERS, UNTAGGED]:
            language = "cy" if text in WELSH_ANSWERS else "en"
            add_written_answer(services, session, text, language=language, now=now)


def _search(page: Page, words: str) -> None:
    page.goto("/admin/answers")
    page.get_by_label("Search the answers").fill(words)
    follow(page.get_by_role("button", name="Search and filter"))


def test_an_officer_finds_every_answer_mentioning_a_word(open_page: OpenPage, bus_riders) -> None:
    page = open_page("officer")
    _search(page, "bysiau")  # finds "fysiau" too: the mutation is undone
    expect(page.locator(".govuk-body-s", has_text="Showing")).to_contain_text("of 8 answers")
    expect(page.locator("li.sgwrs-answer", has_text="Dim fysiau")).to_have_count(4)
    assert "q=bysiau" in page.url
    check_page(page, "answers-searched")

    _search(page, "buses full")
    expect(page.locator(".govuk-body-s", has_text="Showing")).to_contain_text("of 111 answers")
    page.get_by_text("More filters").click()
    page.get_by_label("Language").select_option("cy")
    follow(page.get_by_role("button", name="Search and filter"))
    expect(page.get_by_text("No answers match these filters.")).to_be_visible()
    assert "language=cy" in page.url


def test_an_officer_tags_a_hundred_answers_in_one_go(
    open_page: OpenPage, bus_riders, live: Live
) -> None:
    page = open_page("officer")
    _search(page, "bus town")
    bulk = page.locator("form#bulk")
    bulk.get_by_label("Every answer matching the search and filters (110)").check()
    bulk.get_by_label("What to do").select_option("tag")
    bulk.get_by_label("Or a new theme to add").fill(THEME)
    check_page(page, "answers-bulk")
    follow(bulk.get_by_role("button", name="Apply to the answers"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "110 of 110 answers changed."
    )
    counts = page.locator("table[aria-labelledby=theme-counts] tbody tr", has_text=THEME)
    expect(counts.locator("td").first).to_have_text("110")
    check_page(page, "answers-bulk-tagged")

    # Ticked one by one, with the keyboard: the first two Welsh answers are flagged.
    _search(page, "bysiau")
    for box in page.get_by_label("Choose").all()[:2]:
        box.focus()
        page.keyboard.press("Space")
    page.locator("form#bulk").get_by_label("What to do").select_option("significant")
    follow(page.locator("form#bulk").get_by_role("button", name="Apply to the answers"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "2 of 2 answers changed."
    )
    expect(page.locator("li.sgwrs-answer--significant")).to_have_count(2)


def test_an_officer_accepts_a_suggested_theme(open_page: OpenPage, bus_riders, live: Live) -> None:
    # The bus answers tagged as the bulk journey leaves them (tests may run apart).
    with live.services.db.session() as session:
        theme = codebook.find_or_add_theme(session, THEME)
        bus = [
            a
            for a in session.exec(select(Answer))
            if "town number" in live.services.vault.open(a.text_encrypted)
        ]
        codebook.tag_answers(session, [answer.id or 0 for answer in bus], theme.id or 0)
    page = open_page("officer")
    page.goto("/admin/answers")
    follow(page.get_by_role("link", name="Theme suggestions for untagged answers"))
    answer = page.locator("li.sgwrs-answer", has_text=UNTAGGED)
    guess = answer.locator("li.sgwrs-guess", has_text=THEME)
    expect(guess).to_contain_text("like: The bus to town")
    check_page(page, "theme-suggestions")
    follow(guess.get_by_role("button", name=f"Accept {THEME}"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Theme added")
    expect(page.locator("li.sgwrs-answer", has_text=UNTAGGED)).to_have_count(0)

    _search(page, "again")
    answer = page.locator("li.sgwrs-answer", has_text=UNTAGGED)
    expect(answer.locator(".sgwrs-tags")).to_contain_text(THEME)


def test_the_workbench_speaks_welsh(open_page: OpenPage, bus_riders) -> None:
    page = open_page("officer")
    page.goto("/admin/answers?q=bysiau")
    follow(page.get_by_role("button", name="Cymraeg"))
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.get_by_label("Chwilio'r atebion")).to_have_value("bysiau")
    expect(page.locator("form#bulk")).to_contain_text("Newid llawer o atebion ar unwaith")
    check_page(page, "answers-searched-cy")
    page.goto("/admin/answers/suggestions")
    expect(page.locator("h1")).to_have_text("Awgrymiadau themâu")
    check_page(page, "theme-suggestions-cy")
    page.goto("/admin/charts")
    expect(page.locator("h1")).to_have_text("Siartiau")
    check_page(page, "charts-cy")
    follow(page.get_by_role("button", name="English"))
    check_page(page, "charts")
