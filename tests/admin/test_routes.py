"""Every registered route, walked from the URL map: CSRF, no writes on GET, and the headers.

- Every state-changing route (POST, PUT, PATCH, DELETE) under /admin refuses its own form,
  as the page renders it, when the CSRF token is missing, made up, or another session's: 400,
  and nothing in the database changes. The webhooks take no CSRF token (Twilio signs them
  instead), so an unsigned POST gets 403 there, even with an admin's session, and changes
  nothing.
- No GET changes anything: every table is the same after opening every GET route, with real
  ids, as each role and as a visitor who is not signed in; but for playing a caller's
  recording, which adds one audit entry for the listen, as revealing a number does.
- Every response (pages, redirects, errors, downloads, the webhooks, static files) carries the
  CSP, nosniff, Referrer-Policy same-origin and no framing; all but static files are
  Cache-Control: no-store; in production every one has HSTS with includeSubDomains.

Which role may open which admin route is tests/admin/test_access.py's walk of the same map.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import MetaData
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from bot.runtime.container import Container
from tests.admin.conftest import csrf_token, post_form
from tests.admin.pages import read_page
from tests.admin.test_access import PUBLIC, seeded_ids  # noqa: F401  (seeded_ids: a fixture)
from wsgi import create_app

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
ROLES = ("admin", "officer", "partner")
#: Bad tokens: none, made up, and a real one from another session (checked in the test).
MADE_UP_TOKEN = (
    "IjAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAi.AAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAA"
)


def routes(app: Flask) -> list[Rule]:
    return sorted(app.url_map.iter_rules(), key=lambda rule: (rule.rule, rule.endpoint))


def path_for(app: Flask, rule: Rule, ids: dict[str, int]) -> str:
    with app.test_request_context():
        if rule.endpoint.endswith("static"):
            return url_for(rule.endpoint, filename="sgwrs.css")
        return url_for(rule.endpoint, **{name: ids[name] for name in rule.arguments})


def snapshot(services: Container) -> dict[str, list[str]]:
    """Every row of every table in the database (not only the models), in a stable order."""
    metadata = MetaData()
    metadata.reflect(services.db.engine)
    with services.db.engine.connect() as connection:
        return {
            table.name: sorted(repr(tuple(row)) for row in connection.execute(table.select()))
            for table in metadata.sorted_tables
        }


def changed(before: dict[str, list[str]], after: dict[str, list[str]]) -> list[str]:
    return sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )


def role_for(app: Flask, rule: Rule) -> str:
    """Someone the route lets in, so that only the token can be the reason for a refusal."""
    allowed = getattr(app.view_functions[rule.endpoint], "allowed_roles", ROLES)
    return "admin" if "admin" in allowed else allowed[0]


def forms_by_action(client: FlaskClient, pages: list[str]) -> dict[str, list[tuple[str, str]]]:
    """The fields each POST form on these pages sends, by the path it posts to."""
    found: dict[str, list[tuple[str, str]]] = {}
    for page in pages:
        response = client.get(page)
        if response.mimetype == "text/html":
            for form in read_page(response.get_data(as_text=True)).forms:
                if form.method == "post":
                    found.setdefault(urlsplit(form.action or page).path, form.fields)
    return found


@pytest.fixture
def pages(admin_app: Flask, seeded_ids: dict[str, int]) -> list[str]:  # noqa: F811
    """Every admin page a GET opens, with real ids: where the forms are."""
    return [
        path_for(admin_app, rule, seeded_ids)
        for rule in routes(admin_app)
        if rule.rule.startswith("/admin")
        and rule.endpoint != "admin.static"
        and "GET" in (rule.methods or ())
    ]


def state_changing(app: Flask) -> list[tuple[Rule, str]]:
    return [
        (rule, method)
        for rule in routes(app)
        for method in sorted(STATE_CHANGING & (rule.methods or set()))
    ]


def test_every_state_changing_admin_route_refuses_a_missing_or_bad_csrf_token(
    admin_app: Flask,
    admin_services: Container,
    sign_in: Callable[[str], FlaskClient],
    seeded_ids: dict[str, int],  # noqa: F811
    pages: list[str],
) -> None:
    clients = {role: sign_in(role) for role in ROLES}
    forms: dict[str, dict[str, list[tuple[str, str]]]] = {}
    elsewhere = csrf_token(sign_in("admin"), "/admin/overview")  # real, but another session's
    checked, refused = [], []
    for rule, method in state_changing(admin_app):
        if not rule.rule.startswith("/admin"):
            continue
        role = role_for(admin_app, rule)
        if role not in forms:
            forms[role] = forms_by_action(clients[role], pages)
        client, path = clients[role], path_for(admin_app, rule, seeded_ids)
        # The route's own form as its page renders it (none if no page shows one).
        fields = [pair for pair in forms[role].get(path, []) if pair[0] != "csrf_token"]
        before = snapshot(admin_services)
        for token in (None, MADE_UP_TOKEN, elsewhere):
            data = fields + ([("csrf_token", token)] if token else [])
            response = client.open(
                path,
                method=method,
                data=urlencode(data),
                content_type="application/x-www-form-urlencoded",
            )
            checked.append(rule.endpoint)
            if response.status_code != 400:
                refused.append(f"{method} {path} token={token!r:.12}: {response.status_code}")
        if differences := changed(before, snapshot(admin_services)):
            refused.append(f"{method} {path} changed {differences}")
    assert refused == []
    assert {"admin.rights.erase", "admin.signin.logout", "admin.users.index"} <= set(checked)
    # Signing out without a token did not sign anyone out.
    assert all(client.get("/admin/overview").status_code == 200 for client in clients.values())


def test_the_webhooks_take_no_csrf_token_but_refuse_unsigned_posts(
    admin_app: Flask, admin_services: Container, sign_in: Callable[[str], FlaskClient]
) -> None:
    webhooks = [
        (rule, method)
        for rule, method in state_changing(admin_app)
        if rule.rule.startswith("/twilio")
    ]
    assert {rule.rule for rule, _ in webhooks} >= {"/twilio/messages", "/twilio/status"}
    for client in (admin_app.test_client(), sign_in("admin")):
        for rule, method in webhooks:
            before = snapshot(admin_services)
            response = client.open(rule.rule, method=method, data={"MessageSid": "SM" + "0" * 32})
            assert response.status_code == 403, rule.rule
            assert changed(before, snapshot(admin_services)) == []


def _get_everything(app: Flask, client: FlaskClient, ids: dict[str, int]) -> Iterator[str]:
    for rule in routes(app):
        if "GET" in (rule.methods or ()):
            path = path_for(app, rule, ids)
            assert client.get(path).status_code < 500, path
            yield path


@pytest.mark.parametrize("role", [None, *ROLES])
def test_no_get_changes_anything(
    admin_app: Flask,
    admin_services: Container,
    sign_in: Callable[[str], FlaskClient],
    seeded_ids: dict[str, int],  # noqa: F811
    role: str | None,
) -> None:
    client = sign_in(role) if role else admin_app.test_client()
    client.get("/admin/overview")
    before = snapshot(admin_services)
    opened = list(_get_everything(admin_app, client, seeded_ids))
    assert len(opened) > 10
    after = snapshot(admin_services)
    assert changed(before, after) in ([], ["audit_log"])
    # The one GET that writes: a recording played is audit-logged, once, and only for those
    # who may play it.
    added = set(after["audit_log"]) - set(before["audit_log"])
    assert all("'recording_played'" in row for row in added)
    assert len(added) == (1 if role in ("admin", "officer") else 0)


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def _every_response(
    app: Flask, clients: list[FlaskClient], ids: dict[str, int]
) -> Iterator[tuple[str, TestResponse]]:
    """Each route by each of its methods (GETs with real ids, the rest without a token), and a
    missing page, for each client."""
    for client in clients:
        for rule in routes(app):
            path = path_for(app, rule, ids)
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                yield f"{method} {path}", client.open(path, method=method)
        yield "GET /admin/no-such-page", client.get("/admin/no-such-page")


def _header_problems(label: str, response: TestResponse, *, production: bool) -> list[str]:
    headers, problems = response.headers, []
    csp = headers.get("Content-Security-Policy", "")
    directives = dict(part.strip().partition(" ")[::2] for part in csp.split(";"))
    if directives.get("default-src") != "'self'":
        problems.append("default-src")
    if "'unsafe-inline'" in directives.get("script-src", "'unsafe-inline'"):
        problems.append("script-src")
    if directives.get("frame-ancestors") != "'none'":
        problems.append("frame-ancestors")
    problems += [name for name, value in SECURITY_HEADERS.items() if headers.get(name) != value]
    static = urlsplit(label.split(" ", 1)[1]).path.startswith("/admin/static/")
    if not static and headers.get("Cache-Control") != "no-store":
        problems.append("Cache-Control")
    hsts = headers.get("Strict-Transport-Security", "")
    if production and ("max-age=" not in hsts or "includeSubDomains" not in hsts):
        problems.append("Strict-Transport-Security")
    return [f"{label} ({response.status_code}): {problem}" for problem in problems]


def test_every_response_carries_the_security_headers(
    admin_app: Flask,
    sign_in: Callable[[str], FlaskClient],
    seeded_ids: dict[str, int],  # noqa: F811
) -> None:
    clients = [admin_app.test_client(), sign_in("admin"), sign_in("partner")]
    problems, seen = [], 0
    for label, response in _every_response(admin_app, clients, seeded_ids):
        seen += 1
        problems += _header_problems(label, response, production=False)
    assert problems == []
    assert seen > 3 * len(list(admin_app.url_map.iter_rules()))


def test_in_production_every_response_has_hsts_with_subdomains(
    admin_services: Container,
    seeded_ids: dict[str, int],  # noqa: F811
) -> None:
    settings = dataclasses.replace(admin_services.settings, env="production")
    production: Any = dataclasses.replace(admin_services, settings=settings)
    app = create_app(services=production)
    problems = []
    for label, response in _every_response(app, [app.test_client()], seeded_ids):
        problems += _header_problems(label, response, production=True)
    assert problems == []


def test_the_export_download_is_not_stored(sign_in: Callable[[str], FlaskClient]) -> None:
    response = post_form(sign_in("officer"), "/admin/export", {})
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "same-origin"
