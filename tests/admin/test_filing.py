"""Filing what a resident said: an answer, not an answer, or a question for an officer.

The engine files each reply as it hears it; an officer can mark a stored answer "not an answer",
re-file it as a question (a question in the inbox, linked back to the answer), and undo either.
Marked rows leave every count and the export; each change goes in the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from sqlmodel import select

from bot.core.filing import FilingError, file_answer
from bot.runtime.container import Container
from bot.store.answer_list import AnswerFilter, count_answer_themes, list_open_answers
from bot.store.answers import save_answer, save_question
from bot.store.models import Answer, AuditEvent, Question
from bot.store.participants import create_participant, erase_participant
from bot.store.themes import add_theme, set_answer_themes
from tests.admin.conftest import post_form
from tests.admin.test_export import download, read_csv

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
NUMBER = "+447700900555"
#: A hope, a fear that was no answer ("ok thanks"), a reaction and a skip.
MIXED = (
    ("hope", "hopes", "Warm homes"),
    ("fear", "worries", "ok thanks"),
    ("reaction", "risks", "That sounds risky"),
    ("skipped", "feedback", ""),
)


def add_resident(services: Container, *texts: tuple[str, str, str]) -> tuple[int, list[int]]:
    """A resident with answers (kind, step, text); returns their id and the answers' ids."""
    with services.db.session() as session:
        participant = create_participant(
            session,
            number_hash=services.vault.hash_number(NUMBER),
            number_encrypted=services.vault.seal(NUMBER),
            channel="sms",
            now=NOW,
        )
        rows = [
            save_answer(
                session,
                services.vault,
                participant_id=participant.id or 0,
                conversation_id=None,
                flow_id="energy-data",
                step_id=step,
                kind=kind,
                value=None,
                text=text,
                now=NOW,
            )
            for kind, step, text in texts
        ]
        session.flush()
        return participant.id or 0, [row.id or 0 for row in rows]


def add_answer_with_question(services: Container) -> tuple[int, int, Question]:
    """An own-words answer that was also a question, as the engine files it: both, linked."""
    pid, [hope] = add_resident(services, ("hope", "hopes", "Warm homes. Who sees it?"))
    with services.db.session() as session:
        question = save_question(
            session,
            services.vault,
            participant_id=pid,
            flow_id="energy-data",
            step_id="hopes",
            text="Who sees it?",
            now=NOW,
            answer_id=hope,
        )
    return pid, hope, question


def questions_of(services: Container) -> list[Question]:
    with services.db.session() as session:
        return list(session.exec(select(Question).order_by(Question.id)))


def filed_as(services: Container, answer_id: int) -> str:
    with services.db.session() as session:
        answer = session.get(Answer, answer_id)
        assert answer is not None
        return answer.filed_as


def audit(services: Container) -> list[tuple[str, str, str]]:
    """The filing events (not signing in and the like)."""
    with services.db.session() as session:
        events = session.exec(select(AuditEvent).order_by(AuditEvent.id))
        return [(e.action, e.target, e.detail) for e in events if e.action.startswith("answer_")]


# -- the store ----------------------------------------------------------------------------------


def test_erasing_a_resident_removes_questions_raised_from_their_answers(
    services: Container,
) -> None:
    """questions.answer_id points at answers: erasure must delete the question first."""
    pid, hope, question = add_answer_with_question(services)
    assert question.answer_id == hope
    with services.db.session() as session:
        erase_participant(session, pid)
    with services.db.session() as session:
        assert session.exec(select(Answer)).all() == []
        assert session.exec(select(Question)).all() == []


def test_a_new_answer_is_filed_as_an_answer(services: Container) -> None:
    _pid, [hope] = add_resident(services, ("hope", "hopes", "Warm homes"))
    assert filed_as(services, hope) == "answer"


# -- the use case -------------------------------------------------------------------------------


def test_refiling_as_a_question_opens_a_linked_question_and_back_removes_it(
    admin_services: Container,
) -> None:
    pid, [hope] = add_resident(admin_services, ("hope", "hopes", "Is my landlord told?"))
    with admin_services.db.session() as session:
        change = file_answer(session, admin_services.vault, hope, "question", user_id=None)
    [question] = questions_of(admin_services)
    assert change.question_id == question.id
    where = (question.participant_id, question.flow_id, question.step_id)
    assert where == (pid, "energy-data", "hopes")
    assert (question.status, question.answer_id) == ("open", hope)
    assert admin_services.vault.open(question.text_encrypted) == "Is my landlord told?"
    assert question.created_at == NOW  # when the resident asked: the inbox thread ends there
    assert filed_as(admin_services, hope) == "question"

    with admin_services.db.session() as session:
        file_answer(session, admin_services.vault, hope, "answer", user_id=None)
    assert questions_of(admin_services) == []
    assert filed_as(admin_services, hope) == "answer"
    assert [action for action, _t, _d in audit(admin_services)] == [
        "answer_refiled_as_question",
        "answer_restored",
    ]
    assert {target for _a, target, _d in audit(admin_services)} == {f"answer:{hope}"}


