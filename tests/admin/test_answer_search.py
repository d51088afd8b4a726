"""The answers page at scale: search over sealed words, filters that combine and stay in the
URL, and one action on many answers, audited once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from bot.runtime.container import Container
from bot.store import themes as codebook
from bot.store.answers import save_question
from bot.store.models import Answer, AnswerTheme, AuditEvent
from tests.admin.conftest import form_fields, post_form
from tests.helpers import add_written_answer

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
#: (text, language, partner, kind, day of November)
ANSWERS = [
    ("Mae'r fysiau yn hwyr bob dydd", "cy", "LIB1", "fear", 2),
    ("The buses never come on time", "en", "LIB1", "fear", 3),
    ("Help with the boiler before winter", "en", "FOOD1", "hope", 4),
    ("Cymorth gyda'r boeler cyn y gaeaf", "cy", None, "hope", 5),
    ("Ring me on 07700 900123 about my boiler", "en", None, "feedback", 6),
]


@pytest.fixture
def answers(admin_services: Container) -> dict[str, int]:
    """Five residents' answers, by their first word."""
    ids = {}
    with admin_services.db.session() as session:
        for text, language, partner, kind, day in ANSWERS:
            ids[text.split()[0]] = add_written_answer(
                admin_services,
                session,
                text,
                kind=kind,
                step_id={"hope": "hopes", "fear": "worries"}.get(kind, "feedback"),
                language=language,
                partner=partner,
                now=NOW.replace(day=day),
                contact_details="07700" in text,
            )
        asker = session.get(Answer, ids["Ring"])
        assert asker is not None
        save_question(
            session,
            admin_services.vault,
            participant_id=asker.participant_id,
            flow_id="energy-data",
            step_id="worries",
            text="Ring me?",
            now=NOW,
            answer_id=ids["Ring"],
        )
    return ids


def listed(client, query: str) -> list[str]:
    """The first word of each answer the page lists for `query` (a query string)."""
    page = client.get(f"/admin/answers?{query}").get_data(as_text=True)
    return [text.split()[0] for text, *_ in ANSWERS if _shown(text) in page]


def _shown(text: str) -> str:
    return text.replace("'", "&#39;")[:10]  # before any redacted number


def test_a_search_finds_every_form_of_a_word_in_either_language(sign_in, answers) -> None:
    officer = sign_in("officer")
    assert listed(officer, "q=bysiau") == ["Mae'r"]
    assert listed(officer, "q=bus") == ["The"]
    assert listed(officer, "q=boiler") == ["Help", "Ring"]
    assert listed(officer, "q=boiler+winter") == ["Help"]
    page = officer.get("/admin/answers?q=nothingmatches").get_data(as_text=True)
    assert "No answers match these filters." in page


def test_filters_combine_and_stay_in_the_url(sign_in, answers) -> None:
    officer = sign_in("officer")
    assert listed(officer, "language=cy") == ["Mae'r", "Cymorth"]
    assert listed(officer, "language=en&partner=LIB1") == ["The"]
    assert listed(officer, "kind=hope&q=boeler") == ["Cymorth"]
    assert listed(officer, "flow=energy-data&step=worries") == ["Mae'r", "The"]
    assert listed(
        officer, "from-day=4&from-month=11&from-year=2026&to-day=5&to-month=11&to-year=2026"
    ) == ["Help", "Cymorth"]
    assert listed(officer, "question=1") == ["Ring"]
    assert listed(officer, "contact=1") == ["Ring"]
    page = officer.get("/admin/answers?q=boiler&language=en").get_data(as_text=True)
    assert 'value="boiler"' in page
    assert "q=boiler&amp;language=en" in page  # forms and links keep the filters


def test_a_bad_date_is_explained_and_the_rest_still_filters(sign_in, answers) -> None:
    officer = sign_in("officer")
    page = officer.get("/admin/answers?from-day=31&from-month=2&from-year=2026&q=bus")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "The start date must be a real date" in text
    assert "The buses never come" in text


def test_a_partner_searches_only_their_own_residents(sign_in, answers) -> None:
    partner = sign_in("partner")  # LIB1's account
    assert listed(partner, "q=bus") == ["The"]
    assert listed(partner, "partner=FOOD1") == ["Mae'r", "The"]  # held to their own code


def test_an_officer_tags_every_answer_a_search_finds_in_one_go(
    sign_in, answers, admin_services: Container
) -> None:
    officer = sign_in("officer")
    with admin_services.db.session() as session:
        help_theme = codebook.add_theme(session, "Help").id
    response = post_form(
        officer,
        "/admin/answers/bulk?q=boiler",
        {"scope": "matching", "action": "tag", "theme": str(help_theme)},
        token_from="/admin/answers?q=boiler",
    )
    assert response.status_code == 302
    assert "q=boiler" in response.headers["Location"]
    assert "2 of 2 answers changed." in officer.get(response.headers["Location"]).get_data(
        as_text=True
    )
    with admin_services.db.session() as session:
        tagged = set(session.exec(select(AnswerTheme.answer_id)))
        events = session.exec(
            select(AuditEvent).where(AuditEvent.action == "answers_changed_in_bulk")
        ).all()
    assert tagged == {answers["Help"], answers["Ring"]}
    assert [event.detail for event in events] == ["action=tag; theme=Help; chosen=2; changed=2"]


def test_ticked_answers_get_a_new_theme_flag_or_are_set_aside(
    sign_in, answers, admin_services: Container
) -> None:
    officer = sign_in("officer")
    ticked = [str(answers["Mae'r"]), str(answers["The"])]
    form = {"scope": "ticked", "action": "tag", "new_theme": "Transport"}
    page = officer.get("/admin/answers").get_data(as_text=True)
    fields = form_fields(page, "/admin/answers/bulk")
    response = officer.post("/admin/answers/bulk", data={**fields, **form, "answer": ticked})
    assert response.status_code == 302
    for action in ("significant", "not_an_answer"):
        fields = form_fields(
            officer.get("/admin/answers").get_data(as_text=True), "/admin/answers/bulk"
        )
        officer.post(
            "/admin/answers/bulk",
            data={**fields, "scope": "ticked", "action": action, "answer": ticked},
        )
    with admin_services.db.session() as session:
        rows = {row.id: row for row in session.exec(select(Answer))}
        theme = codebook.get_theme_by_name(session, "transport")
        tagged = set(session.exec(select(AnswerTheme.answer_id)))
    assert theme is not None
    assert tagged == {answers["Mae'r"], answers["The"]}
    assert all(
        rows[int(n)].significant and rows[int(n)].filed_as == "not_an_answer" for n in ticked
    )
    assert not rows[answers["Help"]].significant


def test_a_bulk_action_with_nothing_ticked_says_what_to_do(sign_in, answers) -> None:
    officer = sign_in("officer")
    response = post_form(
        officer,
        "/admin/answers/bulk",
        {"scope": "ticked", "action": "significant"},
        token_from="/admin/answers",
    )
    assert response.status_code == 400
    assert "Tick at least one answer" in response.get_data(as_text=True)
