"""Signing in as OWASP ASVS level 2 asks: server-side sessions, throttling, a second factor.

The app's clock is one the tests move (`clock`), so timeouts and throttling windows pass in
an instant; codes are made as an authenticator app would make them at that time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from bot.core import two_factor
from bot.core.accounts import create_user
from bot.runtime.config import load_settings, with_changes
from bot.runtime.container import Container, build_container
from bot.store.models import AdminSession, AuditEvent, User
from tests.admin.conftest import (
    ACCOUNTS,
    PASSWORD,
    SECRETS,
    add_accounts,
    code_for,
    csrf_token,
    post_form,
)
from tests.conftest import settings_for
from wsgi import create_app

COOKIE = "sgwrs_session"
SIGN_IN = "/admin/sign-in"
OFFICER = ACCOUNTS["officer"][0]
ADMIN = ACCOUNTS["admin"][0]


class Clock:
    """The app's clock, moved by the test."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def services_for(sqlite_url: str, clock: Clock, **overrides: Any) -> Container:
    settings = load_settings(settings_for(sqlite_url, **overrides), environ={})
    services = build_container(settings, clock=clock)
    add_accounts(services)
    return services


@pytest.fixture
def admin_services(sqlite_url: str, clock: Clock) -> Iterator[Container]:
    """The admin fixtures' services, on the test's clock."""
    services = services_for(sqlite_url, clock)
    yield services
    services.db.engine.dispose()


def password_step(
    client: FlaskClient,
    email: str,
    password: str = PASSWORD,
    *,
    ip: str = "192.0.2.1",
    forwarded_for: str | None = None,
    next_page: str | None = None,
):
    """POST the sign-in form from `ip` (and an X-Forwarded-For header, if given)."""
    token = csrf_token(client, SIGN_IN)
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post(
        SIGN_IN,
        query_string={"next": next_page} if next_page is not None else None,
        data={"email": email, "password": password, "csrf_token": token},
        headers=headers,
        environ_base={"REMOTE_ADDR": ip},
    )


def code_step(client: FlaskClient, code: str, *, ip: str = "192.0.2.1"):
    token = csrf_token(client, "/admin/two-factor")
    return client.post(
        "/admin/two-factor",
        data={"code": code, "csrf_token": token},
        environ_base={"REMOTE_ADDR": ip},
    )


def full_sign_in(app: Flask, services: Container, role: str, **where: Any) -> FlaskClient:
    client = app.test_client()
    assert password_step(client, ACCOUNTS[role][0], **where).status_code == 302
    response = code_step(client, code_for(services, role))
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def audited(services: Container, action: str) -> list[AuditEvent]:
    with services.db.session() as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)))


def user_id(services: Container, email: str) -> int:
    with services.db.session() as session:
        user = session.exec(select(User).where(User.email == email)).one()
        assert user.id is not None
        return user.id


def opens(client: FlaskClient, path: str = "/admin/conversations") -> bool:
    return client.get(path).status_code == 200


def session_id(app: Flask, client: FlaskClient) -> str | None:
    """The session id inside the (signed) cookie, as the server reads it."""
    cookie = client.get_cookie(COOKIE)
    if cookie is None:
        return None
    return app.session_interface.get_signing_serializer(app).loads(cookie.value).get("sid")


# --- Sessions -------------------------------------------------------------------------------


def test_a_cookie_copied_before_sign_out_opens_nothing_afterwards(
    admin_app: Flask, admin_services: Container, seed: Callable[..., None]
) -> None:
    seed("+447700900321")
    officer = full_sign_in(admin_app, admin_services, "officer")
    transcript = re.search(
        r'href="(/admin/conversations/\d+)"', officer.get("/admin/conversations").get_data(True)
    )
    assert transcript
    assert opens(officer, transcript.group(1))
    copied = officer.get_cookie(COOKIE)
    assert copied is not None

    post_form(officer, "/admin/sign-out", {}, token_from="/admin/overview")

    thief = admin_app.test_client()
    thief.set_cookie(COOKIE, copied.value)
    response = thief.get(transcript.group(1))
    assert response.status_code == 302
    assert response.location.startswith(SIGN_IN)
    assert not opens(officer, transcript.group(1))
    assert len(audited(admin_services, "signed_out")) == 1


