"""Hopes, fears and feedback: filters, tagging with the themes codebook, significant answers,
partners' anonymised view, and the codebook page (add, rename, merge)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from bot.runtime.container import Container
from bot.store import themes as codebook
from bot.store.answer_list import AnswerFilter, count_answer_themes, list_open_answers
from bot.store.answers import save_answer
from bot.store.models import Answer, AnswerTheme, AuditEvent, Theme, ThemeNames
from bot.store.participants import create_participant
from bot.store.themes import Renamed
from tests.admin.conftest import TO_HOPES, post_form, talk
from tests.conftest import copy_sqlite, make_container
from tests.helpers import count_queries

GETS = ["/admin/answers", "/admin/themes"]
POSTS = [
    "/admin/answers/1/themes",
    "/admin/answers/1/significant",
    "/admin/themes",
    "/admin/themes/1/rename",
    "/admin/themes/merge",
]


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Path:
    """Residents seeded once per module (talking through the whole flow is slow), copied per test:
    a library resident, a food-bank resident, one with no partner, and a simulator test."""
    path = tmp_path_factory.mktemp("answers") / "seeded.db"
    shutil.copy(sqlite_template, path)
    services = make_container(f"sqlite:///{path}")
    for number, partner, hope, fear in [
        ("+447700900101", "LIB1", "Warm homes for all", "Being watched"),
        ("+447700900102", "FOOD1", "Cheaper bills", "Data leaks"),
        ("+447700900103", "hi", "Help before winter", "Nobody listens"),
    ]:
        talk(services, number, partner, *TO_HOPES[1:], hope, fear, "More help", "no", "1")
    with services.db.session() as session:
        test = create_participant(
            session, number_hash="t", number_encrypted="x", channel="sms", now=_now(), is_test=True
        )
        save_answer(
            session,
            services.vault,
            participant_id=test.id or 0,
            conversation_id=None,
            flow_id="energy-data",
            step_id="hopes",
            kind="hope",
            value=None,
            text="Simulator hope",
            now=_now(),
        )
    services.db.engine.dispose()
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, seeded_template: Path) -> str:
    return copy_sqlite(seeded_template, tmp_path)


@pytest.fixture
def residents(admin_services: Container) -> Container:
    return admin_services


def _now() -> datetime:
    return datetime.now(UTC)


def answer_id(services: Container, text: str) -> int:
    with services.db.session() as session:
        for answer in session.exec(select(Answer)):
            if services.vault.open(answer.text_encrypted) == text:
                return answer.id or 0
    raise AssertionError(f"no answer {text!r}")


def add_unexpected(services: Container, text: str) -> None:
    """A free-text reply where a choice was asked, from the library resident."""
    with services.db.session() as session:
        pid = session.exec(select(Answer.participant_id)).first() or 0
        save_answer(
            session,
            services.vault,
            participant_id=pid,
            conversation_id=None,
            flow_id="energy-data",
            step_id="view",
            kind="unexpected",
            value=None,
            text=text,
            now=_now(),
        )


# -- access ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", GETS + POSTS)
def test_anonymous_visitors_are_sent_to_sign_in(admin_app, path: str) -> None:
    client = admin_app.test_client()
    if path in GETS:
        response = client.get(path)
    else:  # with a valid CSRF token, as a browser would have from the sign-in page
        response = post_form(client, path, {}, token_from="/admin/sign-in")
    assert response.status_code == 302
    assert "/admin/sign-in" in response.headers["Location"]


@pytest.mark.parametrize("path", POSTS)
def test_every_post_needs_a_csrf_token(sign_in, residents, path: str) -> None:
    client = sign_in("officer")
    with residents.db.session() as session:
        codebook.add_theme(session, "Trust")
    response = client.post(path, data={"name": "x", "theme": "1", "significant": "1"})
    assert response.status_code == 400


def test_partners_cannot_manage_themes_tag_or_flag(sign_in, residents) -> None:
    client = sign_in("partner")
    assert client.get("/admin/themes").status_code == 403
    lib_answer = answer_id(residents, "Warm homes for all")
    for path, data in [
        (f"/admin/answers/{lib_answer}/themes", {"new_theme": "Trust"}),
        (f"/admin/answers/{lib_answer}/significant", {"significant": "1"}),
        ("/admin/themes", {"name": "Trust"}),
    ]:
        assert post_form(client, path, data, token_from="/admin/answers").status_code == 403
    with residents.db.session() as session:
        assert session.exec(select(Theme)).all() == []
        assert session.get(Answer, lib_answer).significant is False


def test_admins_and_officers_see_the_pages(sign_in, residents) -> None:
    for role in ("admin", "officer"):
        client = sign_in(role)
        assert client.get("/admin/answers").status_code == 200
        assert client.get("/admin/themes").status_code == 200


# -- the list -----------------------------------------------------------------------------------


def test_officers_see_every_real_answer_with_kind_flow_and_step(sign_in, residents) -> None:
    add_unexpected(residents, "I do not trust any of this")
    page = sign_in("officer").get("/admin/answers").get_data(as_text=True)
    for text in ("Warm homes for all", "Data leaks", "Help before winter", "I do not trust any"):
        assert text in page
    assert "Simulator hope" not in page  # test conversations are left out
    assert "Unexpected reply to a choice" in page
    assert "Energy data and cold homes / Worries" in page
    assert "Tag with themes" in page
    assert "Resident " in page  # officers can go to the resident's conversation
    assert "+4477" not in page


def test_the_list_filters_by_kind_and_flow(sign_in, residents) -> None:
    client = sign_in("officer")
    fears = client.get("/admin/answers?kind=fear").get_data(as_text=True)
    assert "Data leaks" in fears
    assert "Cheaper bills" not in fears
    assert 'id="answer-' not in client.get("/admin/answers?flow=welcome").get_data(as_text=True)
    everything = client.get("/admin/answers?kind=nonsense&flow=nope")
    assert "Cheaper bills" in everything.get_data(as_text=True)  # unknown values are ignored


def test_partners_see_only_their_residents_answers_anonymised(sign_in, residents) -> None:
    with residents.db.session() as session:
        trust = codebook.add_theme(session, "Trust")
        codebook.set_answer_themes(session, answer_id(residents, "Data leaks"), [trust.id or 0])
    response = sign_in("partner").get("/admin/answers")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Warm homes for all" in page
    assert "Being watched" in page
    for other in ("Cheaper bills", "Data leaks", "Help before winter", "Simulator hope"):
        assert other not in page
    assert "Resident " not in page
    assert "/admin/conversations/" not in page
    assert "Tag with themes" not in page
    assert "Flag as significant" not in page
    assert "•••" not in page
    # Theme counts are the partner's own too: FOOD1's tagged answer does not count here.
    counts = page.split('id="theme-counts"')[1]
    assert ">Trust</a>" in counts
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">1</td>' not in counts


def test_a_list_page_takes_the_same_number_of_queries_however_long(sign_in, residents) -> None:
    client = sign_in("officer")
    with residents.db.session() as session:
        trust = codebook.add_theme(session, "Trust")
        for answer in session.exec(select(Answer)).all():
            codebook.set_answer_themes(session, answer.id or 0, [trust.id or 0])
    with count_queries(residents) as few:
        client.get("/admin/answers?kind=hope")
    with count_queries(residents) as many:
        client.get("/admin/answers")
    assert len(few) == len(many)


# -- tagging -------------------------------------------------------------------------------------


def test_an_officer_tags_an_answer_with_a_new_theme_and_a_codebook_one(sign_in, residents) -> None:
    client = sign_in("officer")
    with residents.db.session() as session:
        cost = codebook.add_theme(session, "Cost")
    fear = answer_id(residents, "Data leaks")
    response = post_form(
        client,
        f"/admin/answers/{fear}/themes?kind=fear",
        {"theme": str(cost.id), "new_theme": "  Privacy   risks "},
        token_from="/admin/answers",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/answers?kind=fear#answer-{fear}")
    page = client.get("/admin/answers?kind=fear").get_data(as_text=True)
    assert "Themes saved" in page
    assert '<strong class="govuk-tag govuk-tag--grey">Privacy risks</strong>' in page
    assert '<strong class="govuk-tag govuk-tag--grey">Cost</strong>' in page
    with residents.db.session() as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "answer_tagged")).one()
        assert event.target == f"answer:{fear}"
        assert "Privacy risks" in event.detail
        assert "Data leaks" not in event.detail


def test_saving_the_checkboxes_removes_unticked_themes(sign_in, residents) -> None:
    client = sign_in("officer")
    fear = answer_id(residents, "Data leaks")
    with residents.db.session() as session:
        cost, trust = codebook.add_theme(session, "Cost"), codebook.add_theme(session, "Trust")
        codebook.set_answer_themes(session, fear, [cost.id or 0, trust.id or 0])
    post_form(
        client,
        f"/admin/answers/{fear}/themes",
        {"theme": str(trust.id)},
        token_from="/admin/answers",
    )
    with residents.db.session() as session:
        tags = session.exec(select(AnswerTheme.theme_id).where(AnswerTheme.answer_id == fear))
        assert list(tags) == [trust.id]


def test_an_existing_name_typed_as_new_reuses_the_theme(sign_in, residents) -> None:
    client = sign_in("officer")
    with residents.db.session() as session:
        codebook.add_theme(session, "Trust")
    fear = answer_id(residents, "Data leaks")
    post_form(
        client, f"/admin/answers/{fear}/themes", {"new_theme": "TRUST"}, token_from="/admin/answers"
    )
    with residents.db.session() as session:
        assert [t.name for t in session.exec(select(Theme))] == ["Trust"]
        assert len(session.exec(select(AnswerTheme)).all()) == 1


def test_a_bad_new_theme_shows_an_error_and_keeps_what_was_typed(sign_in, residents) -> None:
    client = sign_in("officer")
    fear = answer_id(residents, "Data leaks")
    too_long = "A theme name far too long " * 4
    response = post_form(
        client,
        f"/admin/answers/{fear}/themes",
        {"new_theme": too_long},
        token_from="/admin/answers",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page
    assert "Theme names must be 80 characters or fewer." in page
    assert f'value="{too_long}"' in page
    assert f'href="#answer-{fear}-new-theme"' in page
    with residents.db.session() as session:
        assert session.exec(select(Theme)).all() == []


# -- significant ---------------------------------------------------------------------------------


def test_flagging_significant_puts_it_first_and_the_filter_shows_only_those(
    sign_in, residents
) -> None:
    client = sign_in("officer")
    oldest = answer_id(residents, "Warm homes for all")
    response = post_form(
        client,
        f"/admin/answers/{oldest}/significant",
        {"significant": "1"},
        token_from="/admin/answers",
    )
    assert response.status_code == 302
    page = client.get("/admin/answers").get_data(as_text=True)
    assert "Flagged as significant" in page
    first = page.index('class="sgwrs-answer')
    assert page.index("Warm homes for all") > first
    assert page.index("Warm homes for all") < page.index("Nobody listens")  # newer, but after
    assert "Remove significant flag" in page
    only = client.get("/admin/answers?significant=1").get_data(as_text=True)
    assert "Warm homes for all" in only
    assert "Nobody listens" not in only
    assert "Showing 1 to 1 of 1 answers" in only
    post_form(
        client,
        f"/admin/answers/{oldest}/significant",
        {"significant": "0"},
        token_from="/admin/answers",
    )
    with residents.db.session() as session:
        assert session.get(Answer, oldest).significant is False
        actions = session.exec(
            select(AuditEvent.action).where(AuditEvent.target == f"answer:{oldest}")
        )
        assert list(actions) == ["answer_flagged", "answer_unflagged"]


def test_flagging_an_answer_that_is_gone_is_not_found(sign_in, residents) -> None:
    client = sign_in("officer")
    response = post_form(
        client, "/admin/answers/9999/significant", {"significant": "1"}, token_from="/admin/answers"
    )
    assert response.status_code == 404


def test_theme_counts_show_answers_and_significant_ones(sign_in, residents) -> None:
    with residents.db.session() as session:
        trust = codebook.add_theme(session, "Trust").id or 0
        codebook.add_theme(session, "Unused")
        for text in ("Data leaks", "Being watched"):
            codebook.set_answer_themes(session, answer_id(residents, text), [trust])
        codebook.set_answer_significant(session, answer_id(residents, "Data leaks"), True)
        counts = {
            c.names.name: (c.answers, c.significant)
            for c in count_answer_themes(session, AnswerFilter())
        }
        hopes = {
            c.names.name: c.answers for c in count_answer_themes(session, AnswerFilter(kind="hope"))
        }
    assert counts == {"Trust": (2, 1), "Unused": (0, 0)}
    assert hopes == {"Trust": 0, "Unused": 0}
    page = sign_in("officer").get("/admin/answers").get_data(as_text=True)
    row = page.split(">Trust</a></th>")[1].split("</tr>")[0]
    assert ">2</td>" in row
    assert ">1</td>" in row


def test_the_theme_filter_lists_the_answers_tagged_with_it(sign_in, residents) -> None:
    with residents.db.session() as session:
        trust = codebook.add_theme(session, "Trust").id
        codebook.set_answer_themes(session, answer_id(residents, "Data leaks"), [trust or 0])
    page = sign_in("officer").get(f"/admin/answers?theme={trust}").get_data(as_text=True)
    assert "Data leaks" in page
    assert "Being watched" not in page


# -- the codebook (store) ----------------------------------------------------------------------


def test_merging_moves_every_tag_without_duplicates_then_deletes(admin_services, residents) -> None:
    one, two, three = (
        answer_id(residents, text) for text in ("Data leaks", "Being watched", "Nobody listens")
    )
    with admin_services.db.session() as session:
        spying = codebook.add_theme(session, "Spying").id or 0
        privacy = codebook.add_theme(session, "Privacy").id or 0
        codebook.set_answer_themes(session, one, [spying, privacy])  # both: must not double up
        codebook.set_answer_themes(session, two, [spying])
        codebook.set_answer_themes(session, three, [privacy])
        merged = codebook.merge_themes(session, spying, privacy)
        assert (merged.source.name, merged.target.name, merged.moved) == ("Spying", "Privacy", 1)
    with admin_services.db.session() as session:
        assert [t.name for t in codebook.list_themes(session)] == ["Privacy"]
        tags = sorted(session.exec(select(AnswerTheme.answer_id, AnswerTheme.theme_id)).all())
        assert tags == sorted([(one, privacy), (two, privacy), (three, privacy)])


def test_renaming_keeps_tags_and_names_stay_unique_whatever_the_case(
    admin_services, residents
) -> None:
    fear = answer_id(residents, "Data leaks")
    with admin_services.db.session() as session:
        theme = codebook.add_theme(session, "Privacy")
        codebook.add_theme(session, "Cost")
        codebook.set_answer_themes(session, fear, [theme.id or 0])
        assert codebook.rename_theme(session, theme.id or 0, "Privacy and data") == Renamed(
            ThemeNames("Privacy"), ThemeNames("Privacy and data")
        )
        assert (
            codebook.rename_theme(session, theme.id or 0, "privacy AND data").new.name
            == "privacy AND data"
        )
        with pytest.raises(codebook.ThemeError, match="already a theme called “Cost”"):
            codebook.rename_theme(session, theme.id or 0, "cost")
        with pytest.raises(codebook.ThemeError, match="Enter a name"):
            codebook.add_theme(session, "   ")
        with pytest.raises(codebook.ThemeError, match="two different"):
            codebook.merge_themes(session, theme.id or 0, theme.id or 0)
    with admin_services.db.session() as session:
        listed = list_open_answers(
            session, admin_services.vault, AnswerFilter(kind="fear"), limit=50, offset=0
        )
        tagged = {a.text: a.themes for a in listed.answers}
        assert tagged["Data leaks"] == ((theme.id, "privacy AND data"),)


# -- the codebook (page) -----------------------------------------------------------------------


def test_officers_add_rename_and_merge_themes_on_the_codebook_page(sign_in, residents) -> None:
    client = sign_in("officer")
    assert post_form(client, "/admin/themes", {"name": "Spying"}).status_code == 302
    assert post_form(client, "/admin/themes", {"name": "Privacy"}).status_code == 302
    with residents.db.session() as session:
        ids = {t.name: t.id for t in codebook.list_themes(session)}
        codebook.set_answer_themes(
            session, answer_id(residents, "Data leaks"), [ids["Spying"] or 0]
        )
    response = post_form(
        client,
        f"/admin/themes/{ids['Privacy']}/rename",
        {"name": "Privacy and data"},
        token_from="/admin/themes",
    )
    assert response.status_code == 302
    assert "Theme “Privacy” renamed to “Privacy and data”" in client.get("/admin/themes").get_data(
        as_text=True
    )
    response = post_form(
        client,
        "/admin/themes/merge",
        {"source": str(ids["Spying"]), "target": str(ids["Privacy"])},
        token_from="/admin/themes",
    )
    assert response.status_code == 302
    page = client.get("/admin/themes").get_data(as_text=True)
    assert "“Spying” merged into “Privacy and data”: 1 more answers tagged" in page
    assert ">Spying<" not in page
    with residents.db.session() as session:
        actions = list(session.exec(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions[-4:] == ["theme_added", "theme_added", "theme_renamed", "themes_merged"]


def test_codebook_errors_keep_what_was_typed(sign_in, residents) -> None:
    client = sign_in("officer")
    post_form(client, "/admin/themes", {"name": "Trust"})
    response = post_form(client, "/admin/themes", {"name": "trust"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is already a theme called “Trust”." in page
    assert 'value="trust"' in page
    response = post_form(
        client, "/admin/themes/merge", {"source": "", "target": ""}, token_from="/admin/themes"
    )
    assert response.status_code == 400
    assert "Choose the theme to merge" in response.get_data(as_text=True)


# -- theme names in both languages -------------------------------------------------------------


def test_a_theme_has_a_welsh_name_that_finds_it_and_stays_unique(admin_services, residents) -> None:
    with admin_services.db.session() as session:
        trust = codebook.add_theme(session, "Trust", "Ymddiriedaeth")
        codebook.add_theme(session, "Cost")
        assert codebook.get_theme_by_name(session, "ymddiriedaeth") == trust
        assert trust.names.in_("cy") == "Ymddiriedaeth"
        assert trust.names.in_("en") == "Trust"
        with pytest.raises(codebook.ThemeError, match="already a theme called “Trust”"):
            codebook.add_theme(session, "Ymddiriedaeth")  # a Welsh name is taken in English too
        with pytest.raises(codebook.ThemeError, match="already a theme called “Trust”"):
            codebook.add_theme(session, "Hyder", "YMDDIRIEDAETH")
        renamed = codebook.rename_theme(session, trust.id or 0, "Trust", "")
        assert renamed.new == ThemeNames("Trust")
        assert renamed.new.in_("cy") == "Trust"
        assert codebook.add_theme(session, "Data", "data").name_cy is None  # one name serves both


def test_officers_name_a_theme_in_welsh_and_welsh_pages_and_exports_show_it(
    sign_in, residents
) -> None:
    client = sign_in("officer")
    added = post_form(client, "/admin/themes", {"name": "Trust", "name_cy": "Ymddiriedaeth"})
    assert added.status_code == 302
    post_form(client, "/admin/themes", {"name": "Cost"})
    with residents.db.session() as session:
        ids = {t.name: t.id or 0 for t in codebook.list_themes(session)}
        codebook.set_answer_themes(session, answer_id(residents, "Data leaks"), [ids["Trust"]])
    english = client.get("/admin/themes").get_data(as_text=True)
    assert ">Trust</a>" in english
    assert "No Welsh name yet" in english
    post_form(client, "/admin/language", {"language": "cy", "next": "/admin/themes"})
    welsh = client.get("/admin/themes").get_data(as_text=True)
    assert ">Ymddiriedaeth</a>" in welsh
    assert ">Trust</a>" not in welsh
    assert ">Cost</a>" in welsh  # no Welsh name yet: the English shows
    answers = client.get("/admin/answers").get_data(as_text=True)
    assert "Ymddiriedaeth" in answers
    assert ">Trust<" not in answers
    exported = post_form(client, "/admin/export", {}).get_data(as_text=True)
    assert "Ymddiriedaeth" in exported
    assert "Trust" not in exported
    renamed = post_form(
        client,
        f"/admin/themes/{ids['Trust']}/rename",
        {"name": "Trust", "name_cy": "Hyder"},
        token_from="/admin/themes",
    )
    assert renamed.status_code == 302
    assert "Hyder" in client.get("/admin/themes").get_data(as_text=True)
    with residents.db.session() as session:
        details = list(session.exec(select(AuditEvent.detail).order_by(AuditEvent.id)))
    assert "name=Trust; welsh=Ymddiriedaeth" in details
    assert "from=Trust; to=Trust; welsh=Hyder" in details
