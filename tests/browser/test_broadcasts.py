"""A broadcast in a real browser: tried on the officer's own phone, sent at night, held for
quiet hours until 08:00, saying so in English and in Welsh, with axe finding nothing wrong."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlmodel import col, select

from bot.runtime.clock import as_utc
from bot.store.models import OutboxMessage
from tests.browser.conftest import (
    AXE_RESULTS,
    SCREENSHOTS,
    Live,
    check_page,
    expect_failure,
    follow,
)
from tests.delivery.support import MovableClock

OpenPage = Callable[[str | None], Page]
#: 21:34 on a winter's evening (GMT, so UTC too): inside quiet hours, 21:00 to 08:00.
EVENING = datetime(2027, 12, 8, 21, 34, tzinfo=UTC)
WELSH = "Diolch. Fe wnaethon ni wrando, a byddwn yn gwirio cartrefi oer yn gyntaf."
ENGLISH = "Thank you. We listened, and we will check cold homes first."
ENDS_CY = "Anfonwch STOPIO i orffen."
ENDS_EN = "Send STOP to stop."


@pytest.fixture
def evening(live: Live, monkeypatch: pytest.MonkeyPatch) -> MovableClock:
    """The broadcasts' clock at 21:34 for this test (the live server is shared, so only
    for this test): what they hold back and until when is read from it."""
    clock = MovableClock(EVENING)
    monkeypatch.setattr(live.services.broadcasts, "clock", clock)
    return clock


def texts_for_the_officer(live: Live) -> list[tuple[str, str, datetime]]:
    """Each text a test wrote to the outbox: its words, its priority and when it is due."""
    with live.services.db.session() as session:
        statement = select(OutboxMessage).where(OutboxMessage.purpose == "broadcast_test")
        rows = session.exec(statement.order_by(col(OutboxMessage.id))).all()
        return [
            (live.services.vault.open(row.body_encrypted), row.priority, as_utc(row.not_before))
            for row in rows
        ]


def checked(page: Page, name: str, shown: Locator) -> None:
    """axe with no violations at all, and a screenshot of the viewport with `shown` in it."""
    check_page(page, name)
    assert AXE_RESULTS[name] == [], AXE_RESULTS[name]
    shown.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_an_officer_tries_a_broadcast_on_their_phone_then_sees_it_held_at_night(
    open_page: OpenPage, live: Live, evening: MovableClock
) -> None:
    page = open_page("officer")
    page.goto("/admin/broadcasts")
    page.get_by_label("Residents of this flow").select_option("energy-data")
    expect(page.get_by_label("Residents who asked to hear back")).to_be_checked()
    page.get_by_label("Message in Welsh").fill(WELSH)
    page.get_by_label("Message in English").fill(ENGLISH)
    with_ending = len(f"{ENGLISH}\n{ENDS_EN}")
    expect(page.locator("#body_en-count")).to_contain_text(f"{with_ending} characters in GSM-7")
    expect(page.locator("#body_en-hint")).to_contain_text(ENDS_EN)
    checked(page, "broadcast-compose", page.get_by_role("group", name="Who should get it"))

    follow(page.get_by_role("button", name="Preview", exact=True))
    expect(page.get_by_text("Each text ends with how to stop texts")).to_be_visible()
    page.get_by_label("Your mobile number").fill("12345")
    expect_failure(page, f"{live.url}/admin/broadcasts/test")  # the refusal is a 400
    follow(page.get_by_role("button", name="Send a test"))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the mobile number to send the test to, like 07700 900123."
    )
    checked(page, "broadcast-test-refused", page.locator(".govuk-error-summary"))

    page.get_by_label("Your mobile number").fill("07700 900450")
    follow(page.get_by_role("button", name="Send a test"))
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("Test sent to 07••• ••• 450")
    expect(page.get_by_text("quiet hours do not hold it back")).to_be_visible()
    checked(page, "broadcast-test-sent", banner)
    assert texts_for_the_officer(live) == [  # urgent, and due now: never held for quiet hours
        (f"{WELSH}\n{ENDS_CY}", "urgent", EVENING),
        (f"{ENGLISH}\n{ENDS_EN}", "urgent", EVENING),
    ]

    send = page.get_by_role("button", name="Send to")
    recipients = int(page.locator('input[name="confirm_recipients"]').get_attribute("value") or 0)
    assert recipients > 0
    follow(send)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Broadcast started: {recipients} texts will go at 08:00, when quiet hours end."
    )
    row = page.locator("#sent ~ div tbody tr", has_text=ENGLISH)
    expect(row).to_contain_text("Held for quiet hours until 08:00")
    expect(row).to_contain_text(f"0 of {recipients} sent")
    expect(row).to_contain_text(f"{recipients} waiting")
    checked(page, "broadcast-held", row)

    follow(page.get_by_role("button", name="Cymraeg"))
    row = page.locator("#sent ~ div tbody tr", has_text=ENGLISH)
    expect(row).to_contain_text("Wedi'u dal yn ôl am oriau tawel tan 08:00")
    checked(page, "broadcast-held-cy", row)
    follow(page.get_by_role("button", name="English"))  # the shared session stays in English
    expect(page.locator("html")).to_have_attribute("lang", "en")