def test_an_answered_question_is_not_taken_back(admin_services: Container) -> None:
    _pid, [hope] = add_resident(admin_services, ("hope", "hopes", "Is my landlord told?"))
    with admin_services.db.session() as session:
        file_answer(session, admin_services.vault, hope, "question", user_id=None)
    [question] = questions_of(admin_services)
    with admin_services.db.session() as session:
        stored = session.get(Question, question.id)
        assert stored is not None
        stored.status = "answered"
        session.add(stored)
    with (
        admin_services.db.session() as session,
        pytest.raises(FilingError, match="already been answered"),
    ):
        file_answer(session, admin_services.vault, hope, "answer", user_id=None)
    assert filed_as(admin_services, hope) == "question"
    assert len(questions_of(admin_services)) == 1


def test_an_answer_that_already_raised_a_question_is_not_filed_twice(
    admin_services: Container,
) -> None:
    add_answer_with_question(admin_services)
    [hope] = [q.answer_id for q in questions_of(admin_services)]
    assert hope is not None
    with (
        admin_services.db.session() as session,
        pytest.raises(FilingError, match="already raised a question"),
    ):
        file_answer(session, admin_services.vault, hope, "question", user_id=None)
    assert filed_as(admin_services, hope) == "answer"
    assert len(questions_of(admin_services)) == 1


def test_an_unknown_answer_or_filing_is_refused(admin_services: Container) -> None:
    _pid, [hope] = add_resident(admin_services, ("hope", "hopes", "Warm homes"))
    with admin_services.db.session() as session, pytest.raises(FilingError, match="no longer"):
        file_answer(session, admin_services.vault, 999_999, "not_an_answer", user_id=None)
    with admin_services.db.session() as session, pytest.raises(FilingError):
        file_answer(session, admin_services.vault, hope, "nonsense", user_id=None)
    assert audit(admin_services) == []


def test_marked_answers_leave_the_list_the_theme_counts_and_the_export_counts(
    admin_services: Container,
) -> None:
    _pid, [hope, fear, reaction, skipped] = add_resident(admin_services, *MIXED)
    with admin_services.db.session() as session:
        theme = add_theme(session, "Trust")
        for answer_id in (hope, fear, reaction):
            set_answer_themes(session, answer_id, [theme.id or 0])
        file_answer(session, admin_services.vault, fear, "not_an_answer", user_id=None)
    vault = admin_services.vault
    with admin_services.db.session() as session:
        listed = list_open_answers(session, vault, AnswerFilter(), limit=50, offset=0)
        counts = count_answer_themes(session, AnswerFilter())
        marked = list_open_answers(
            session, vault, AnswerFilter(filed_as="not_an_answer"), limit=50, offset=0
        )
        marked_counts = count_answer_themes(session, AnswerFilter(filed_as="not_an_answer"))
    assert sorted(a.text for a in listed.answers) == ["That sounds risky", "Warm homes"]
    assert listed.total == 2  # the skip is never listed, the marked one has left
    assert [(c.names.name, c.answers) for c in counts] == [("Trust", 2)]
    assert [a.id for a in marked.answers] == [fear]
    assert [(c.names.name, c.answers) for c in marked_counts] == [
        ("Trust", 2)
    ]  # counts: answers only
    assert skipped


# -- the pages ----------------------------------------------------------------------------------


@pytest.fixture
def officer(sign_in: Callable[[str], FlaskClient]) -> FlaskClient:
    return sign_in("officer")


def test_an_officer_marks_an_answer_on_the_answers_page_and_restores_it(
    officer: FlaskClient, admin_services: Container
) -> None:
    _pid, [hope, _reaction] = add_resident(
        admin_services,
        ("hope", "hopes", "ok"),
        ("reaction", "risks", "That sounds risky"),
    )
    page = officer.get("/admin/answers").get_data(as_text=True)
    assert "Reaction to an explanation" in page
    assert f'action="/admin/answers/{hope}/filing"' in page

    response = post_form(
        officer, f"/admin/answers/{hope}/filing", {"filed_as": "not_an_answer"},
        token_from="/admin/answers",
    )  # fmt: skip
    assert response.status_code == 302
    page = officer.get(response.headers["Location"]).get_data(as_text=True)
    assert "Marked as not an answer" in page
    assert f'id="answer-{hope}"' not in page  # gone from the answers
    assert "Showing 1 to 1 of 1 answers" in page

    marked = officer.get("/admin/answers?filed=not_an_answer").get_data(as_text=True)
    assert f'id="answer-{hope}"' in marked
    response = post_form(
        officer, f"/admin/answers/{hope}/filing?filed=not_an_answer", {"filed_as": "answer"},
        token_from="/admin/answers?filed=not_an_answer",
    )  # fmt: skip
    assert response.status_code == 302
    assert "filed=not_an_answer" in response.headers["Location"]
    assert filed_as(admin_services, hope) == "answer"
    assert [(a, t) for a, t, _d in audit(admin_services)] == [
        ("answer_marked_not_an_answer", f"answer:{hope}"),
        ("answer_restored", f"answer:{hope}"),
    ]


