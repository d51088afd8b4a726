"""Every admin route says who may use it, and each role gets exactly that, read off the URL map.

A view declares its roles with `requires(...)` (admin/auth.py), which leaves them on the view
as `allowed_roles`. Only what a visitor needs before signing in is public (PUBLIC below). So a
new route under /admin without `requires(...)` fails here, and so does one whose declared roles
the app does not hold to: anonymous visitors are sent to sign in, a role not declared gets 403,
and a declared role is let in.

The cases come from the URL map itself, so a new route is checked without editing this file.
CSRF stays on, as in production: each POST carries a real token.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from flask import Blueprint, Flask, url_for
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from admin import admin_blueprint
from bot.runtime.container import Container
from bot.store.answer_list import AnswerFilter, list_open_answers
from bot.store.conversation_list import ConversationFilters, list_conversations
from bot.store.question_inbox import list_open_questions
from bot.store.themes import add_theme
from bot.store.users import list_users
from tests.admin.conftest import ACCOUNTS, csrf_token
from tests.helpers import add_recording

#: Admin endpoints open to anyone, and why.
PUBLIC = {
    "admin.static": "the stylesheets and scripts, which the sign-in page needs too",
    "admin.signin.index": "the front door: it sends a visitor to sign in, or to the overview",
    "admin.signin.login": "signing in",
    "admin.signin.logout": "signing out (it only ever clears the visitor's own session)",
    "admin.signin.switch_language": "English or Welsh, chosen on the sign-in page too",
    "admin.two_factor.verify": "the code after the password, before being signed in",
    "admin.two_factor.set_up": "setting up the code at first sign-in, before being signed in",
}
ROLES = ("admin", "officer", "partner")
SIGN_IN = "/admin/sign-in"
#: An id no row has: what a POST by a permitted role aims at, so that it changes nothing.
NO_SUCH_ID = 999_999


def admin_rules(app: Flask) -> list[Rule]:
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/admin")),
        key=lambda rule: (rule.rule, rule.endpoint),
    )


def unguarded(app: Flask) -> list[str]:
    """Routes under /admin that are neither public nor declare the roles that may use them."""
    return [
        rule.endpoint
        for rule in admin_rules(app)
        if rule.endpoint not in PUBLIC
        and not getattr(app.view_functions[rule.endpoint], "allowed_roles", None)
    ]


def _bare_app() -> Flask:
    """Just the admin's routes (no services), to list the cases when tests are collected."""
    app = Flask(__name__)
    app.register_blueprint(admin_blueprint())
    return app


def _cases() -> list[tuple[str, str]]:
    """(endpoint, method) for every declared admin route: GET where it has one, and POST."""
    app = _bare_app()
    return [
        (rule.endpoint, method)
        for rule in admin_rules(app)
        if rule.endpoint not in PUBLIC
        for method in ("GET", "POST")
        if method in (rule.methods or ())
    ]


CASES = _cases()


def test_every_admin_route_is_public_or_declares_its_roles(admin_app: Flask) -> None:
    assert unguarded(admin_app) == [], "add requires(...) to these views (or list them in PUBLIC)"
    endpoints = {rule.endpoint for rule in admin_rules(admin_app)}
    assert set(PUBLIC) <= endpoints, "PUBLIC names an endpoint the app no longer has"
    declared = {
        endpoint: admin_app.view_functions[endpoint].allowed_roles
        for endpoint in endpoints - set(PUBLIC)
    }
    assert {role for roles in declared.values() for role in roles} <= set(ROLES)
    # The cases below were listed from a bare app; the real one must have no others.
    assert {endpoint for endpoint, _method in CASES} == set(declared)


def test_a_route_without_requires_is_caught() -> None:
    """The check above would notice a forgotten `requires`, in a page module or on the app."""
    app = Flask(__name__)
    parent = admin_blueprint()
    careless = Blueprint("careless", __name__)
    careless.add_url_rule("/careless", "page", lambda: "anyone may look")
    parent.register_blueprint(careless)
    app.register_blueprint(parent)
    app.add_url_rule("/admin/sneaky", "sneaky", lambda: "anyone may look")
    assert unguarded(app) == ["admin.careless.page", "sneaky"]


@pytest.fixture
def seeded_ids(admin_services: Container, seed: Callable[..., None]) -> dict[str, int | str]:
    """A real row for each kind of id a route takes: one resident's, with a theme and a draft,
    and a flow's id (its public response pages)."""
    seed("+447700900321", question="Who reads my answers?")
    library, vault = admin_services.library, admin_services.vault
    follow_up = next(flow for flow in sorted(library.flows) if flow != library.welcome_flow)
    broadcast = admin_services.broadcasts.create(follow_up, "Diolch", "Thank you", "Test")
    with admin_services.db.session() as session:
        resident = list_conversations(session, vault, ConversationFilters(), limit=1, offset=0)
        answers = list_open_answers(session, vault, AnswerFilter(), limit=1, offset=0)
        questions = list_open_questions(session, vault, limit=1)
        theme = add_theme(session, "Trust")
        accounts = {user.email: user.id for user in list_users(session)}
    answer = answers.answers[0]
    recording = add_recording(admin_services, answer.participant_id or 0, answer_id=answer.id)
    return {
        "participant_id": resident[0].participant_id,
        "answer_id": answers.answers[0].id,
        "recording_id": recording,
        "question_id": questions[0].id,
        "theme_id": theme.id or 0,
        # Not an account a client below signs in with, so a deactivation could not lock it out.
        "user_id": accounts[ACCOUNTS["other_partner"][0]] or 0,
        "broadcast_id": broadcast,
        "flow_id": follow_up,
    }


def _path(app: Flask, endpoint: str, values: dict[str, int]) -> str:
    (rule,) = (rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)
    missing = rule.arguments - set(values)
    assert not missing, f"{endpoint}: give seeded_ids a value for {missing}"
    with app.test_request_context():
        return url_for(endpoint, **{name: values[name] for name in rule.arguments})


def _request(client: FlaskClient, method: str, path: str):
    if method == "GET":
        return client.get(path)
    return client.post(path, data={"csrf_token": csrf_token(client, SIGN_IN)})


def _sent_to_sign_in(response) -> bool:
    return response.status_code == 302 and urlsplit(response.location).path == SIGN_IN


@pytest.mark.parametrize(("endpoint", "method"), CASES, ids=[f"{e} {m}" for e, m in CASES])
def test_each_role_gets_what_the_route_declares(
    admin_app: Flask,
    sign_in: Callable[[str], FlaskClient],
    seeded_ids: dict[str, int],
    endpoint: str,
    method: str,
) -> None:
    allowed = admin_app.view_functions[endpoint].allowed_roles
    # A GET opens a real row's page; a POST by a permitted role aims at no row, so it is harmless.
    path = _path(admin_app, endpoint, seeded_ids)
    harmless = _path(admin_app, endpoint, dict.fromkeys(seeded_ids, NO_SUCH_ID))

    anonymous = _request(admin_app.test_client(), method, path)
    assert _sent_to_sign_in(anonymous), f"anonymous {method} {path}: {anonymous.status_code}"

    for role in ROLES:
        client = sign_in(role)
        if role not in allowed:
            response = _request(client, method, path)
            assert response.status_code == 403, f"{role} {method} {path}: {response.status}"
            continue
        response = _request(client, method, path if method == "GET" else harmless)
        where = f"{role} {method} {path}: {response.status}"
        assert response.status_code != 403, where
        assert not _sent_to_sign_in(response), where
        if method == "GET":
            assert response.status_code in (200, 302, 400), where
        else:
            assert response.status_code < 500, where
