"""Admin accounts: creating users and checking passwords (argon2), with roles.

Roles: `admin` manages users and settings, `officer` works with conversations, `partner` sees
only aggregate figures and anonymised answers for their own partner code.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bot.runtime.clock import utc_now
from bot.store.db import UnitOfWork
from bot.store.models import User
from bot.store.users import add_user, count_users, find_user_by_email, get_user, record_login

ROLES = ("admin", "officer", "partner")
MIN_PASSWORD = 12
_hasher = PasswordHasher()
#: Verified against when the email is unknown, so both cases take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class AccountError(ValueError):
    """The account cannot be made; the message says why."""


@dataclass(frozen=True)
class SignedIn:
    """What a request needs to know about the person signed in (never the password hash)."""

    id: int
    name: str
    role: str
    partner_code: str | None


def create_user(
    session: UnitOfWork,
    *,
    email: str,
    name: str,
    role: str,
    password: str,
    partner_code: str | None = None,
) -> User:
    email = email.strip().lower()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise AccountError("Enter an email address like name@example.gov.uk.")
    if role not in ROLES:
        raise AccountError(f"Role must be one of {', '.join(ROLES)}.")
    if role == "partner" and not partner_code:
        raise AccountError("A partner account needs the partner's code.")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"The password must be at least {MIN_PASSWORD} characters.")
    if find_user_by_email(session, email) is not None:
        raise AccountError("There is already an account with that email address.")
    user = User(
        email=email,
        name=name.strip() or email,
        role=role,
        partner_code=partner_code.upper() if partner_code else None,
        password_hash=_hasher.hash(password),
    )
    return add_user(session, user)


def authenticate(session: UnitOfWork, email: str, password: str) -> SignedIn | None:
    """The user if the email and password match an active account, else None."""
    user = find_user_by_email(session, email.strip().lower(), active_only=True)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    rehashed = _hasher.hash(password) if _hasher.check_needs_rehash(user.password_hash) else None
    record_login(session, user, utc_now(), rehashed)
    return signed_in(user)


def signed_in(user: User) -> SignedIn:
    assert user.id is not None
    return SignedIn(user.id, user.name, user.role, user.partner_code)


def get_signed_in(session: UnitOfWork, user_id: int) -> SignedIn | None:
    user = get_user(session, user_id)
    return signed_in(user) if user is not None and user.active else None


DEMO_EMAIL = "demo.officer@sgwrs.invalid"


def create_demo_officer(session: UnitOfWork) -> str | None:
    """On a machine with no accounts yet, make a demo officer; returns its password once."""
    if count_users(session):
        return None
    password = secrets.token_urlsafe(12)
    create_user(session, email=DEMO_EMAIL, name="Demo officer", role="officer", password=password)
    return password
