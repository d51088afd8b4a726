"""Admin fixtures: an app on SQLite, accounts for each role, signed-in clients, seeded residents.

CSRF is on, as in production: `post_form` reads the token from the page like a browser would.
Every account has two-factor sign-in set up with a known secret (SECRETS), and `sign_in`
enters the password and then the code an authenticator app would show.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient

from bot.channels.addresses import parse_address
from bot.core import two_factor
from bot.core.accounts import account_id_for, create_user
from bot.core.inbound import InboundMessage
from bot.runtime.container import Container
from tests.conftest import make_container
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
def admin_services(sqlite_url: str) -> Iterator[Container]:
    services = make_container(sqlite_url)
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


def post_form(
    client: FlaskClient, path: str, data: dict[str, str], *, token_from: str | None = None
):
    """POST a form with the CSRF token a browser would have from `token_from` (default: path)."""
    token = csrf_token(client, token_from or path)
    return client.post(path, data={**data, "csrf_token": token})


def code_for(services: Container, role: str) -> str:
    """The code the role's authenticator app shows now (by the app's clock)."""
    return pyotp.TOTP(SECRETS[role]).at(services.clock())


@pytest.fixture
def sign_in(admin_app: Flask, admin_services: Container) -> Callable[[str], FlaskClient]:
    """A client signed in as one of ACCOUNTS' roles, password and code."""

    def signed_in(role: str) -> FlaskClient:
        client = admin_app.test_client()
        email, _partner = ACCOUNTS[role]
        # A code is refused once used, and a test may sign one role in twice within its
        # 30 seconds: enrolling the same secret again lets this sign-in use the current code.
        with admin_services.db.session() as session:
            user_id = account_id_for(session, email)
            assert user_id is not None
            two_factor.enrol(
                session, admin_services.vault, user_id, SECRETS[role], admin_services.clock()
            )
        response = post_form(
            client,
            "/admin/sign-in",
            {"email": email, "password": PASSWORD},
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        code = code_for(admin_services, role)
        response = post_form(client, "/admin/two-factor", {"code": code})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return signed_in


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
