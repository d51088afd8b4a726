"""Public responses in the admin and on the public page: officers write what was heard, decided
and why for each theme, pick quotes, save drafts and publish; anyone opens the published page
in Welsh (first) or English, printable, or as a PDF; the text message is drafted from it.
"""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import col, select
from werkzeug.datastructures import MultiDict

from admin.pdf import STYLESHEET, pdf_available
from bot.runtime.container import Container
from bot.store.answer_list import AnswerFilter, list_open_answers
from bot.store.models import AuditEvent
from bot.store.themes import add_theme, set_answer_themes
from tests.admin.conftest import TO_HOPES, form_fields, post_form, talk
from tests.admin.test_welsh_admin import WELSH_ROUTE, english_on, welsh_client
from tests.conftest import TEST_PUBLIC_URL, copy_sqlite, make_container, need_service

FLOW = "energy-data"
EDIT = f"/admin/responses/{FLOW}"
PUBLIC = f"/responses/{FLOW}"
PHONE_HOPE = "Warm homes please, call me on 07700 900777"
WELSH_HOPE = "Cartrefi cynnes i bawb yn y stryd"
DECISION = ("Byddwn yn rhannu data ynni gyda'r tîm cartrefi.", "We will share energy data.")
#: Every part of one theme and the summary, in both languages.
SUMMARY = {"summary-cy": "Diolch am ddweud wrthym.", "summary-en": "Thank you for telling us."}


def theme_fields(theme_id: int, **overrides: str) -> dict[str, str]:
    fields = {
        f"theme-{theme_id}-heard-cy": "Clywson ni fod pobl eisiau cartrefi cynnes.",
        f"theme-{theme_id}-heard-en": "We heard that people want warm homes.",
        f"theme-{theme_id}-decision-cy": DECISION[0],
        f"theme-{theme_id}-decision-en": DECISION[1],
        f"theme-{theme_id}-reasoning-cy": "Mae'n helpu i gyrraedd cartrefi oer.",
        f"theme-{theme_id}-reasoning-en": "It helps us reach cold homes first.",
    }
    return {**fields, **overrides}


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Path:
    """An English and a Welsh resident whose hopes are tagged "Warm homes"."""
    path = tmp_path_factory.mktemp("responses") / "seeded.db"
    shutil.copy(sqlite_template, path)
    services = make_container(f"sqlite:///{path}")
    talk(services, "+447700900401", *TO_HOPES, PHONE_HOPE, "Being watched", "More", "no", "1")
    talk(services, "+447700900402", *WELSH_ROUTE, WELSH_HOPE, "Cael fy ngwylio", "Dim", "na", "1")
    with services.db.session() as session:
        theme = add_theme(session, "Warm homes", "Cartrefi cynnes")
        listed = list_open_answers(
            session, services.vault, AnswerFilter(kind="hope"), limit=10, offset=0
        )
        for answer in listed.answers:
            set_answer_themes(session, answer.id, [theme.id or 0])
    services.db.engine.dispose()
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, seeded_template: Path) -> str:
    return copy_sqlite(seeded_template, tmp_path)


@pytest.fixture
def ids(admin_services: Container) -> dict[str, int]:
    with admin_services.db.session() as session:
        listed = list_open_answers(
            session, admin_services.vault, AnswerFilter(kind="hope"), limit=10, offset=0
        )
    by_text = {answer.text: answer.id for answer in listed.answers}
    (theme_id,) = {theme for answer in listed.answers for theme, _name in answer.themes}
    return {
        "theme": theme_id,
        "phone_hope": by_text["Warm homes please, call me on [phone number]"],
        "welsh_hope": by_text[WELSH_HOPE],
    }


def save(client: FlaskClient, fields: dict[str, str], *, publish: bool = False):
    return post_form(client, EDIT, {**fields, "publish": "1" if publish else "0"})


