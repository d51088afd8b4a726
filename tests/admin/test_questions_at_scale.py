"""The questions inbox at scale: the waiting count, overdue flags, similar questions answered
together, dismissing, assigning, filters in the URL, the export and saving an answer as FAQ."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from flask.testing import FlaskClient
from sqlmodel import select

from bot.runtime.container import Container
from bot.store.models import AuditEvent, OutboxMessage, Question
from bot.store.question_triage import list_assignable_users
from tests.admin.conftest import form_fields, post_form, talk

INBOX = "/admin/questions"
WELSH, ENGLISH, OTHER = "+447700900301", "+447700900302", "+447700900303"
SIMILAR = ("GOFYN When will the scheme start?", "ASK when will the scheme start")


@pytest.fixture
def flows_dir(admin_services: Container) -> Path:
    """The copy of the fixture flows the admin app writes to (tests/admin/conftest.py)."""
    return admin_services.settings.flows_path


@pytest.fixture
def asked(admin_services: Container) -> dict[str, int]:
    """A Welsh and an English resident asking the same thing, and one asking another thing."""
    talk(admin_services, WELSH, "hi", "1", SIMILAR[0])
    talk(admin_services, ENGLISH, "LIB1", "2", SIMILAR[1])
    talk(admin_services, OTHER, "hi", "2", "ASK Will my landlord be told?")
    found = {}
    with admin_services.db.session() as session:
        for question in session.exec(select(Question)):
            found[admin_services.vault.open(question.text_encrypted)] = question.id or 0
    assert len(found) == 3, found
    return found


@pytest.fixture
def officer(sign_in) -> FlaskClient:
    return sign_in("officer")


def page_of(client: FlaskClient, path: str = INBOX) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def audit(services: Container, action: str) -> list[AuditEvent]:
    with services.db.session() as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)))


def backdate(services: Container, question_id: int, days: int) -> None:
    with services.db.session() as session:
        question = session.get(Question, question_id)
        assert question is not None
        question.created_at -= timedelta(days=days)
        session.add(question)


def landlord(asked: dict[str, int]) -> int:
    return asked["Will my landlord be told?"]


# -- the waiting count and overdue flags ------------------------------------------------------


def test_the_navigation_counts_the_questions_waiting(officer, asked) -> None:
    page = page_of(officer, "/admin/overview")
    assert 'sgwrs-nav-count">3<span class="govuk-visually-hidden"> waiting</span>' in page


def test_an_overdue_question_is_flagged_and_listed_first(officer, admin_services, asked) -> None:
    backdate(admin_services, landlord(asked), 20)
    page = page_of(officer)
    assert "Overdue by" in page
    assert "working days" in page
    assert "Due " in page  # the others are not late yet
    assert page.index("Will my landlord be told?") < page.index("When will the scheme start?")
    assert "overdue: 1" in page
    only_late = page_of(officer, f"{INBOX}?overdue=1")
    assert "Will my landlord be told?" in only_late
    assert "When will the scheme start?" not in only_late


# -- similar questions -----------------------------------------------------------------------


def test_similar_questions_are_answered_once_each_in_their_residents_language(
    officer, admin_services, asked
) -> None:
    page = page_of(officer)
    assert "2 similar questions" in page
    assert 'name="answer_cy"' in page
    assert 'name="answer_en"' in page  # one Welsh and one English resident: both asked for
    form = {"answer_cy": "Ym mis Mawrth.", "answer_en": "In March.", "action": "send"}
    ids = [asked["When will the scheme start?"], asked["when will the scheme start"]]
    sent = officer.post(
        f"{INBOX}/together/answer",
        data={**form_fields(page, f"{INBOX}/together/answer"), **form, "question": ids},
    )
    assert sent.status_code == 302, sent.get_data(as_text=True)[:800]
    with admin_services.db.session() as session:
        rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        statuses = {q.id: q.status for q in session.exec(select(Question))}
    bodies = [admin_services.vault.open(row.body_encrypted) for row in rows]
    assert len(bodies) == 2
    assert bodies[0].startswith("Ateb gan y cyngor")
    assert "Ym mis Mawrth." in bodies[0]
    assert bodies[1].startswith("The council's answer")
    assert "In March." in bodies[1]
    assert [statuses[question_id] for question_id in ids] == ["answered", "answered"]
    (entry,) = audit(admin_services, "question_group_answered")
    assert entry.detail.startswith("questions=2; ids=")
    assert "Answer sent to 2 residents" in page_of(officer)


def test_a_group_in_one_language_asks_for_one_answer(officer, admin_services) -> None:
    talk(admin_services, ENGLISH, "hi", "2", "ASK Who will see my answers exactly")
    talk(admin_services, OTHER, "hi", "2", "ASK who will see my answers exactly?")
    page = page_of(officer)
    assert "2 similar questions" in page
    assert 'name="answer_cy"' not in page  # both read English: one answer, in English
    assert "Your answer in English" in page


def test_each_question_on_its_own_when_asked(officer, asked) -> None:
    page = page_of(officer, f"{INBOX}?separate=1")
    assert "similar questions" not in page
    assert page.count('class="sgwrs-question"') == 3


# -- dismissing and assigning ----------------------------------------------------------------


def test_a_dismissed_question_leaves_the_count_and_can_be_restored(
    officer, admin_services, asked
) -> None:
    question_id = landlord(asked)
    path = f"{INBOX}/{question_id}/dismiss"
    response = post_form(officer, path, {"reason": "not_a_question"}, token_from=INBOX)
    assert response.status_code == 302
    page = page_of(officer)
    assert "Question dismissed" in page
    assert "Waiting for an answer (2)" in page
    assert 'sgwrs-nav-count">2<' in page
    assert "Will my landlord be told?" not in page
    dismissed = page_of(officer, f"{INBOX}?status=dismissed")
    assert "Will my landlord be told?" in dismissed
    assert "Not a question" in dismissed
    (entry,) = audit(admin_services, "question_dismissed")
    assert (entry.target, entry.detail) == (f"question:{question_id}", "why=not_a_question")
    restore = f"{INBOX}/{question_id}/restore"
    post_form(officer, restore, {}, token_from=f"{INBOX}?status=dismissed")
    assert "Waiting for an answer (3)" in page_of(officer)
    assert len(audit(admin_services, "question_restored")) == 1


def test_a_reason_not_on_the_list_is_refused(officer, admin_services, asked) -> None:
    path = f"{INBOX}/{landlord(asked)}/dismiss"
    post_form(officer, path, {"reason": "I just do not like it"}, token_from=INBOX)
    assert "Choose why from the list of reasons." in page_of(officer)
    assert audit(admin_services, "question_dismissed") == []


def test_assigned_to_me_lists_only_the_officers_questions(officer, admin_services, asked) -> None:
    with admin_services.db.session() as session:
        me = next(user for user in list_assignable_users(session) if user.name == "Officer")
    path = f"{INBOX}/{landlord(asked)}/assign"
    assert post_form(officer, path, {"officer": str(me.id)}, token_from=INBOX).status_code == 302
    mine = page_of(officer, f"{INBOX}?assigned=me")
    assert "Will my landlord be told?" in mine
    assert "When will the scheme start?" not in mine
    assert "Will my landlord be told?" not in page_of(officer, f"{INBOX}?assigned=nobody")
    (entry,) = audit(admin_services, "question_assigned")
    assert entry.detail == "officer=Officer"


# -- filters ---------------------------------------------------------------------------------


def test_filters_combine_in_the_url(officer, asked) -> None:
    welsh = page_of(officer, f"{INBOX}?language=cy")
    assert "When will the scheme start?" in welsh
    assert "when will the scheme start<" not in welsh
    partner = page_of(officer, f"{INBOX}?partner=LIB1&language=en")
    assert "when will the scheme start" in partner
    assert "Will my landlord be told?" not in partner
    none = page_of(officer, f"{INBOX}?partner=LIB1&language=cy")
    assert "No questions match these filters." in none
    assert 'value="LIB1" selected' in none  # the form shows what is filtered
    answered = page_of(officer, f"{INBOX}?status=answered")
    assert "Waiting for an answer" not in answered


# -- export ----------------------------------------------------------------------------------


def test_the_export_is_pseudonymised_redacted_and_audited(officer, admin_services) -> None:
    talk(admin_services, OTHER, "hi", "2", "ASK can you ring me on 07700 900777 about it?")
    response = post_form(officer, f"{INBOX}/export", {"format": "csv"}, token_from=INBOX)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('.csv"')
    text = response.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert len(rows) == 1
    assert "07700" not in text
    assert "900777" not in text
    assert rows[0]["contact_details"] == "yes"
    assert rows[0]["status"] == "open"
    (entry,) = audit(admin_services, "questions_exported")
    assert entry.detail.endswith("format=csv; rows=1")


def test_the_spreadsheet_export_opens_in_a_spreadsheet(officer, asked) -> None:
    response = post_form(officer, f"{INBOX}/export", {"format": "xlsx"}, token_from=INBOX)
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "participant"
    assert len(rows) == 4
    assert {row[3] for row in rows[1:]} >= {"Will my landlord be told?"}


# -- save as FAQ -----------------------------------------------------------------------------


def test_an_answer_saved_as_faq_is_what_the_bot_answers_next_time(
    officer, admin_services, asked, flows_dir: Path
) -> None:
    question_id = landlord(asked)
    answer = f"{INBOX}/{question_id}/answer"
    post_form(officer, answer, {"answer": "No, never.", "action": "send"}, token_from=INBOX)
    form = page_of(officer, f"{INBOX}/{question_id}/faq")
    assert "Will my landlord be told?" in form
    saved = post_form(
        officer,
        f"{INBOX}/{question_id}/faq",
        {
            "question_cy": "Fydd fy landlord yn cael gwybod?",
            "question_en": "Will my landlord be told?",
            "answer_cy": "Na, byth.",
            "answer_en": "No, never.",
        },
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)[:800]
    written = (flows_dir / "energy-data.yaml").read_text(encoding="utf-8")
    assert "id: will-my-landlord-be-told" in written
    assert "Na, byth." in written
    flow = admin_services.library.flow("energy-data")
    entry = next(entry for entry in flow.faq if entry.id == "will-my-landlord-be-told")
    assert entry.question.awaits_review  # the Welsh goes to the translators
    (replies,) = talk(admin_services, "+447700900304", "hi", "2", "ASK will my landlord be told")[
        -1:
    ]
    assert "No, never." in (replies or "")
    (logged,) = audit(admin_services, "faq_entry_added")
    assert logged.target == "flow:energy-data"


def test_an_faq_entry_needs_both_languages(officer, admin_services, asked) -> None:
    question_id = landlord(asked)
    answer = f"{INBOX}/{question_id}/answer"
    post_form(officer, answer, {"answer": "No.", "action": "send"}, token_from=INBOX)
    refused = post_form(
        officer,
        f"{INBOX}/{question_id}/faq",
        {"question_cy": "", "question_en": "Will my landlord be told?", "answer_cy": "",
         "answer_en": "No."},
    )  # fmt: skip
    assert refused.status_code == 400
    assert "in Welsh and in English" in refused.get_data(as_text=True)
    assert audit(admin_services, "faq_entry_added") == []


def test_questions_are_searched_by_their_words_in_any_form(sign_in, admin_services) -> None:
    from bot.store.answers import save_question
    from bot.store.participants import create_participant

    now = admin_services.clock()
    with admin_services.db.session() as session:
        resident = create_participant(
            session,
            number_hash="s",
            number_encrypted=admin_services.vault.seal("+447700900777"),
            channel="sms",
            now=now,
        )
        session.flush()
        for text in ("Pryd fydd y fysiau yn newid?", "Will my boiler be checked?"):
            save_question(
                session,
                admin_services.vault,
                participant_id=resident.id or 0,
                flow_id="energy-data",
                step_id="worries",
                text=text,
                now=now,
            )
    officer = sign_in("officer")
    page = officer.get("/admin/questions?q=bysiau").get_data(as_text=True)
    assert "Pryd fydd y fysiau yn newid?" in page
    assert "Will my boiler be checked?" not in page
    assert 'value="bysiau"' in page
    page = officer.get("/admin/questions?q=boilers").get_data(as_text=True)
    assert "Will my boiler be checked?" in page
    assert "fysiau" not in page