def test_a_session_ends_after_30_idle_minutes(
    admin_app: Flask, admin_services: Container, clock: Clock
) -> None:
    officer = full_sign_in(admin_app, admin_services, "officer")
    clock.advance(minutes=29)
    assert opens(officer)
    clock.advance(minutes=29)  # busy: 58 minutes in, but never 30 idle
    assert opens(officer)
    clock.advance(minutes=31)
    assert not opens(officer)
    with admin_services.db.session() as session:
        assert session.exec(select(AdminSession)).all() == []  # the row went too


def test_a_session_ends_12_hours_after_signing_in_however_busy(
    admin_app: Flask, admin_services: Container, clock: Clock
) -> None:
    officer = full_sign_in(admin_app, admin_services, "officer")
    for _ in range(47):  # every 15 minutes for 11 h 45 min
        clock.advance(minutes=15)
        assert opens(officer)
    clock.advance(minutes=16)
    assert not opens(officer)


def test_each_step_of_signing_in_gets_a_new_session_id(
    admin_app: Flask, admin_services: Container
) -> None:
    client = admin_app.test_client()
    client.get(SIGN_IN)
    assert session_id(admin_app, client) is None  # a visitor has none to fix in advance
    password_step(client, OFFICER)
    half = session_id(admin_app, client)
    half_cookie = client.get_cookie(COOKIE)
    assert half is not None
    assert half_cookie is not None
    assert not opens(client)  # half signed in opens nothing but the second step

    assert code_step(client, code_for(admin_services, "officer")).status_code == 302
    full = session_id(admin_app, client)
    assert full not in (None, half)
    assert opens(client)
    stale = admin_app.test_client()
    stale.set_cookie(COOKIE, half_cookie.value)
    assert stale.get("/admin/two-factor").status_code == 302  # the half session is gone
    with admin_services.db.session() as session:
        assert len(session.exec(select(AdminSession)).all()) == 1


def test_the_cookie_is_host_only_secure_and_http_only_in_production(admin_app: Flask) -> None:
    from admin.auth import session_cookie_config

    production = with_changes(admin_app.extensions["sgwrs"].settings, env="production")
    admin_app.config.update(session_cookie_config(production))
    client = admin_app.test_client()
    cookie = client.get(SIGN_IN).headers["Set-Cookie"]
    assert cookie.startswith("__Host-sgwrs=")
    for part in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert part in cookie.split("; ")
    assert "Domain" not in cookie
    https = "https://localhost"
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', client.get(SIGN_IN, base_url=https).text
    )
    assert token
    form = {"email": OFFICER, "password": PASSWORD, "csrf_token": token.group(1)}
    referrer = {"Referer": f"{https}{SIGN_IN}"}
    signed_in = client.post(SIGN_IN, data=form, base_url=https, headers=referrer)
    assert signed_in.status_code == 302
    cookie = signed_in.headers["Set-Cookie"]
    expires = re.search(r"Expires=([^;]+)", cookie)
    assert expires  # as long as the server keeps a session (12 hours), not 31 days
    lifetime = parsedate_to_datetime(expires.group(1)) - datetime.now(UTC)
    assert timedelta(hours=11) < lifetime <= timedelta(hours=12)


def test_the_cookie_has_a_plain_name_and_no_secure_flag_in_development(admin_app: Flask) -> None:
    cookie = admin_app.test_client().get(SIGN_IN).headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "Secure" not in cookie.split("; ")
    assert "HttpOnly" in cookie.split("; ")


# --- Throttling -----------------------------------------------------------------------------


def test_the_sixth_failure_for_one_account_is_429_until_the_window_passes(
    admin_app: Flask, admin_services: Container, clock: Clock
) -> None:
    client = admin_app.test_client()
    for n in range(5):
        assert (
            password_step(client, OFFICER, "wrong password", ip=f"198.51.100.{n}").status_code
            == 401
        )
    refused = password_step(client, OFFICER, "wrong password", ip="198.51.100.9")
    assert refused.status_code == 429
    assert "Too many attempts. Wait 15 minutes" in refused.get_data(as_text=True)
    # The right password, from an address never seen, is refused too while the window lasts.
    assert password_step(client, OFFICER, ip="203.0.113.7").status_code == 429
    [first, second] = audited(admin_services, "sign_in_throttled")
    assert first.target == f"user:{user_id(admin_services, OFFICER)}"
    assert first.detail == "by=account"
    assert first.user_id is None or first.user_id == user_id(admin_services, OFFICER)
    assert second.detail == "by=account"
    assert len(audited(admin_services, "sign_in_failed")) == 5

    clock.advance(minutes=15, seconds=1)  # no permanent lock-out
    response = password_step(client, OFFICER, ip="203.0.113.7")
    assert response.status_code == 302
    assert response.location == "/admin/two-factor"