def text_of(response) -> str:
    """The page as a reader sees its characters (an apostrophe, not &#39;)."""
    return html.unescape(response.get_data(as_text=True))


def test_the_officer_writes_a_theme_in_both_languages_picks_a_quote_and_publishes(
    admin_app: Flask,
    admin_services: Container,
    sign_in: Callable[[str], FlaskClient],
    ids: dict[str, int],
) -> None:
    officer = sign_in("officer")
    page = text_of(officer.get(EDIT))
    assert "Answers tagged with this theme: 2 (hopes: 2, fears: 0)." in page
    assert "Warm homes please, call me on [phone number]" in page  # offered redacted
    assert "900777" not in page

    fields = {**SUMMARY, **theme_fields(ids["theme"])}
    fields[f"theme-{ids['theme']}-quotes"] = str(ids["phone_hope"])
    saved = save(officer, fields)
    assert saved.status_code == 302
    assert "Draft saved" in text_of(officer.get(saved.location))
    visitor = admin_app.test_client()
    assert visitor.get(PUBLIC).status_code == 404  # a draft is not public

    published = save(officer, fields, publish=True)
    assert published.status_code == 302
    assert "Published: the public page shows this response." in text_of(officer.get(EDIT))

    welsh = visitor.get(PUBLIC)
    assert welsh.status_code == 200
    body = text_of(welsh)
    assert '<html lang="cy"' in body
    assert DECISION[0] in body
    assert "Cartrefi cynnes" in body  # the theme's Welsh name
    assert "Warm homes please, call me on [rhif ffôn]" in body
    assert "900777" not in body
    assert "Set-Cookie" not in welsh.headers  # a visitor gets no session, and no one's changes
    english = text_of(visitor.get(f"{PUBLIC}?lang=en"))
    assert '<html lang="en"' in english
    assert DECISION[1] in english
    assert "Warm homes please, call me on [phone number]" in english
    with admin_services.db.session() as session:
        actions = session.exec(
            select(AuditEvent.action, AuditEvent.detail).order_by(col(AuditEvent.id))
        ).all()
    assert [action for action, _ in actions][-3:] == [
        "response_saved",
        "response_saved",
        "response_published",
    ]
    assert actions[-1][1] == f"flow={FLOW}; themes=1; residents=2"
    audit = text_of(sign_in("admin").get("/admin/audit"))
    assert "Published a public response" in audit
    assert "Saved a public response draft" in audit


def test_publishing_a_half_written_response_marks_each_gap_and_keeps_the_draft(
    admin_app: Flask, sign_in: Callable[[str], FlaskClient], ids: dict[str, int]
) -> None:
    officer = sign_in("officer")
    theme = ids["theme"]
    fields = {"summary-en": "Thank you.", f"theme-{theme}-heard-en": "We heard about homes."}

    refused = save(officer, fields, publish=True)

    assert refused.status_code == 400
    page = text_of(refused)
    assert "Draft saved, but not published" in page
    assert 'href="#summary-cy"' in page
    assert "Overall summary: write it in Welsh before publishing" in page
    assert "Warm homes: What we decided: write it in English before publishing" in page
    assert f'id="theme-{theme}-reasoning-cy-error"' in page
    assert "We heard about homes." in text_of(officer.get(EDIT))  # the draft was saved
    assert admin_app.test_client().get(PUBLIC).status_code == 404


def test_more_than_three_quotes_is_refused_with_what_was_written_kept(
    sign_in: Callable[[str], FlaskClient], admin_services: Container, ids: dict[str, int]
) -> None:
    officer = sign_in("officer")
    page = officer.get(EDIT)
    fields = {
        **form_fields(text_of(page), EDIT),
        **theme_fields(ids["theme"]),
        "publish": "0",
    }
    data = list(fields.items()) + [(f"theme-{ids['theme']}-quotes", str(n)) for n in range(1, 5)]
    refused = officer.post(EDIT, data=MultiDict(data))
    assert refused.status_code == 400
    assert "Warm homes: Quotes: pick up to 3 quotes (you picked 4)" in text_of(refused)
    assert DECISION[1] in text_of(refused)