def test_refiling_from_the_transcript_puts_it_in_the_questions_inbox(
    officer: FlaskClient, admin_services: Container
) -> None:
    pid, [hope, _skip] = add_resident(
        admin_services, ("hope", "hopes", "Is my landlord told?"), ("skipped", "worries", "")
    )
    transcript = f"/admin/conversations/{pid}"
    page = officer.get(transcript).get_data(as_text=True)
    assert page.count('name="filed_as"') == 2  # two buttons for the one answer (not the skip)
    response = post_form(
        officer, f"/admin/answers/{hope}/filing", {"filed_as": "question", "transcript": str(pid)},
        token_from=transcript,
    )  # fmt: skip
    assert response.status_code == 302
    assert response.headers["Location"].endswith(transcript + f"#answer-{hope}")
    page = officer.get(transcript).get_data(as_text=True)
    assert "Filed as a question: it is in the questions inbox." in page
    assert "Filed as a question" in page
    inbox = officer.get("/admin/questions").get_data(as_text=True)
    assert "Is my landlord told?" in inbox
    assert "Waiting for an answer (1)" in inbox
    [(action, target, detail)] = audit(admin_services)
    assert (action, target) == ("answer_refiled_as_question", f"answer:{hope}")
    assert "landlord" not in detail


def test_taking_back_an_answered_question_says_why(
    officer: FlaskClient, admin_services: Container
) -> None:
    _pid, [hope] = add_resident(admin_services, ("hope", "hopes", "Is my landlord told?"))
    with admin_services.db.session() as session:
        change = file_answer(session, admin_services.vault, hope, "question", user_id=None)
    admin_services.questions.answer(change.question_id or 0, "No, never.")
    response = post_form(
        officer, f"/admin/answers/{hope}/filing?filed=question", {"filed_as": "answer"},
        token_from="/admin/answers?filed=question",
    )  # fmt: skip
    page = officer.get(response.headers["Location"]).get_data(as_text=True)
    assert "That question has already been answered" in page
    assert filed_as(admin_services, hope) == "question"


def test_a_partner_can_neither_see_marked_answers_nor_file_them(
    sign_in: Callable[[str], FlaskClient], admin_services: Container
) -> None:
    _pid, [hope] = add_resident(admin_services, ("hope", "hopes", "Warm homes"))
    partner = sign_in("partner")
    page = partner.get("/admin/answers").get_data(as_text=True)
    assert "/filing" not in page
    response = post_form(
        partner, f"/admin/answers/{hope}/filing", {"filed_as": "not_an_answer"},
        token_from="/admin/answers",
    )  # fmt: skip
    assert response.status_code == 403
    assert filed_as(admin_services, hope) == "answer"


def test_the_filing_buttons_read_in_welsh(officer: FlaskClient, admin_services: Container) -> None:
    add_resident(admin_services, ("reaction", "risks", "That sounds risky"))
    post_form(
        officer, "/admin/language", {"language": "cy", "next": "/admin/answers"},
        token_from="/admin/answers",
    )  # fmt: skip
    page = officer.get("/admin/answers").get_data(as_text=True)
    assert "Ymateb i esboniad" in page
    assert "Nid ateb yw hwn" in page
    assert "Ei ffeilio fel cwestiwn" in page


def test_the_export_leaves_out_skips_and_marked_rows_and_labels_reactions(
    officer: FlaskClient, admin_services: Container
) -> None:
    _pid, [_hope, fear, _reaction, _skip] = add_resident(admin_services, *MIXED)
    with admin_services.db.session() as session:
        file_answer(session, admin_services.vault, fear, "not_an_answer", user_id=None)
    form = officer.get("/admin/export").get_data(as_text=True)
    assert 'value="reaction"' in form
    assert "Reaction to an explanation" in form
    assert 'value="skipped"' not in form
    rows = read_csv(download(officer))
    assert sorted((row["kind"], row["answer_text"]) for row in rows) == [
        ("hope", "Warm homes"),
        ("reaction", "That sounds risky"),
    ]
    audit_detail = [
        event.detail for event in _events(admin_services) if event.action == "export_downloaded"
    ]
    assert audit_detail[0].endswith("rows=2")


def _events(services: Container) -> list[AuditEvent]:
    with services.db.session() as session:
        return list(session.exec(select(AuditEvent)))