def test_fifty_wrong_passwords_from_five_addresses_are_throttled(admin_app: Flask) -> None:
    client = admin_app.test_client()
    answers = [
        password_step(client, OFFICER, f"guess {n}", ip=f"198.51.100.{n % 5}").status_code
        for n in range(50)
    ]
    assert answers.count(401) == 5
    assert answers.count(429) == 45


def test_twenty_failures_from_one_address_throttle_that_address_only(
    admin_app: Flask, admin_services: Container
) -> None:
    client = admin_app.test_client()
    for n in range(20):  # a different account each time, so only the address adds up
        assert password_step(client, f"nobody{n}@council.example", "x" * 12).status_code == 401
    assert password_step(client, ADMIN).status_code == 429
    [event] = audited(admin_services, "sign_in_throttled")
    assert event.detail == "by=ip"
    assert password_step(admin_app.test_client(), ADMIN, ip="192.0.2.200").status_code == 302


@pytest.fixture
def behind_proxy(sqlite_url: str, clock: Clock) -> Iterator[Flask]:
    """The app behind one proxy of ours (TRUSTED_PROXIES=1) at 10.0.0.1."""
    services = services_for(sqlite_url, clock, TRUSTED_PROXIES=1)
    app = create_app(services=services)
    app.config["RATELIMIT_ENABLED"] = False
    yield app
    services.db.engine.dispose()


def test_ten_bad_guesses_do_not_lock_out_someone_else_behind_the_same_proxy(
    behind_proxy: Flask,
) -> None:
    client = behind_proxy.test_client()
    for n in range(10):
        response = password_step(
            client, OFFICER, f"guess {n}", ip="10.0.0.1", forwarded_for="203.0.113.66"
        )
        assert response.status_code in (401, 429)
    other = behind_proxy.test_client()
    response = password_step(other, ADMIN, ip="10.0.0.1", forwarded_for="198.51.100.20")
    assert response.status_code == 302


def test_a_forged_forwarded_for_changes_nothing_without_trusted_proxies(admin_app: Flask) -> None:
    client = admin_app.test_client()
    for n in range(20):
        email, forged = f"nobody{n}@council.example", f"203.0.113.{n}"
        assert password_step(client, email, "x" * 12, forwarded_for=forged).status_code == 401
    assert password_step(client, ADMIN, forwarded_for="198.51.100.99").status_code == 429


def test_a_trusted_proxy_s_forwarded_for_is_the_address_counted(behind_proxy: Flask) -> None:
    client = behind_proxy.test_client()
    for n in range(20):
        email = f"nobody{n}@council.example"
        response = password_step(
            client, email, "x" * 12, ip="10.0.0.1", forwarded_for="203.0.113.5"
        )
        assert response.status_code == 401
    blocked = password_step(client, ADMIN, ip="10.0.0.1", forwarded_for="203.0.113.5")
    assert blocked.status_code == 429
    allowed = password_step(client, ADMIN, ip="10.0.0.1", forwarded_for="198.51.100.5")
    assert allowed.status_code == 302


def test_wrong_codes_are_throttled_like_passwords(
    admin_app: Flask, admin_services: Container
) -> None:
    client = admin_app.test_client()
    password_step(client, OFFICER)
    for n in range(5):
        assert code_step(client, f"{n:06d}").status_code == 401
    assert code_step(client, code_for(admin_services, "officer")).status_code == 429
    assert len(audited(admin_services, "two_factor_failed")) == 5
    assert not opens(client)


# --- Two-factor -----------------------------------------------------------------------------


def new_account(services: Container, role: str = "officer", **extra: Any) -> str:
    email = f"new.{role}@council.example"
    with services.db.session() as session:
        create_user(session, email=email, name=f"New {role}", role=role, password=PASSWORD, **extra)
    return email


