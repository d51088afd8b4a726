"""One-time form tokens: an officer's form sent twice acts once, on SQLite and PostgreSQL.

Each test posts a form twice as a browser would resend it (the same page, so the same hidden
one-time token) and checks what an officer or a resident would notice: one text, one audit
entry, one broadcast, and a second answer that says it was already done, never an error.
The two concurrent posts of one confirmed broadcast are in test_once_race.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlmodel import func, select

from bot.core.form_tokens import LIFETIME, FormTokens, forget_spent_tokens
from bot.core.retention import purge
from bot.runtime.clock import utc_now
from bot.runtime.container import Container
from bot.store.conversation_list import ConversationFilters, list_conversations
from bot.store.models import AuditEvent, FormToken, OutboxMessage, Participant
from bot.store.question_inbox import list_open_questions
from tests.admin.conftest import add_accounts, form_fields, talk
from tests.admin.test_access import seeded_ids  # noqa: F401  (a real row for each id)
from tests.conftest import make_container

NUMBER = "+447700900456"
SECRET = "test-secret-key"  # tests.conftest.settings_for's SECRET_KEY


@pytest.fixture
def admin_services(database_url: str) -> Iterator[Container]:
    """The admin fixtures' services, on each database in turn."""
    services = make_container(database_url)
    add_accounts(services)
    yield services
    services.db.engine.dispose()


def page_fields(client: FlaskClient, page: str, action: str) -> dict[str, str]:
    """The hidden fields of the form for `action`, as `page` draws it (one rendering)."""
    return form_fields(client.get(page).get_data(as_text=True), action)


def count(services: Container, model: type, **where: object) -> int:
    with services.db.session() as session:
        statement = select(func.count()).select_from(model)
        for name, value in where.items():
            statement = statement.where(getattr(model, name) == value)
        return session.exec(statement).one()


def audited(services: Container, action: str) -> int:
    return count(services, AuditEvent, action=action)


def text_of(response) -> str:
    return response.get_data(as_text=True)


def answers_in(csv_response) -> list[str]:
    return [line.split(",", 1)[1] for line in text_of(csv_response).splitlines()[1:]]


def resident(services: Container) -> int:
    """A resident who texted in: their participant id."""
    talk(services, NUMBER, "hi", "2")
    with services.db.session() as session:
        rows = list_conversations(session, services.vault, ConversationFilters(), limit=1, offset=0)
    return rows[0].participant_id


def ask(services: Container) -> int:
    """A resident's question waiting for an officer: its id."""
    talk(services, NUMBER, "hi", "2", "ASK who reads what I say about my bills?")
    with services.db.session() as session:
        (question,) = list_open_questions(session, services.vault)
    return question.id


# -- the tokens themselves ------------------------------------------------------------------------


def test_a_token_is_good_once_issued_only_for_its_user_and_only_for_its_lifetime() -> None:
    now = utc_now()
    tokens = FormTokens(SECRET, clock=lambda: now)
    token = tokens.issue(7)
    fields = [("csrf_token", "a"), ("once", token), ("answer", "Yes")]

    checked = tokens.check(token, user_id=7, action="admin.x", fields=fields)
    again = tokens.check(token, user_id=7, action="admin.x", fields=[("answer", "Yes")])
    assert checked == again  # the CSRF and one-time fields are not what was sent
    edited = tokens.check(token, user_id=7, action="admin.x", fields=[("answer", "No")])
    assert edited.token_hash == checked.token_hash
    assert edited.fingerprint != checked.fingerprint
    assert "Yes" not in checked.fingerprint
    assert token not in checked.token_hash

    refused = [
        (None, 7, "missing"),
        ("", 7, "missing"),
        (token, 8, "missing"),  # someone else's
        (token[:-1] + ("A" if token[-1] != "A" else "B"), 7, "missing"),  # tampered
        (FormTokens("another secret", clock=lambda: now).issue(7), 7, "missing"),
        (
            FormTokens(SECRET, clock=lambda: now - LIFETIME - timedelta(seconds=1)).issue(7),
            7,
            "open for too long",
        ),
    ]
    for bad, user_id, why in refused:
        with pytest.raises(ValueError, match=why):
            tokens.check(bad, user_id=user_id, action="admin.x", fields=[])


