"""Contact details residents leave stay in the transcript: the answers pages (partners' and
officers'), the questions inbox and the CSV export show them redacted and tagged, and a
"you said, we did" preview warns when the officer's own text holds some."""

from __future__ import annotations

import csv
import html
import io
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlmodel import select

from bot.core.questions import answer_text
from bot.runtime.container import Container
from bot.store.answers import save_answer
from bot.store.models import Answer, OutboxMessage, Question
from tests.admin.conftest import TO_HOPES, post_form, talk
from tests.conftest import copy_sqlite, make_container

RESIDENT, OTHER = "+447700900301", "+447700900302"
HOPE = "Warm homes. +44 7700 900777 is my number, please ring me"
FEAR = "call me on +44 7700 900123 my name is John Jones, 12 High St"
FEEDBACK = "Write to jo.bloggs@example.com or come to CF10 1AA"
QUESTION = "Will you ring me on 029 2087 2087 about the meter?"
#: What must never show outside the transcript, down to runs of a number's digits.
SECRETS = (
    "7700 900777",
    "900777",
    "7700 900123",
    "900123",
    "12 High St",
    "jo.bloggs@example.com",
    "CF10 1AA",
    "2087",
)
#: The words around them, which must stay.
AROUND = (
    "is my number, please ring me",
    "call me on",
    "my name is John Jones,",
    "Write to",
    "or come to",
)
TAG = "Resident left contact details"
FULL_TEXT = "Full text in the transcript"


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Path:
    """A library (LIB1) resident who left a number, an email, a postcode and an address in
    their answers and a number in their question, through the real inbound path; and one
    resident with none."""
    path = tmp_path_factory.mktemp("contact") / "seeded.db"
    shutil.copy(sqlite_template, path)
    services = make_container(f"sqlite:///{path}")
    talk(services, RESIDENT, "LIB1", *TO_HOPES[1:], HOPE, FEAR, FEEDBACK, QUESTION, "1")
    talk(services, OTHER, "LIB1", *TO_HOPES[1:], "Cheaper bills", "Leaks", "None", "no", "1")
    with services.db.session() as session:
        texts = {services.vault.open(a.text_encrypted) for a in session.exec(select(Answer))}
        assert {HOPE, FEAR, FEEDBACK} <= texts, "the answers must be kept"
        assert len(session.exec(select(Question)).all()) == 1, "the question must be queued"
    services.db.engine.dispose()
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, seeded_template: Path) -> str:
    return copy_sqlite(seeded_template, tmp_path)


@pytest.fixture
def officer(sign_in) -> FlaskClient:
    return sign_in("officer")