def test_editing_after_publishing_is_a_draft_until_published_again(
    admin_app: Flask, sign_in: Callable[[str], FlaskClient], ids: dict[str, int]
) -> None:
    officer = sign_in("officer")
    save(officer, {**SUMMARY, **theme_fields(ids["theme"])}, publish=True)
    changed = theme_fields(ids["theme"], **{f"theme-{ids['theme']}-decision-en": "We will wait."})
    save(officer, {**SUMMARY, **changed})

    assert "Changes not published" in text_of(officer.get(EDIT))
    visitor = admin_app.test_client()
    assert DECISION[1] in text_of(visitor.get(f"{PUBLIC}?lang=en"))
    assert "We will wait." not in text_of(visitor.get(f"{PUBLIC}?lang=en"))

    save(officer, {**SUMMARY, **changed}, publish=True)
    assert "We will wait." in text_of(visitor.get(f"{PUBLIC}?lang=en"))
    assert "Changes not published" not in text_of(officer.get(EDIT))


def test_an_erased_residents_quote_leaves_the_public_page_and_the_page_still_opens(
    admin_app: Flask,
    admin_services: Container,
    sign_in: Callable[[str], FlaskClient],
    ids: dict[str, int],
) -> None:
    officer = sign_in("officer")
    quotes = f"theme-{ids['theme']}-quotes"
    fields = list({**SUMMARY, **theme_fields(ids["theme"])}.items())
    page = text_of(officer.get(EDIT))
    data = [*form_fields(page, EDIT).items(), *fields, ("publish", "1")]
    data += [(quotes, str(ids["phone_hope"])), (quotes, str(ids["welsh_hope"]))]
    assert officer.post(EDIT, data=MultiDict(data)).status_code == 302
    assert WELSH_HOPE in text_of(admin_app.test_client().get(PUBLIC))

    admin_services.rights.erase_number("+447700900402", user_id=None, reason="asked_by_phone")

    for path in (PUBLIC, EDIT):
        response = (admin_app.test_client() if path == PUBLIC else officer).get(path)
        assert response.status_code == 200
        assert WELSH_HOPE not in text_of(response)
    assert "[rhif ffôn]" in text_of(admin_app.test_client().get(PUBLIC))


def test_the_public_page_is_open_to_anyone_and_never_shows_a_number_or_a_resident(
    admin_app: Flask, sign_in: Callable[[str], FlaskClient], ids: dict[str, int]
) -> None:
    officer = sign_in("officer")
    quotes = f"theme-{ids['theme']}-quotes"
    save(
        officer,
        {**SUMMARY, **theme_fields(ids["theme"]), quotes: str(ids["phone_hope"])},
        publish=True,
    )
    visitor = admin_app.test_client()
    for path in (PUBLIC, f"{PUBLIC}?lang=en"):
        response = visitor.get(path)
        body = text_of(response)
        assert response.status_code == 200
        assert not re.search(r"7700\s?900\s?\d{3}", body)
        assert "/admin/conversations" not in body  # no way back to a resident
        assert "Resident " not in body
        assert "Preswylydd" not in body
        assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert response.headers["Cache-Control"] == "no-store"
        assert "govuk-service-navigation" not in body  # no admin navigation
    assert visitor.get("/responses/welcome").status_code == 404  # never published
    assert visitor.get("/responses/no-such-flow").status_code == 404
    assert "Heb ddod o hyd i'r dudalen" in text_of(visitor.get("/responses/no-such-flow"))
    assert "Page not found" in text_of(visitor.get("/responses/no-such-flow?lang=en"))