# -- replays: each action happens once ------------------------------------------------------------


def test_a_double_submitted_answer_sends_one_text(
    admin_services: Container, sign_in: Callable[[str], FlaskClient]
) -> None:
    question_id = ask(admin_services)
    officer = sign_in("officer")
    action = f"/admin/questions/{question_id}/answer"
    form = {
        **page_fields(officer, "/admin/questions", action),
        "answer": "Only the council team.",
        "action": "send",
    }

    first, second = officer.post(action, data=form), officer.post(action, data=form)

    assert (first.status_code, second.status_code) == (302, 302)
    page = text_of(officer.get(second.location))
    assert "This answer was already sent" in page
    assert count(admin_services, OutboxMessage, purpose="answer") == 1
    assert audited(admin_services, "question_answered") == 1


def test_a_replayed_erasure_is_one_erasure_with_one_audit_entry_and_no_error(
    admin_services: Container, sign_in: Callable[[str], FlaskClient]
) -> None:
    participant_id = resident(admin_services)
    admin = sign_in("admin")
    action = f"/admin/conversations/{participant_id}/erase"
    form = {
        **page_fields(admin, f"/admin/conversations/{participant_id}", action),
        "reason": "asked_by_phone",
        "confirm": "yes",
    }

    first, second = admin.post(action, data=form), admin.post(action, data=form)

    assert (first.status_code, second.status_code) == (302, 302)
    assert "This number was already erased." in text_of(admin.get(second.location))
    assert count(admin_services, Participant) == 0
    assert audited(admin_services, "resident_erased") == 1


def test_a_replayed_opt_out_is_audited_once(
    admin_services: Container, sign_in: Callable[[str], FlaskClient]
) -> None:
    participant_id = resident(admin_services)
    officer = sign_in("officer")
    action = f"/admin/conversations/{participant_id}/opt-out"
    form = {
        **page_fields(officer, f"/admin/conversations/{participant_id}", action),
        "reason": "asked_in_writing",
        "confirm": "yes",
    }

    responses = [officer.post(action, data=form) for _ in range(3)]

    assert [response.status_code for response in responses] == [302, 302, 302]
    assert "it will get no more texts" in text_of(officer.get(responses[-1].location))
    assert audited(admin_services, "number_opted_out") == 1


def test_a_replayed_export_downloads_the_same_file_and_is_recorded_once(
    admin_services: Container, sign_in: Callable[[str], FlaskClient], seed: Callable[..., None]
) -> None:
    """The second response is the file again: after a double-click the browser may have
    dropped the first, and an officer left with "already downloaded" would have nothing."""
    seed(NUMBER)
    officer = sign_in("officer")
    form = page_fields(officer, "/admin/export", "/admin/export")

    first = officer.post("/admin/export", data=form)
    seed("+447700900457", hope="Cheaper bills")  # a new answer between the two clicks
    second = officer.post("/admin/export", data=form)

    assert (first.status_code, second.status_code) == (200, 200)
    assert first.mimetype == second.mimetype == "text/csv"
    assert "Warm homes" in text_of(first)
    # To the same last answer (each file has pseudonyms of its own, in the first column).
    assert answers_in(second) == answers_in(first)
    assert audited(admin_services, "export_downloaded") == 1


def test_a_replayed_reveal_shows_the_number_again_with_one_audit_entry(
    admin_services: Container, sign_in: Callable[[str], FlaskClient]
) -> None:
    participant_id = resident(admin_services)
    officer = sign_in("officer")
    page = f"/admin/conversations/{participant_id}"
    action = f"{page}/reveal"
    form = {**page_fields(officer, page, action), "reason": "Calling back about a complaint"}

    first, second = officer.post(action, data=form), officer.post(action, data=form)

    assert (first.status_code, second.status_code) == (200, 200)
    assert NUMBER in text_of(first)
    assert NUMBER in text_of(second)
    assert audited(admin_services, "number_revealed") == 1