def test_an_officer_sets_up_two_factor_at_first_sign_in(
    admin_app: Flask, admin_services: Container, clock: Clock
) -> None:
    email = new_account(admin_services)
    client = admin_app.test_client()
    response = password_step(client, email, next_page="/admin/questions")
    assert response.location == "/admin/two-factor/set-up"
    assert not opens(client)  # nothing else opens before it is set up

    page = client.get("/admin/two-factor/set-up").get_data(as_text=True)
    secret = re.search(r'id="secret"><code>([A-Z2-7 ]+)</code>', page)
    assert secret
    secret_key = secret.group(1).replace(" ", "")
    assert f"otpauth://totp/Sgwrs:new.officer%40council.example?secret={secret_key}" in page
    assert "<script" not in page.split("<main")[1].split("</main>")[0]
    again = client.get("/admin/two-factor/set-up").get_data(as_text=True)
    assert secret.group(1) in again  # a reload keeps the same key
    with admin_services.db.session() as session:
        [row] = session.exec(select(two_factor.TwoFactor)).all()[-1:]
        assert secret_key not in row.secret_encrypted  # sealed with the Vault
        assert admin_services.vault.open(row.secret_encrypted) == secret_key

    token = csrf_token(client, "/admin/two-factor/set-up")
    wrong = client.post("/admin/two-factor/set-up", data={"code": "000000", "csrf_token": token})
    assert wrong.status_code == 400
    code = pyotp.TOTP(secret_key).at(clock())
    done = client.post("/admin/two-factor/set-up", data={"code": code, "csrf_token": token})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code></li>", done.text)
    assert len(set(codes)) == 10
    assert 'href="/admin/questions"' in done.text  # on to the page first asked for
    assert opens(client)
    assert len(audited(admin_services, "two_factor_set_up")) == 1

    # Later sign-ins ask for the code; a recovery code works once instead.
    later = admin_app.test_client()
    assert password_step(later, email).location == "/admin/two-factor"
    assert code_step(later, codes[0].upper()).status_code == 302
    assert opens(later)
    assert len(audited(admin_services, "recovery_code_used")) == 1
    reuse = admin_app.test_client()
    password_step(reuse, email)
    assert code_step(reuse, codes[0]).status_code == 401
    assert code_step(reuse, codes[1]).status_code == 302


def test_a_code_is_refused_the_second_time(admin_app: Flask, admin_services: Container) -> None:
    code = code_for(admin_services, "officer")
    first = admin_app.test_client()
    password_step(first, OFFICER)
    assert code_step(first, code).status_code == 302
    second = admin_app.test_client()
    password_step(second, OFFICER)
    assert code_step(second, code).status_code == 401
    assert not opens(second)


@pytest.mark.parametrize(("steps", "accepted"), [(-2, False), (-1, True), (1, True), (2, False)])
def test_codes_allow_one_step_of_drift(
    admin_services: Container, clock: Clock, steps: int, accepted: bool
) -> None:
    officer = user_id(admin_services, OFFICER)
    code = pyotp.TOTP(SECRETS["officer"]).at(clock(), counter_offset=steps)
    with admin_services.db.session() as session:
        used = two_factor.check_code(session, admin_services.vault, officer, code, clock())
    assert (used == "totp") is accepted


def test_partners_may_sign_in_without_a_second_factor_and_set_one_up(
    admin_app: Flask, admin_services: Container, clock: Clock
) -> None:
    email = new_account(admin_services, "partner", partner_code="LIB1")
    client = admin_app.test_client()
    response = password_step(client, email)
    assert response.location == "/admin/overview"
    assert opens(client, "/admin/overview")
    page = client.get("/admin/account/password").get_data(as_text=True)
    assert 'href="/admin/two-factor/set-up"' in page
    set_up = client.get("/admin/two-factor/set-up")
    assert set_up.status_code == 200
    match = re.search(r'id="secret"><code>([A-Z2-7 ]+)</code>', set_up.text)
    assert match
    code = pyotp.TOTP(match.group(1).replace(" ", "")).at(clock())
    done = post_form(client, "/admin/two-factor/set-up", {"code": code})
    assert done.status_code == 200
    assert password_step(admin_app.test_client(), email).location == "/admin/two-factor"


