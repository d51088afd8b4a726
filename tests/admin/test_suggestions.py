"""The theme suggestions page: a theme offered from the tagged answers an untagged one is like,
accepted or declined by an officer (nothing tagged without one), and a group of answers no
theme fits made a new theme in one go."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from bot.runtime.container import Container
from bot.store import themes as codebook
from bot.store.models import AnswerTheme, AuditEvent
from tests.admin.conftest import form_fields, post_form
from tests.helpers import add_written_answer

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
TAGGED = {
    "Cost": [
        "my energy bills are far too high",
        "cannot afford the heating bills this winter",
        "biliau ynni yn rhy uchel",
    ],
    "Privacy": [
        "I feel watched by the smart meter",
        "it is snooping on my home",
        "teimlo fy mod i'n cael fy ngwylio",
    ],
}
UNTAGGED = [
    "the bills for heating are too high for us",
    "allotment tomatoes need water",
    "my allotment tomatoes are lovely",
    "tomatoes on the allotment",
    "cycling path too narrow",
    "a safer cycling path please",
    "cycling path to town",
]


@pytest.fixture
def seeded(admin_services: Container) -> dict[str, int]:
    """Tagged examples and untagged answers; the untagged answers' ids by text."""
    ids = {}
    with admin_services.db.session() as session:
        for name, texts in [*TAGGED.items(), ("", UNTAGGED)]:
            theme = codebook.add_theme(session, name) if name else None
            for text in texts:
                ids[text] = add_written_answer(admin_services, session, text, now=NOW)
                if theme is not None:
                    codebook.tag_answers(session, [ids[text]], theme.id or 0)
    return ids


def _themes_of(services: Container, answer_id: int) -> set[str]:
    with services.db.session() as session:
        rows = session.exec(
            select(AnswerTheme.theme_id).where(AnswerTheme.answer_id == answer_id)
        ).all()
        return {codebook.get_theme(session, theme_id).name for theme_id in rows}


def test_an_untagged_answer_is_offered_the_theme_of_those_it_is_like(sign_in, seeded) -> None:
    page = sign_in("officer").get("/admin/answers/suggestions").get_data(as_text=True)
    answer = page.index("the bills for heating are too high for us")
    assert "Cost" in page[answer : answer + 600]
    assert "like: " in page
    assert "Possible new themes" in page
    assert "allotment" in page


def test_nothing_is_tagged_until_an_officer_accepts(
    sign_in, seeded, admin_services: Container
) -> None:
    officer = sign_in("officer")
    officer.get("/admin/answers/suggestions")
    target = seeded["the bills for heating are too high for us"]
    assert _themes_of(admin_services, target) == set()
    path = f"/admin/answers/{target}/suggestion"
    page = officer.get("/admin/answers/suggestions").get_data(as_text=True)
    with admin_services.db.session() as session:
        cost = codebook.get_theme_by_name(session, "cost")
    assert cost is not None
    response = officer.post(
        path, data={**form_fields(page, path), "theme": str(cost.id), "decision": "accept"}
    )
    assert response.status_code == 302
    assert _themes_of(admin_services, target) == {"Cost"}
    with admin_services.db.session() as session:
        actions = session.exec(select(AuditEvent.action, AuditEvent.detail)).all()
    assert ("theme_suggestion_accepted", "theme=Cost") in actions


def test_a_declined_theme_is_not_offered_for_that_answer_again(
    sign_in, seeded, admin_services: Container
) -> None:
    officer = sign_in("officer")
    target = seeded["the bills for heating are too high for us"]
    path = f"/admin/answers/{target}/suggestion"
    page = officer.get("/admin/answers/suggestions").get_data(as_text=True)
    with admin_services.db.session() as session:
        cost = codebook.get_theme_by_name(session, "cost")
    assert cost is not None
    officer.post(
        path, data={**form_fields(page, path), "theme": str(cost.id), "decision": "decline"}
    )
    page = officer.get("/admin/answers/suggestions").get_data(as_text=True)
    assert f'action="{path}' not in page
    assert _themes_of(admin_services, target) == set()


def test_a_group_becomes_a_theme_for_all_its_answers_at_once(
    sign_in, seeded, admin_services: Container
) -> None:
    officer = sign_in("officer")
    page = officer.get("/admin/answers/suggestions").get_data(as_text=True)
    path = "/admin/answers/suggestions/group"
    group = [seeded[text] for text in UNTAGGED if "allotment" in text]
    fields = form_fields(page, path)
    data = {**fields, "group": "1", "new_theme": "Gardens", "answer": [str(n) for n in group]}
    response = officer.post(path, data=data)
    assert response.status_code == 302
    assert all(_themes_of(admin_services, answer_id) == {"Gardens"} for answer_id in group)
    page = officer.get("/admin/answers/suggestions").get_data(as_text=True)
    refused = officer.post(
        path, data={**form_fields(page, path), "group": "1", "new_theme": " ", "answer": "1"}
    )
    assert refused.status_code == 400
    assert "Give the new theme a name." in refused.get_data(as_text=True)


def test_partners_cannot_see_suggestions(sign_in, seeded) -> None:
    assert sign_in("partner").get("/admin/answers/suggestions").status_code == 403


def test_the_page_is_in_welsh(sign_in, seeded) -> None:
    officer = sign_in("officer")
    path = "/admin/answers/suggestions"
    post_form(officer, "/admin/language", {"language": "cy", "next": path}, token_from=path)
    page = officer.get(path).get_data(as_text=True)
    assert "Awgrymiadau themâu" in page
    assert "Themâu newydd posibl" in page
    assert "Derbyn" in page