def page_of(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def assert_redacted(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} is shown"
    for words in AROUND:
        assert words in text, f"{words!r} was lost"


def ids_of(services: Container, texts: tuple[str, ...]) -> tuple[int, list[int]]:
    """The resident's id and the ids of their answers with these texts."""
    with services.db.session() as session:
        answers = [
            a
            for a in session.exec(select(Answer))
            if services.vault.open(a.text_encrypted) in texts
        ]
    return answers[0].participant_id, [answer.id or 0 for answer in answers]


def question_of(services: Container) -> Question:
    with services.db.session() as session:
        return session.exec(select(Question)).one()


# -- storing the flag ---------------------------------------------------------------------------


def test_the_flag_is_stored_with_each_answer_and_question(admin_services) -> None:
    with admin_services.db.session() as session:
        flagged = {
            admin_services.vault.open(answer.text_encrypted): answer.contact_details
            for answer in session.exec(select(Answer))
        }
    assert {text for text, held in flagged.items() if held} == {HOPE, FEAR, FEEDBACK}
    assert question_of(admin_services).contact_details


# -- the answers pages --------------------------------------------------------------------------


def test_a_partner_sees_the_answers_redacted_and_tagged_without_a_way_to_the_resident(
    sign_in, admin_services
) -> None:
    page = page_of(sign_in("partner"), "/admin/answers")
    assert_redacted(page)
    assert "[phone number] is my number, please ring me" in page
    assert all(label in page for label in ("[address]", "[email]", "[postcode]"))
    assert page.count(TAG) == 3
    assert FULL_TEXT not in page
    assert "/admin/conversations/" not in page


def test_an_officer_sees_them_redacted_with_a_link_to_the_full_text(officer, admin_services):
    page = page_of(officer, "/admin/answers")
    assert_redacted(page)
    assert page.count(TAG) == 3
    resident, answer_ids = ids_of(admin_services, (HOPE, FEAR, FEEDBACK))
    for answer_id in answer_ids:
        assert f'href="/admin/conversations/{resident}#answer-{answer_id}">{FULL_TEXT}' in page


def test_welsh_readers_get_welsh_labels_and_tag(officer, admin_services) -> None:
    post_form(
        officer, "/admin/language", {"language": "cy", "next": "/admin/answers"},
        token_from="/admin/answers",
    )  # fmt: skip
    page = page_of(officer, "/admin/answers")
    assert_redacted(page.replace("[rhif ffôn]", ""))
    assert "[rhif ffôn] is my number" in page
    assert all(label in page for label in ("[cyfeiriad]", "[e-bost]", "[cod post]"))
    assert "[phone number]" not in page
    assert page.count("Gadawodd y preswylydd fanylion cyswllt") == 3
    assert "Y testun llawn yn y trawsgrifiad" in page


def test_an_answer_saved_before_the_flag_existed_is_still_redacted_and_tagged(
    officer, admin_services
) -> None:
    """The stored flag or the text: rows saved before today have no flag but are right too."""
    with admin_services.db.session() as session:
        participant_id = ids_of(admin_services, ("Cheaper bills",))[0]
        save_answer(
            session,
            admin_services.vault,
            participant_id=participant_id,
            conversation_id=None,
            flow_id="energy-data",
            step_id="hopes",
            kind="hope",
            value=None,
            text="Text me, 07700 900555, about the grant",
            now=datetime.now(UTC),
        )
    page = page_of(officer, "/admin/answers")
    assert "900555" not in page
    assert "Text me, [phone number], about the grant" in page
    assert page.count(TAG) == 4


# -- the questions inbox ------------------------------------------------------------------------


def test_the_inbox_shows_the_question_and_its_thread_redacted_and_tagged(officer) -> None:
    page = page_of(officer, "/admin/questions")
    for secret in SECRETS:
        assert secret not in page, f"{secret!r} is shown"  # the thread and the counter too
    assert "Will you ring me on [phone number] about the meter?" in page
    assert TAG in page
    assert FULL_TEXT in page


def test_a_question_with_contact_details_is_answered_without_quoting_it(
    officer, admin_services
) -> None:
    question = question_of(admin_services)
    sent = answer_text("en", "Yes, on Monday.", QUESTION)
    assert sent == (
        "The council's answer to your question:\nYes, on Monday.\nText ASK with another question."
    )
    response = post_form(
        officer,
        f"/admin/questions/{question.id}/answer",
        {"answer": "Yes, on Monday.", "action": "send"},
        token_from="/admin/questions",
    )
    assert response.status_code == 302
    with admin_services.db.session() as session:
        [row] = session.exec(select(OutboxMessage).where(OutboxMessage.purpose == "answer"))
        assert admin_services.vault.open(row.body_encrypted) == sent
    answered = page_of(officer, "/admin/questions").split('id="answered"')[1]
    assert "Will you ring me on [phone number] about the meter?" in answered
    assert "2087" not in answered
    assert TAG in answered


# -- the export ---------------------------------------------------------------------------------


def test_the_export_is_redacted_and_says_which_answers_held_contact_details(officer) -> None:
    text = post_form(officer, "/admin/export", {}).get_data(as_text=True)
    assert_redacted(text)
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    held = {row["answer_text"]: row["contact_details"] for row in rows}
    assert held["Warm homes. [phone number] is my number, please ring me"] == "yes"
    assert held["call me on [phone number] my name is John Jones, [address]"] == "yes"
    assert held["Write to [email] or come to [postcode]"] == "yes"
    assert held["Cheaper bills"] == "no"
    assert {row["contact_details"] for row in rows} == {"yes", "no"}


def test_the_export_reads_labels_in_the_officers_language(officer) -> None:
    post_form(
        officer, "/admin/language", {"language": "cy", "next": "/admin/export"},
        token_from="/admin/export",
    )  # fmt: skip
    text = post_form(officer, "/admin/export", {}).get_data(as_text=True)
    assert "Warm homes. [rhif ffôn] is my number, please ring me" in text
    assert "[phone number]" not in text


# -- the transcript -----------------------------------------------------------------------------


def test_the_transcript_keeps_the_full_text(officer, admin_services) -> None:
    resident = ids_of(admin_services, (HOPE,))[0]
    page = page_of(officer, f"/admin/conversations/{resident}")
    for text in (HOPE, FEAR, FEEDBACK, QUESTION):
        assert text in page


def test_partners_cannot_open_the_transcript(sign_in, admin_services) -> None:
    resident = ids_of(admin_services, (HOPE,))[0]
    assert sign_in("partner").get(f"/admin/conversations/{resident}").status_code == 403


# -- "you said, we did" -------------------------------------------------------------------------


def _preview(client: FlaskClient, welsh: str, english: str) -> str:
    response = post_form(
        client,
        "/admin/broadcasts/preview",
        {"flow": "energy-data", "body_cy": welsh, "body_en": english},
        token_from="/admin/broadcasts",
    )
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def test_the_broadcast_preview_warns_of_contact_details_but_still_offers_to_send(
    officer, admin_services
) -> None:
    page = _preview(
        officer,
        "Diolch. Ffoniwch ni ar 029 2087 2087 os oes gennych gwestiwn.",
        "Thank you. Ring us on 029 2087 2087 or write to help@council.example.",
    )
    assert "This text contains a phone number: every recipient will see it." in page
    assert "This text contains an email address: every recipient will see it." in page
    assert "postcode: every" not in page
    assert "Send to 2 residents" in page  # a warning, not a refusal
    assert "029 2087 2087" in page  # the officer's own words are kept as typed
    plain = _preview(officer, "Diolch.", "Thank you.")
    assert "every recipient will see it" not in plain


def test_the_broadcast_warning_reads_in_welsh(officer, admin_services) -> None:
    post_form(
        officer, "/admin/language", {"language": "cy", "next": "/admin/broadcasts"},
        token_from="/admin/broadcasts",
    )  # fmt: skip
    page = _preview(officer, "Dewch i 12 Stryd Fawr, CF10 1AA.", "Come to 12 High Street.")
    assert "Mae cod post yn y neges hon: bydd pob derbynnydd yn ei weld." in page
    assert "Mae cyfeiriad stryd yn y neges hon: bydd pob derbynnydd yn ei weld." in page


def test_the_core_preview_names_what_was_found_in_either_language(admin_services) -> None:
    preview = admin_services.broadcasts.preview(
        "energy-data", "Diolch.", "Thanks. Email us at help@council.example"
    )
    assert preview.warnings == (
        "This text contains an email address: every recipient will see it.",
    )
    assert sum(preview.recipients.values()) == 2  # still counted and costed as ever