def test_an_admin_resets_an_officer_s_two_factor(
    admin_app: Flask, admin_services: Container, sign_in: Callable[[str], FlaskClient]
) -> None:
    officer = full_sign_in(admin_app, admin_services, "officer")
    admin = sign_in("admin")
    target = user_id(admin_services, OFFICER)
    response = post_form(
        admin, f"/admin/users/{target}/two-factor/reset", {}, token_from="/admin/users"
    )
    assert response.status_code == 302
    assert not opens(officer)  # signed out at once
    assert password_step(admin_app.test_client(), OFFICER).location == "/admin/two-factor/set-up"
    [event] = audited(admin_services, "two_factor_reset")
    assert event.target == f"user:{target}"


# --- Passwords ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("eleven char", "at least 12 characters"),
        ("x" * 129, "at most 128 characters"),
        ("qwerty123456", "one of the most common"),
        ("QWERTY123456", "one of the most common"),
        ("leavemealone", "one of the most common"),
    ],
)
def test_weak_passwords_are_refused_with_a_clear_message(
    sign_in: Callable[[str], FlaskClient], password: str, message: str
) -> None:
    data = {"name": "Nia", "email": "nia@council.example", "role": "officer", "password": password}
    response = post_form(sign_in("admin"), "/admin/users", data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_passwords_of_12_to_128_characters_are_taken(admin_services: Container) -> None:
    with admin_services.db.session() as session:
        for n, password in enumerate(("kettle-bird!", "k" * 128)):
            email = f"n{n}@council.example"
            create_user(session, email=email, name="N", role="officer", password=password)


def test_passwords_are_hashed_with_argon2id_and_at_least_46_mib() -> None:
    from bot.core.accounts import PASSWORD_HASHER

    assert PASSWORD_HASHER.memory_cost >= 46 * 1024
    assert PASSWORD_HASHER.hash("kettle-bird!").startswith("$argon2id$v=19$m=47104,")


def test_an_old_hash_is_replaced_at_sign_in(admin_app: Flask, admin_services: Container) -> None:
    from argon2 import PasswordHasher

    old = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1).hash(PASSWORD)
    with admin_services.db.session() as session:
        user = session.exec(select(User).where(User.email == OFFICER)).one()
        user.password_hash = old
    assert password_step(admin_app.test_client(), OFFICER).status_code == 302
    with admin_services.db.session() as session:
        new = session.exec(select(User).where(User.email == OFFICER)).one().password_hash
    assert new != old
    assert new.startswith("$argon2id$")


def test_an_admin_resets_a_password_and_it_must_be_changed_at_next_sign_in(
    admin_app: Flask,
    admin_services: Container,
    sign_in: Callable[[str], FlaskClient],
    clock: Clock,
) -> None:
    officer = full_sign_in(admin_app, admin_services, "officer")
    admin = sign_in("admin")
    target = user_id(admin_services, OFFICER)
    response = post_form(admin, f"/admin/users/{target}/password", {}, token_from="/admin/users")
    assert response.status_code == 200
    shown = re.search(
        r'id="temporary-password" translate="no">([^<]+)<', response.get_data(as_text=True)
    )
    assert shown
    temporary = shown.group(1)
    assert not opens(officer)  # signed out everywhere
    assert password_step(admin_app.test_client(), OFFICER).status_code == 401  # old one gone
    assert temporary not in admin.get("/admin/users").get_data(as_text=True)  # shown once

    client = admin_app.test_client()
    clock.advance(seconds=30)  # the officer's next code: the one before is spent
    assert password_step(client, OFFICER, temporary).status_code == 302
    assert code_step(client, code_for(admin_services, "officer")).status_code == 302
    response = client.get("/admin/conversations")
    assert response.location == "/admin/account/password"
    change = {"current_password": temporary, "confirm_password": "a new kettle of fish"}
    mismatch = post_form(
        client, "/admin/account/password", {**change, "new_password": "other one!!"}
    )
    assert "The two new passwords are not the same." in mismatch.get_data(as_text=True)
    common = {**change, "new_password": "qwerty123456", "confirm_password": "qwerty123456"}
    assert "one of the most common" in post_form(client, "/admin/account/password", common).text
    done = post_form(
        client, "/admin/account/password", {**change, "new_password": change["confirm_password"]}
    )
    assert done.status_code == 302
    assert opens(client)  # this browser stays signed in, on a new session
    assert (
        password_step(admin_app.test_client(), OFFICER, "a new kettle of fish").status_code == 302
    )
    assert len(audited(admin_services, "password_reset")) == 1
    assert len(audited(admin_services, "password_changed")) == 1
    assert all(temporary not in e.detail for e in audited(admin_services, "password_reset"))


