"""The questions inbox's queries on SQLite and PostgreSQL: waiting and overdue counts, the
order (overdue first), filters, dismissing and restoring, and answering a group at once."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.core.question_list import waiting_page
from bot.core.question_triage import dismiss, restore
from bot.core.reply_times import count_waiting_questions
from bot.runtime.container import Container
from bot.store.models import AuditEvent, OutboxMessage, Question
from bot.store.question_filters import QuestionFilter
from bot.store.question_inbox import WaitingCount
from tests.admin.conftest import talk


def ask(services: Container) -> dict[str, int]:
    talk(services, "+447700900401", "hi", "1", "GOFYN Pryd fydd y cynllun yn dechrau?")
    talk(services, "+447700900402", "hi", "2", "ASK pryd fydd y cynllun yn dechrau")
    talk(services, "+447700900403", "LIB1", "2", "ASK Will my landlord be told?")
    with services.db.session() as session:
        return {
            services.vault.open(q.text_encrypted): q.id or 0 for q in session.exec(select(Question))
        }


def test_waiting_and_overdue_are_counted_and_listed_overdue_first(services: Container) -> None:
    asked = ask(services)
    late = asked["Will my landlord be told?"]
    with services.db.session() as session:
        question = session.get(Question, late)
        assert question is not None
        question.created_at -= timedelta(days=30)
        session.add(question)
    now = services.clock()
    assert count_waiting_questions(services.db, services.library, now) == WaitingCount(3, 1)
    with services.db.session() as session:
        page = waiting_page(
            session, services.vault, services.library, QuestionFilter(), now, page=1, size=20
        )
        only_late = waiting_page(
            session,
            services.vault,
            services.library,
            QuestionFilter(overdue_only=True, partner_code="LIB1", language="en"),
            now,
            page=1,
            size=20,
        )
    assert page.groups[0].ids == (late,)
    assert [len(group.questions) for group in page.groups] == [1, 2]  # the two alike together
    assert page.groups[1].languages == ("cy", "en")
    assert [group.ids for group in only_late.groups] == [(late,)]

    with services.db.session() as session:
        dismiss(session, late, "duplicate", user_id=None, now=now)
    assert count_waiting_questions(services.db, services.library, now) == WaitingCount(2, 0)
    with services.db.session() as session:
        restore(session, late, user_id=None)
    assert count_waiting_questions(services.db, services.library, now).waiting == 3


def test_a_group_answer_sends_each_resident_their_own_text(services: Container) -> None:
    asked = ask(services)
    ids = [asked["Pryd fydd y cynllun yn dechrau?"], asked["pryd fydd y cynllun yn dechrau"]]
    result = services.questions.answer_group(
        ids, {"cy": "Ym mis Mawrth.", "en": "In March."}, user_id=None
    )
    assert result.sent == 2
    with services.db.session() as session:
        bodies = {
            row.dedupe_key: services.vault.open(row.body_encrypted)
            for row in session.exec(select(OutboxMessage))
        }
        (logged,) = session.exec(
            select(AuditEvent).where(AuditEvent.action == "question_group_answered")
        ).all()
    assert "Ym mis Mawrth." in bodies[f"answer:{ids[0]}"]
    assert "In March." not in bodies[f"answer:{ids[0]}"]
    assert "In March." in bodies[f"answer:{ids[1]}"]
    assert logged.detail == f"questions=2; ids={ids[0]},{ids[1]}"