def test_replayed_tags_flags_and_themes_change_once(
    admin_services: Container, sign_in: Callable[[str], FlaskClient], seed: Callable[..., None]
) -> None:
    seed(NUMBER)
    officer = sign_in("officer")
    page = text_of(officer.get("/admin/answers"))
    answer_id = int(re.search(r'id="answer-(\d+)"', page).group(1))  # type: ignore[union-attr]
    forms = {
        f"/admin/answers/{answer_id}/significant": {"significant": "1"},
        f"/admin/answers/{answer_id}/themes": {"new_theme": "Heating"},
        f"/admin/answers/{answer_id}/filing": {"filed_as": "not_an_answer"},
    }
    for action, data in forms.items():
        form = {**form_fields(page, action), **data}
        assert [officer.post(action, data=form).status_code for _ in range(2)] == [302, 302]
    theme = {**page_fields(officer, "/admin/themes", "/admin/themes"), "name": "Trust"}
    assert [officer.post("/admin/themes", data=theme).status_code for _ in range(2)] == [302, 302]
    assert "This change was already made." in text_of(officer.get("/admin/themes"))

    for action in ("answer_flagged", "answer_tagged", "answer_marked_not_an_answer", "theme_added"):
        assert audited(admin_services, action) == 1, action


# -- refusals: nothing done, nothing typed lost ---------------------------------------------------


def test_an_answer_without_its_token_is_refused_and_kept_in_the_box(
    admin_services: Container, sign_in: Callable[[str], FlaskClient]
) -> None:
    question_id = ask(admin_services)
    officer = sign_in("officer")
    action = f"/admin/questions/{question_id}/answer"
    fields = page_fields(officer, "/admin/questions", action)
    typed = {"answer": "Only the council team reads them.", "action": "send"}

    missing = officer.post(action, data={"csrf_token": fields["csrf_token"], **typed})
    garbled = officer.post(action, data={**fields, "once": "not-a-token", **typed})

    for response in (missing, garbled):
        assert response.status_code == 400
        assert "missing its one-time code, so nothing was done" in text_of(response)
        assert "Only the council team reads them." in text_of(response)
    assert count(admin_services, OutboxMessage) == 0
    # The page given back has a fresh token: sending it from there works.
    fresh = form_fields(text_of(missing), action)
    assert officer.post(action, data={**fresh, **typed}).status_code == 302
    assert count(admin_services, OutboxMessage, purpose="answer") == 1


def test_an_expired_form_is_refused_with_what_was_typed(
    admin_services: Container, sign_in: Callable[[str], FlaskClient]
) -> None:
    participant_id = resident(admin_services)
    officer = sign_in("officer")
    page = f"/admin/conversations/{participant_id}"
    action = f"{page}/reveal"
    fields = page_fields(officer, page, action)
    user_id = int(fields["once"].split(".")[1])
    old = FormTokens(SECRET, clock=lambda: utc_now() - LIFETIME - timedelta(minutes=1))

    response = officer.post(
        action, data={**fields, "once": old.issue(user_id), "reason": "Returning a call"}
    )

    assert response.status_code == 400
    assert "open for too long" in text_of(response)
    assert "Returning a call" in text_of(response)
    assert NUMBER not in text_of(response)
    assert audited(admin_services, "number_revealed") == 0


def test_a_form_brought_back_and_changed_is_refused_not_taken_for_the_first(
    admin_services: Container, sign_in: Callable[[str], FlaskClient]
) -> None:
    question_id = ask(admin_services)
    officer = sign_in("officer")
    action = f"/admin/questions/{question_id}/answer"
    fields = {**page_fields(officer, "/admin/questions", action), "action": "send"}
    assert officer.post(action, data={**fields, "answer": "First words."}).status_code == 302

    changed = officer.post(action, data={**fields, "answer": "Second thoughts."})

    assert changed.status_code == 409
    assert "already sent, with different contents" in text_of(changed)
    assert "Second thoughts." in text_of(changed)
    assert count(admin_services, OutboxMessage, purpose="answer") == 1