def test_an_admin_changes_a_role_and_it_applies_at_once(
    admin_app: Flask,
    admin_services: Container,
    sign_in: Callable[[str], FlaskClient],
    clock: Clock,
) -> None:
    officer = full_sign_in(admin_app, admin_services, "officer")
    admin = sign_in("admin")
    target = user_id(admin_services, OFFICER)
    path = f"/admin/users/{target}/role"
    response = post_form(admin, path, {"role": "admin"}, token_from="/admin/users")
    assert response.status_code == 302
    assert '<span translate="no">Officer</span> is now: Admin' in admin.get(
        "/admin/users"
    ).get_data(as_text=True)
    assert not opens(officer)
    clock.advance(seconds=30)  # the officer's next code: the one before is spent
    promoted = full_sign_in(admin_app, admin_services, "officer")
    assert promoted.get("/admin/users").status_code == 200
    [event] = audited(admin_services, "user_role_changed")
    assert (event.target, event.detail) == (f"user:{target}", "role=admin")
    bad = post_form(admin, path, {"role": "boss"}, token_from="/admin/users")
    assert bad.status_code == 400
    me = user_id(admin_services, ADMIN)
    mine = post_form(
        admin, f"/admin/users/{me}/role", {"role": "officer"}, token_from="/admin/users"
    )
    assert mine.status_code == 400


def test_an_admin_reactivates_an_account(
    admin_app: Flask, admin_services: Container, sign_in: Callable[[str], FlaskClient]
) -> None:
    admin = sign_in("admin")
    target = user_id(admin_services, OFFICER)
    post_form(admin, f"/admin/users/{target}/deactivate", {}, token_from="/admin/users")
    assert password_step(admin_app.test_client(), OFFICER).status_code == 401
    assert "Reactivate<span" in admin.get("/admin/users").get_data(as_text=True)
    response = post_form(admin, f"/admin/users/{target}/reactivate", {}, token_from="/admin/users")
    assert response.status_code == 302
    assert '<span translate="no">Officer</span> can sign in again' in admin.get(
        "/admin/users"
    ).get_data(as_text=True)
    assert password_step(admin_app.test_client(), OFFICER).status_code == 302
    [event] = audited(admin_services, "user_reactivated")
    assert event.target == f"user:{target}"


# --- Where to go after signing in -----------------------------------------------------------

HOSTILE_NEXT = [
    "/admin/answers\r\nSet-Cookie: stolen=1",
    "/admin/\nLocation: https://evil.example/",
    "/admin/\x00",
    "\\\\evil.example/admin/",
    "/\\evil.example/admin/",
    "/admin/\\..\\..\\evil",
    "//evil.example/admin/",
    "https://evil.example/admin/",
    "/admin/../../evil",
    "/admin/%2e%2e/%2e%2e/evil",
    "/admin/%5c%5cevil.example",
    "/admin/" + "a" * 5000,
    "admin/answers",
    "",
]


@pytest.mark.parametrize("target", HOSTILE_NEXT, ids=range(len(HOSTILE_NEXT)))
def test_next_never_leaves_the_admin_nor_fails(
    admin_app: Flask, admin_services: Container, target: str
) -> None:
    client = admin_app.test_client()
    response = password_step(client, OFFICER, next_page=target)
    if "\x00" in target:  # refused before anything reads it (admin/guard.py)
        assert response.status_code == 400
        return
    assert response.status_code == 302
    response = code_step(client, code_for(admin_services, "officer"))
    assert response.status_code == 302
    assert response.location == "/admin/overview"
    token = csrf_token(client, "/admin/overview")
    switched = client.post(
        "/admin/language", data={"language": "cy", "next": target, "csrf_token": token}
    )
    assert switched.status_code == 302
    assert switched.location == "/admin/overview"


def test_next_takes_an_admin_page_with_its_query(
    admin_app: Flask, admin_services: Container
) -> None:
    client = admin_app.test_client()
    password_step(client, OFFICER, next_page="/admin/answers?kind=hope&page=2")
    response = code_step(client, code_for(admin_services, "officer"))
    assert response.location == "/admin/answers?kind=hope&page=2"
