"""Two-factor sign-in in a real browser: set up at the first sign-in, then a recovery code.

Each page passes axe and logs no console error or CSP violation (the set-up page shows the key
as text and an otpauth:// address: no QR script, nothing from another site).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pyotp
from playwright.sync_api import Page, expect

from bot.core.accounts import create_user
from tests.browser.conftest import PASSWORD, Live, check_page, follow

OpenPage = Callable[[str | None], Page]
EMAIL = "first.time@council.example"


def test_an_officer_sets_up_two_factor_then_signs_in_with_a_recovery_code(
    open_page: OpenPage, live: Live
) -> None:
    with live.services.db.session() as session:
        create_user(session, email=EMAIL, name="First Time", role="officer", password=PASSWORD)
    page = open_page(None)
    page.goto("/admin/sign-in")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    follow(page.get_by_role("button", name="Sign in"))
    expect(page).to_have_url(re.compile(r"/admin/two-factor/set-up$"))
    check_page(page, "two-factor-set-up")

    secret = page.locator("#secret").inner_text().replace(" ", "")
    expect(page.locator("#uri")).to_contain_text("otpauth://totp/Sgwrs:")
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    follow(page.get_by_role("button", name="Continue"))
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    check_page(page, "recovery-codes")
    follow(page.get_by_role("button", name="Continue"))
    expect(page).to_have_url(re.compile(r"/admin/overview$"))

    follow(page.get_by_role("button", name="Sign out"))
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    follow(page.get_by_role("button", name="Sign in"))
    expect(page).to_have_url(re.compile(r"/admin/two-factor$"))
    check_page(page, "two-factor")
    page.get_by_label("Code").fill(codes[0])
    follow(page.get_by_role("button", name="Continue"))
    expect(page).to_have_url(re.compile(r"/admin/overview$"))
    expect(page.get_by_text("Signed in as First Time")).to_be_visible()
