"""Admin fixtures: an app on SQLite, accounts for each role, signed-in clients, seeded residents.

CSRF is on, as in production: `post_form` reads the token from the page like a browser would.
Every account has two-factor sign-in set up with a known secret (SECRETS), and `sign_in`
enters the password and then the code an authenticator app would show.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient

from bot.channels.addresses import parse_address
from bot.core import two_factor
from bot.core.accounts import account_id_for, create_user
from bot.core.inbound import InboundMessage
from bot.runtime.container import Container
from tests.conftest import FIXTURE_FLOWS, make_container
from tests.helpers import new_sid
from wsgi import create_app

PASSWORD = "correct horse battery staple"
ACCOUNTS = {
    "admin": ("admin@council.example", None),
    "officer": ("officer@council.example", None),
    "partner": ("partner@library.example", "LIB1"),
    "other_partner": ("partner@foodbank.example", "FOOD1"),
}
#: Each account's TOTP secret (base32), as its authenticator app holds it.
SECRETS = {role: pyotp.random_base32() for role in ACCOUNTS}


def add_accounts(services: Container) -> None:
    """ACCOUNTS, each with its password and its two-factor secret set up."""
    with services.db.session() as session:
        for role, (email, partner) in ACCOUNTS.items():
            user = create_user(
                session,
                email=email,
                name=role.replace("_", " ").title(),
                role="partner" if "partner" in role else role,
                password=PASSWORD,
                partner_code=partner,
            )
            assert user.id is not None
            two_factor.enrol(session, services.vault, user.id, SECRETS[role], services.clock())


@pytest.fixture
def admin_services(sqlite_url: str, tmp_path: Path) -> Iterator[Container]:
    """On a copy of the fixture flows: saving an answer as FAQ writes into the flow's file,
    and a test posting that form must never change tests/data/flows."""
    flows = shutil.copytree(FIXTURE_FLOWS, tmp_path / "flows")
    services = make_container(sqlite_url, FLOWS_DIR=str(flows))
    add_accounts(services)
    yield services
    services.db.engine.dispose()


@pytest.fixture
def admin_app(admin_services: Container) -> Flask:
    app = create_app(services=admin_services)
    app.config["RATELIMIT_ENABLED"] = False
    return app


def csrf_token(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


class _HiddenFields(HTMLParser):
    """Each form on a page: its action's path and its hidden inputs, as a browser sends them."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._open = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append((urlsplit(found.get("action", "")).path, {}))
            self._open = True
        elif tag == "input" and self._open and found.get("type") == "hidden" and found.get("name"):
            self.forms[-1][1].setdefault(found["name"], found.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = False


def form_fields(page: str, path: str) -> dict[str, str]:
    """The hidden fields (CSRF token, one-time token...) of the page's first form sent to
    `path`. When the page has no such form (a post made up by hand, as to an id that has gone),
    the page's CSRF token and the first one-time token on it: tokens are not tied to one form."""
    parser = _HiddenFields()
    parser.feed(page)
    for action, hidden in parser.forms:
        if action == urlsplit(path).path:
            return hidden
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, f"no CSRF token on the page for {path}"
    once = [hidden["once"] for _action, hidden in parser.forms if "once" in hidden]
    return {"csrf_token": match.group(1), **({"once": once[0]} if once else {})}


def post_form(
    client: FlaskClient, path: str, data: dict[str, str], *, token_from: str | None = None
):
    """POST a form as a browser would from the page `token_from` (default: path): with the
    hidden fields of that page's form for `path`, and `data` typed or chosen over them."""
    page = client.get(token_from or path).get_data(as_text=True)
    return client.post(path, data={**form_fields(page, path), **data})


def code_for(services: Container, role: str) -> str:
    """The code the role's authenticator app shows now (by the app's clock)."""
    return pyotp.TOTP(SECRETS[role]).at(services.clock())


def sign_in_as(app: Flask, services: Container, role: str) -> FlaskClient:
    """A new client of `app` signed in as one of ACCOUNTS' roles, password and code."""
    client = app.test_client()
    email, _partner = ACCOUNTS[role]
    # A code is refused once used, and a test may sign one role in twice within its
    # 30 seconds: enrolling the same secret again lets this sign-in use the current code.
    with services.db.session() as session:
        user_id = account_id_for(session, email)
        assert user_id is not None
        two_factor.enrol(session, services.vault, user_id, SECRETS[role], services.clock())
    response = post_form(client, "/admin/sign-in", {"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    response = post_form(client, "/admin/two-factor", {"code": code_for(services, role)})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def sign_in(admin_app: Flask, admin_services: Container) -> Callable[[str], FlaskClient]:
    """A client signed in as one of ACCOUNTS' roles, password and code."""
    return lambda role: sign_in_as(admin_app, admin_services, role)


def talk(services: Container, number: str, *texts: str) -> list[str | None]:
    """A resident texting the bot through the real service; returns the replies."""
    sender = parse_address(number)
    return [
        services.inbound.receive(InboundMessage(new_sid(), sender, text)).reply for text in texts
    ]


#: Welsh-first welcome, English, six explanation steps, expectations, consent, "yes" to the plan.
TO_HOPES = ("hi", "2", "next", "next", "next", "next", "next", "next", "next", "yes", "1")


@pytest.fixture
def seed(admin_services: Container) -> Callable[..., None]:
    """Residents who went through the flow: `seed(number, partner=None, hope=..., fear=...)`."""

    def seeded(
        number: str,
        *,
        partner: str | None = None,
        hope: str = "Warm homes",
        fear: str = "Being watched",
        question: str = "no",
    ) -> None:
        first = (partner,) if partner else ("hi",)
        talk(admin_services, number, *first, *TO_HOPES[1:], hope, fear, "More help", question, "1")

    return seeded