def test_the_refusal_is_in_welsh_for_a_welsh_officer(
    admin_services: Container, sign_in: Callable[[str], FlaskClient]
) -> None:
    participant_id = resident(admin_services)
    officer = sign_in("officer")
    page = f"/admin/conversations/{participant_id}"
    language = form_fields(text_of(officer.get(page)), "/admin/language")
    officer.post("/admin/language", data={**language, "language": "cy", "next": page})
    action = f"{page}/opt-out"
    fields = page_fields(officer, page, action)

    response = officer.post(action, data={"csrf_token": fields["csrf_token"], "confirm": "yes"})

    assert response.status_code == 400
    assert "Mae'r cod untro ar goll o'r ffurflen hon" in text_of(response).replace("&#39;", "'")


# -- every form has one, and old ones are tidied away ---------------------------------------------

#: POST endpoints that take no one-time token, and why.
WITHOUT_TOKEN = {
    "admin.signin.login": "signing in (its own engineer's throttling and sessions)",
    "admin.signin.logout": "signing out changes nothing but the visitor's own session",
    "admin.signin.switch_language": "the interface language, the visitor's own",
    "admin.two_factor.verify": "part of signing in",
    "admin.two_factor.set_up": "part of signing in",
    "admin.account.password": "part of signing in: an officer's own password",
    "admin.broadcasts.preview": "a preview changes nothing",
    "admin.flows.simulator": "test texts, each a new message as from a phone",
    "admin.conversations.subject_access": "a download its own code audits (bot/core)",
}


def test_every_other_state_changing_form_refuses_a_post_without_its_token(
    admin_app: Flask,
    sign_in: Callable[[str], FlaskClient],
    seeded_ids: dict[str, int],  # noqa: F811
) -> None:
    """A new POST route without `one_time(...)` fails here (or is listed above, with why)."""
    admin = sign_in("admin")
    csrf = form_fields(text_of(admin.get("/admin/users")), "/nowhere")["csrf_token"]
    checked = []
    rules = [
        rule
        for rule in admin_app.url_map.iter_rules()
        if rule.rule.startswith("/admin") and "POST" in (rule.methods or ())
    ]
    for rule in rules:
        if rule.endpoint in WITHOUT_TOKEN:
            continue
        with admin_app.test_request_context():
            path = url_for(rule.endpoint, **{name: seeded_ids[name] for name in rule.arguments})
        response = admin.post(path, data={"csrf_token": csrf})
        assert response.status_code == 400, f"{rule.endpoint}: {response.status}"
        assert "missing its one-time code" in text_of(response), rule.endpoint
        checked.append(rule.endpoint)
    assert len(checked) >= 15
    assert set(WITHOUT_TOKEN) <= {rule.endpoint for rule in rules}, "a listed route has gone"


def test_old_spent_tokens_are_cleaned_up_by_housekeeping_and_stay_refused(
    admin_services: Container, sign_in: Callable[[str], FlaskClient]
) -> None:
    participant_id = resident(admin_services)
    officer = sign_in("officer")
    action = f"/admin/conversations/{participant_id}/opt-out"
    form = {
        **page_fields(officer, f"/admin/conversations/{participant_id}", action),
        "reason": "asked_in_writing",
        "confirm": "yes",
    }
    assert officer.post(action, data=form).status_code == 302
    with admin_services.db.session() as session:
        assert forget_spent_tokens(session, utc_now()) == 0  # still within its lifetime

    later = utc_now() + LIFETIME + timedelta(minutes=1)
    report = purge(admin_services.db, admin_services.queue, timedelta(days=365), later)

    assert report.form_tokens == 1
    assert count(admin_services, FormToken) == 0
    # Gone from the table, but a replay that late is refused by the token's own age.
    tokens = FormTokens(SECRET, clock=lambda: later)
    with pytest.raises(ValueError, match="open for too long"):
        tokens.check(form["once"], user_id=int(form["once"].split(".")[1]), action="", fields=[])
