"""The charts page: themes by hopes and fears, answers over time and partner reach, each an
SVG image with a title and description, its numbers in a table, in English and Welsh."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.runtime.container import Container
from bot.store import themes as codebook
from bot.store.conversations import start_conversation
from bot.store.models import Answer
from tests.admin.conftest import post_form
from tests.helpers import add_written_answer

#: (partner, kind, theme)
ANSWERS = [
    ("LIB1", "hope", "Help"),
    ("LIB1", "fear", "Privacy"),
    ("FOOD1", "fear", "Privacy"),
    (None, "fear", "Privacy"),
    (None, "hope", None),
]


@pytest.fixture
def seeded(admin_services: Container) -> None:
    now = admin_services.clock()
    with admin_services.db.session() as session:
        themes = {name: codebook.add_theme(session, name) for name in ("Help", "Privacy")}
        for number, (partner, kind, theme) in enumerate(ANSWERS):
            when = now - timedelta(days=number)
            answer_id = add_written_answer(
                admin_services, session, f"words {number}", kind=kind, partner=partner, now=when
            )
            resident = session.get(Answer, answer_id)
            assert resident is not None
            start_conversation(session, resident.participant_id, "energy-data", 1, now)
            if theme:
                codebook.tag_answers(session, [answer_id], themes[theme].id or 0)


def test_officers_see_three_charts_with_their_numbers(sign_in, seeded) -> None:
    page = sign_in("officer").get("/admin/charts").get_data(as_text=True)
    assert page.count('role="img"') == 3
    assert "Privacy: 0 hopes, 3 fears; Help: 1 hopes, 0 fears" in page
    assert "5 in all." in page  # answers over time
    assert "Show the numbers as a table" in page
    assert "No partner code" in page


def test_a_partner_sees_only_their_own_residents(sign_in, seeded) -> None:
    page = sign_in("partner").get("/admin/charts").get_data(as_text=True)
    assert "Help: 1 hopes, 0 fears; Privacy: 0 hopes, 1 fears" in page  # a tie: by name
    assert "2 in all." in page
    assert "No partner code" not in page


def test_the_charts_speak_welsh(sign_in, seeded) -> None:
    officer = sign_in("officer")
    post_form(
        officer,
        "/admin/language",
        {"language": "cy", "next": "/admin/charts"},
        token_from="/admin/charts",
    )
    page = officer.get("/admin/charts").get_data(as_text=True)
    assert "Themâu: gobeithion a phryderon" in page
    assert "0 gobeithion, 3 pryderon" in page
