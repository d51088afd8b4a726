"""Admin fixtures: an app on SQLite, accounts for each role, signed-in clients, seeded residents.

CSRF is on, as in production: `post_form` reads the token from the page like a browser would.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bot.channels.addresses import parse_address
from bot.core.accounts import create_user
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


@pytest.fixture
def admin_services(sqlite_url: str) -> Iterator[Container]:
    services = make_container(sqlite_url)
    with services.db.session() as session:
        for role, (email, partner) in ACCOUNTS.items():
            create_user(
                session,
                email=email,
                name=role.replace("_", " ").title(),
                role="partner" if "partner" in role else role,
                password=PASSWORD,
                partner_code=partner,
            )
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


@pytest.fixture
def sign_in(admin_app: Flask) -> Callable[[str], FlaskClient]:
    """A client signed in as one of ACCOUNTS' roles."""

    def signed_in(role: str) -> FlaskClient:
        client = admin_app.test_client()
        email, _partner = ACCOUNTS[role]
        response = post_form(
            client,
            "/admin/sign-in",
            {"email": email, "password": PASSWORD},
        )
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
