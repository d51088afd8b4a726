"""The admin's journeys in a real browser, with axe on every page reached, in English and Welsh.

Sign in, read a transcript, tag an answer, answer a question all the way to the fake Twilio,
export a CSV, switch to Welsh; and the doors: partners and anonymous visitors are kept out.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from bot.channels.sms import segment_info
from bot.core.questions import answer_text
from bot.runtime.background import InlinePump
from bot.store.exports import COLUMNS
from tests.browser.conftest import (
    ASKER,
    ENGLISH,
    HOPE,
    LIBRARY,
    QUESTION,
    WELSH,
    WELSH_QUESTION,
    Live,
    check_page,
    expect_failure,
    follow,
    sign_in,
)

OpenPage = Callable[[str | None], Page]
#: mask_number's form of ENGLISH (+447700900123): enough to tell residents apart, not to call.
MASKED_ENGLISH = "07••• ••• 123"
#: Any of the seeded residents' numbers, in any of the forms a leak could take.
NUMBER_DIGITS = re.compile(r"7700\s?900\s?\d{3}")
ANSWER = "We will decide in March. Thank you for asking."
WELSH_ANSWER = "Diolch am ofyn. Bydd y tîm yn penderfynu ym mis Mawrth."
THEME = "Cost of heating"


def heading(page: Page) -> str:
    return page.locator("h1").inner_text().strip()


def test_sign_in_shows_the_error_then_lets_the_officer_in(open_page: OpenPage) -> None:
    page = open_page(None)
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/sign-in$"))
    check_page(page, "sign-in")

    expect_failure(page, page.url)  # a wrong password answers 401, which Chromium logs
    sign_in(page, "officer", password="not the password")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("The email address or password is not right")
    expect(page.locator("#email-error")).to_be_visible()  # the message beside the field too
    check_page(page, "sign-in-error")

    sign_in(page, "officer")
    expect(page).to_have_url(re.compile(r"/admin/overview$"))
    assert heading(page) == "Overview"
    expect(page.get_by_text("Signed in as Officer Tester")).to_be_visible()
    check_page(page, "overview")


def test_anonymous_visitor_is_sent_to_sign_in(open_page: OpenPage) -> None:
    page = open_page(None)
    page.goto("/admin/conversations")
    expect(page).to_have_url(re.compile(r"/admin/sign-in\?next=(/|%2F)admin(/|%2F)conversations$"))
    assert heading(page) == "Sign in"
    expect(page.locator(".govuk-service-navigation")).to_have_count(0)


def test_transcript_opens_from_the_list_with_the_number_masked(
    open_page: OpenPage, live: Live
) -> None:
    page = open_page("officer")
    page.goto("/admin/conversations")
    assert heading(page) == "Conversations"
    check_page(page, "conversations")
    # Other journeys add residents: find this one by what they texted.
    page.get_by_label("Search what residents texted").fill("street")
    follow(page.get_by_role("button", name="Apply filters"))

    follow(page.get_by_role("link", name=re.compile(re.escape(MASKED_ENGLISH))))
    expect(page).to_have_url(re.compile(rf"/admin/conversations/{live.participants[ENGLISH]}$"))
    assert heading(page) == f"Conversation with {MASKED_ENGLISH}"
    bubbles = page.locator(".sgwrs-phone .sgwrs-bubble")
    expect(bubbles.first).to_be_visible()
    expect(page.locator(".sgwrs-bubble--in", has_text=HOPE)).to_be_visible()
    worries = page.locator(".sgwrs-bubble--out", has_text="What worries you about it?")
    expect(worries).to_be_visible()
    assert bubbles.count() >= 20  # the whole thread, both directions
    assert not NUMBER_DIGITS.search(page.content()), "the full number is in the page"
    check_page(page, "transcript")


def test_officer_tags_an_answer_and_sees_the_theme_count(open_page: OpenPage) -> None:
    page = open_page("officer")
    page.goto("/admin/themes")
    check_page(page, "themes")
    if not page.locator("table th[scope=row]", has_text=THEME).count():
        page.get_by_label("Name in English").fill(THEME)
        follow(page.get_by_role("button", name="Add theme"))
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(THEME)
        check_page(page, "themes-added")

    page.goto("/admin/answers")
    assert heading(page) == "Hopes, fears and feedback"
    check_page(page, "answers")
    answer = page.locator("li.sgwrs-answer", has_text=HOPE)
    answer.get_by_text("Tag with themes").click()
    answer.get_by_label(THEME).check()
    follow(answer.get_by_role("button", name="Save themes"))

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Themes saved")
    answer = page.locator("li.sgwrs-answer", has_text=HOPE)
    expect(answer.locator(".sgwrs-tags")).to_contain_text(THEME)
    count_row = page.locator("table[aria-labelledby=theme-counts] tbody tr", has_text=THEME)
    expect(count_row.locator("td").first).to_have_text("1")
    check_page(page, "answers-tagged")


def test_officer_answers_a_question_and_it_reaches_twilio(open_page: OpenPage, live: Live) -> None:
    page = open_page("officer")
    page.goto("/admin/questions")
    check_page(page, "questions")
    question = page.locator("section.sgwrs-question", has_text=QUESTION)
    counter = question.locator("[data-sms-output]")
    before = counter.inner_text()

    question.get_by_label("Your answer").fill(ANSWER)
    expected = segment_info(answer_text("en", ANSWER, QUESTION))
    expect(counter).not_to_have_text(before)
    expect(counter).to_contain_text(f"{expected.characters} characters in {expected.encoding}")
    expect(counter).to_contain_text(f"{expected.segments} segment")

    follow(question.get_by_role("button", name="Send answer"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Answer sent to the outbox"
    )
    expect(page.locator("section.sgwrs-question", has_text=QUESTION)).to_have_count(0)

    InlinePump(live.services).tick()
    sent = live.fake.sent_to(ASKER)
    assert len(sent) == 1, sent
    assert ANSWER in (sent[0].body or "")
    assert live.fake.deliver(sent[0].sid, "delivered") in (200, 204)  # signed status callback

    page.reload()
    row = page.locator("#answered + div table tbody tr", has_text=ANSWER)
    expect(row).to_contain_text("Delivered")
    check_page(page, "questions-answered")


def test_export_downloads_a_pseudonymised_csv(open_page: OpenPage) -> None:
    page = open_page("officer")
    page.goto("/admin/export")
    assert heading(page) == "Export answers"
    check_page(page, "export")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download CSV").click()
    download = download_info.value
    assert re.fullmatch(r"sgwrs-answers-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    text = download.path().read_text(encoding="utf-8-sig")

    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == COLUMNS
    assert any(HOPE in row for row in rows[1:])
    assert "LIB1" in {row[COLUMNS.index("partner")] for row in rows[1:]}
    assert not NUMBER_DIGITS.search(text), "a phone number is in the export"
    assert heading(page) == "Export answers"  # a download leaves the form where it was


def test_interface_switches_to_welsh(open_page: OpenPage, live: Live) -> None:
    anonymous = open_page(None)
    anonymous.goto("/admin/sign-in")
    follow(anonymous.get_by_role("button", name="Cymraeg"))
    expect(anonymous.locator("html")).to_have_attribute("lang", "cy")
    assert heading(anonymous) == "Mewngofnodi"
    expect(anonymous.get_by_label("Cyfrinair")).to_be_visible()
    check_page(anonymous, "sign-in-cy")

    page = open_page("officer")
    page.goto("/admin/overview")
    follow(page.get_by_role("button", name="Cymraeg"))
    expect(page).to_have_url(re.compile(r"/admin/overview$"))  # stays on the same page
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    assert heading(page) == "Trosolwg"
    check_page(page, "overview-cy")

    navigation = page.locator(".govuk-service-navigation")
    follow(navigation.get_by_role("link", name="Sgyrsiau"))
    assert heading(page) == "Sgyrsiau"
    check_page(page, "conversations-cy")
    page.goto(f"/admin/conversations/{live.participants[WELSH]}")
    assert heading(page).startswith("Sgwrs gyda 07")
    check_page(page, "transcript-cy")
    follow(navigation.get_by_role("link", name="Gobeithion, pryderon ac adborth"))
    assert heading(page) == "Gobeithion, pryderon ac adborth"
    check_page(page, "answers-cy")
    follow(navigation.get_by_role("link", name="Cwestiynau"))
    assert heading(page) == "Cwestiynau preswylwyr"
    question = page.locator("section.sgwrs-question", has_text=WELSH_QUESTION)
    question.get_by_label("Eich ateb").fill(WELSH_ANSWER)
    expected = segment_info(answer_text("cy", WELSH_ANSWER, WELSH_QUESTION))
    assert expected.encoding == "UCS-2"  # î is not in GSM-7
    counter = question.locator("[data-sms-output]")
    expect(counter).to_contain_text(f"Bydd y neges yn {expected.characters} nod yn UCS-2")
    check_page(page, "questions-cy")
    page.goto("/admin/export")
    assert heading(page) == "Allforio atebion"
    expect(page.get_by_role("button", name="Lawrlwytho CSV")).to_be_visible()
    check_page(page, "export-cy")

    follow(page.get_by_role("button", name="English"))
    assert heading(page) == "Export answers"


def test_partner_sees_the_overview_but_no_transcript(open_page: OpenPage, live: Live) -> None:
    page = open_page("partner")
    page.goto("/admin/overview")
    assert heading(page) == "Overview"
    navigation = page.locator(".govuk-service-navigation")
    expect(navigation.get_by_role("link", name="Conversations")).to_have_count(0)
    check_page(page, "overview-partner")

    page.goto("/admin/answers")
    expect(page.locator("li.sgwrs-answer", has_text="Cheaper bills")).to_be_visible()
    expect(page.locator("li.sgwrs-answer", has_text=HOPE)).to_have_count(0)  # not their resident
    expect(page.get_by_text("Tag with themes")).to_have_count(0)
    check_page(page, "answers-partner")

    own_resident = f"{live.url}/admin/conversations/{live.participants[LIBRARY]}"
    expect_failure(page, own_resident)
    response = page.goto(own_resident)
    assert response is not None
    assert response.status == 403
    assert heading(page) == "You do not have permission to see this page"
    assert not NUMBER_DIGITS.search(page.content())
    check_page(page, "forbidden")

    follow(page.get_by_role("button", name="Cymraeg"))
    assert heading(page) == "Nid oes gennych ganiatâd i weld y dudalen hon"
    check_page(page, "forbidden-cy")


#: (link, page heading, screenshot name or None when another test checks that page already)
OFFICER_NAV = (
    ("Overview", "Overview", None),
    ("Conversations", "Conversations", None),
    ("Hopes, fears and feedback", "Hopes, fears and feedback", None),
    ("Charts", "Charts", None),
    ("Questions", "Residents' questions", None),
    ("Public responses", "Public responses", None),
    ("You said, we did", "You said, we did", "broadcasts"),
    ("Flows", "Flows", "flows"),
    ("Export", "Export answers", None),
)


def test_officer_reaches_every_page_from_the_navigation(open_page: OpenPage) -> None:
    page = open_page("officer")
    page.goto("/admin/")
    navigation = page.locator(".govuk-service-navigation")
    for label, title, name in OFFICER_NAV:
        # A link may carry how many things wait there ("Questions 2 waiting").
        named = re.compile(rf"^{re.escape(label)}( \d+ waiting)?$")
        follow(navigation.get_by_role("link", name=named))
        expect(navigation.locator("[aria-current=page]")).to_have_text(named)
        assert heading(page) == title
        if name:
            check_page(page, name)
    for hidden in ("Audit log", "Users"):  # admins only
        expect(navigation.get_by_role("link", name=hidden)).to_have_count(0)


def test_officer_previews_a_broadcast(open_page: OpenPage) -> None:
    page = open_page("officer")
    page.goto("/admin/broadcasts")
    page.get_by_label("Residents of this flow").select_option("energy-data")
    page.get_by_label("Message in Welsh").fill("Diolch. Fe wnaethon ni wrando.")
    page.get_by_label("Message in English").fill("Thank you. We listened.")
    # 23 characters, then a new line and "Send STOP to stop.": every broadcast ends with it.
    expect(page.locator("#body_en-count")).to_contain_text("42 characters in GSM-7")
    follow(page.get_by_role("button", name="Preview", exact=True))
    expect(page.locator("#estimated-cost")).to_contain_text("£")
    check_page(page, "broadcasts-preview")


def test_officer_texts_the_bot_in_the_simulator(open_page: OpenPage) -> None:
    page = open_page("officer")
    page.goto("/admin/flows")
    follow(page.get_by_role("link", name="Try the flows in the phone simulator"))
    assert heading(page) == "Phone simulator"
    page.get_by_label("Message").fill("hi")
    follow(page.get_by_role("button", name="Send", exact=True))
    expect(page.locator(".sgwrs-bubble--out").first).to_contain_text("Croeso i Sgwrs")
    check_page(page, "simulator-thread")


def test_admin_sees_the_audit_log_and_users(open_page: OpenPage) -> None:
    page = open_page("admin")
    page.goto("/admin/")
    navigation = page.locator(".govuk-service-navigation")
    follow(navigation.get_by_role("link", name="Audit log"))
    assert heading(page) == "Audit log"
    expect(page.locator("main")).to_contain_text("Signed in")
    check_page(page, "audit")
    follow(navigation.get_by_role("link", name="Users"))
    assert heading(page) == "Users"
    expect(page.locator("main")).to_contain_text("partner@library.example")
    check_page(page, "users")
    follow(page.get_by_role("button", name="Cymraeg"))
    assert heading(page) == "Defnyddwyr"