def test_the_public_page_in_welsh_has_no_english_left(
    admin_app: Flask, sign_in: Callable[[str], FlaskClient], ids: dict[str, int]
) -> None:
    save(sign_in("officer"), {**SUMMARY, **theme_fields(ids["theme"])}, publish=True)
    assert english_on(text_of(admin_app.test_client().get(PUBLIC))) == {}
    assert english_on(text_of(admin_app.test_client().get("/responses/nope"))) == {}


def test_the_officers_pages_read_in_welsh(
    sign_in: Callable[[str], FlaskClient], ids: dict[str, int]
) -> None:
    client = welsh_client(sign_in, "officer")
    save(client, {**SUMMARY, "summary-cy": ""}, publish=True)  # refused: the Welsh is missing
    for path in ("/admin/responses", EDIT):
        assert english_on(text_of(client.get(path))) == {}
    refused = save(client, {**SUMMARY, "summary-cy": ""}, publish=True)
    assert refused.status_code == 400
    assert english_on(text_of(refused)) == {}


def test_the_text_message_is_drafted_from_the_summary_and_opens_the_broadcast_form(
    sign_in: Callable[[str], FlaskClient], ids: dict[str, int]
) -> None:
    officer = sign_in("officer")
    long = {"summary-cy": "Diolch yn fawr am siarad â ni. " * 12, "summary-en": "Thank you. " * 30}
    save(officer, {**long, **theme_fields(ids["theme"])}, publish=True)

    page = text_of(officer.get(EDIT))
    assert "so it was shortened" in page
    draft_form = re.search(
        r'<form method="get" action="/admin/broadcasts">(.*?)</form>', page, re.S
    )
    assert draft_form, "no Draft the text message form"
    values = dict(re.findall(r'name="(\w+)" value="([^"]*)"', draft_form.group(1)))
    assert values["flow"] == FLOW
    assert values["body_cy"].endswith(f"Rhagor: {TEST_PUBLIC_URL}/responses/{FLOW}")
    assert values["body_en"].endswith(f"More: {TEST_PUBLIC_URL}/responses/{FLOW}?lang=en")

    compose = officer.get("/admin/broadcasts", query_string=values)
    assert compose.status_code == 200
    body = text_of(compose)
    assert f'<option value="{FLOW}" selected' in body
    assert f"More: {TEST_PUBLIC_URL}/responses/{FLOW}?lang=en</textarea>" in body


def test_the_pdf_is_an_a4_print_of_the_published_page(
    admin_app: Flask, sign_in: Callable[[str], FlaskClient], ids: dict[str, int]
) -> None:
    if not pdf_available():  # WeasyPrint is a dependency; without Pango CI must say so
        need_service("WeasyPrint", "it or the Pango it needs (libpango-1.0-0) is not installed")
    import weasyprint

    visitor = admin_app.test_client()
    assert visitor.get(f"{PUBLIC}/pdf").status_code == 404
    save(sign_in("officer"), {**SUMMARY, **theme_fields(ids["theme"])}, publish=True)

    response = visitor.get(f"{PUBLIC}/pdf?lang=en")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert response.headers["Content-Disposition"] == f'inline; filename="{FLOW}-en.pdf"'
    assert f'href="/responses/{FLOW}/pdf"' in text_of(visitor.get(PUBLIC))
    # The print stylesheet's pages are A4 (210 x 297 mm, in CSS pixels).
    drawn = weasyprint.HTML(string=text_of(visitor.get(PUBLIC))).render(
        stylesheets=[weasyprint.CSS(string=STYLESHEET.read_text(encoding="utf-8"))]
    )
    assert (round(drawn.pages[0].width), round(drawn.pages[0].height)) == (794, 1123)


def test_partners_cannot_write_responses(
    sign_in: Callable[[str], FlaskClient], ids: dict[str, int]
) -> None:
    partner = sign_in("partner")
    assert partner.get(EDIT).status_code == 403
    assert partner.get("/admin/responses").status_code == 403
