"""Admin accounts: creating users, checking passwords (argon2id), and admins' changes to them.

Roles: `admin` manages users and settings, `officer` works with conversations, `partner` sees
only aggregate figures and anonymised answers for their own partner code.

Every change that alters who someone is or how they prove it (deactivating, a new role, a
password reset, a two-factor reset) signs the account out everywhere at once. A password an
admin resets is a random temporary one, shown to the admin once; it signs in only to choose a
new password (`must_change_password`).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bot.core import two_factor
from bot.core.password_policy import password_problem
from bot.core.sessions import end_user_sessions
from bot.runtime.clock import utc_now
from bot.runtime.refusal import RefusalError
from bot.store.db import UnitOfWork
from bot.store.models import User
from bot.store.users import (
    add_user,
    change_user,
    count_users,
    find_user_by_email,
    get_user,
    record_login,
)

ROLES = ("admin", "officer", "partner")
#: argon2id with OWASP's first recommended setting: 46 MiB, one pass, one lane. Hashes made
#: with other costs are re-hashed at the next sign-in. Tests swap `_hasher` for a cheap one.
PASSWORD_HASHER = PasswordHasher(time_cost=1, memory_cost=47104, parallelism=1)
_hasher = PASSWORD_HASHER


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """Verified against when the email is unknown, so both cases take the same time."""
    return hasher.hash("not-a-real-password")


class AccountError(RefusalError):
    """The account cannot be made or changed; the message says why."""


@dataclass(frozen=True)
class SignedIn:
    """What a request needs to know about the person signed in (never the password hash)."""

    id: int
    name: str
    role: str
    partner_code: str | None
    email: str = ""
    must_change_password: bool = False


def _checked_password(password: str) -> str:
    problem = password_problem(password)
    if problem is not None:
        raise AccountError(problem)
    return _hasher.hash(password)


def _checked_role(role: str, partner_code: str | None) -> str | None:
    if role not in ROLES:
        raise AccountError("Choose a role from the list.")
    if role == "partner" and not partner_code:
        raise AccountError("A partner account needs the partner's code.")
    return partner_code.upper() if role == "partner" and partner_code else None


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
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email) or len(email) > 254:
        raise AccountError("Enter an email address like name@example.gov.uk.")
    partner_code = _checked_role(role, partner_code)
    password_hash = _checked_password(password)
    if find_user_by_email(session, email) is not None:
        raise AccountError("There is already an account with that email address.")
    user = User(
        email=email,
        name=name.strip()[:128] or email,
        role=role,
        partner_code=partner_code,
        password_hash=password_hash,
    )
    return add_user(session, user)


def authenticate(session: UnitOfWork, email: str, password: str) -> SignedIn | None:
    """The account if the email and password match an active one, else None.

    Only the password: the caller still asks for the second factor before signing in.
    """
    user = find_user_by_email(session, email.strip().lower(), active_only=True)
    try:
        _hasher.verify(user.password_hash if user else _dummy_hash(_hasher), password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    rehashed = _hasher.hash(password) if _hasher.check_needs_rehash(user.password_hash) else None
    record_login(session, user, utc_now(), rehashed)
    return signed_in(user)


def signed_in(user: User) -> SignedIn:
    assert user.id is not None
    return SignedIn(
        user.id, user.name, user.role, user.partner_code, user.email, user.must_change_password
    )


def account_id_for(session: UnitOfWork, email: str) -> int | None:
    """The id of the account with this email, for audit entries about attempts on it."""
    user = find_user_by_email(session, email.strip().lower())
    return user.id if user is not None else None


def _changed(session: UnitOfWork, user_id: int, **values: object) -> User:
    user = change_user(session, user_id, **values)
    if user is None:
        raise LookupError(user_id)
    end_user_sessions(session, user_id)
    return user


def set_active(session: UnitOfWork, user_id: int, active: bool) -> User:
    """Deactivate (signed out at once) or reactivate an account; LookupError if unknown."""
    return _changed(session, user_id, active=active)


def change_role(
    session: UnitOfWork, user_id: int, role: str, partner_code: str | None = None
) -> User:
    """A new role (and partner code for partners); signed out so the new role applies at once."""
    code = _checked_role(role, partner_code)
    return _changed(session, user_id, role=role, partner_code=code)


def reset_password(session: UnitOfWork, user_id: int) -> tuple[User, str]:
    """A random temporary password, returned once for the admin to hand over in person."""
    temporary = secrets.token_urlsafe(12)
    user = _changed(
        session, user_id, password_hash=_hasher.hash(temporary), must_change_password=True
    )
    return user, temporary


def change_own_password(session: UnitOfWork, user_id: int, current: str, new: str) -> None:
    """The account's own change: the current password, then a new one that meets the policy
    and differs from it. Every session ends; the caller signs this browser in again."""
    user = get_user(session, user_id)
    if user is None or authenticate(session, user.email, current) is None:
        raise AccountError("Your current password is not right.")
    if new == current:
        raise AccountError("Choose a password different from the one you have now.")
    _changed(session, user_id, password_hash=_checked_password(new), must_change_password=False)


def reset_two_factor(session: UnitOfWork, user_id: int) -> User:
    """Forget the account's second factor: it is set up again at the next sign-in."""
    two_factor.reset(session, user_id)
    return _changed(session, user_id)


DEMO_EMAIL = "demo.officer@sgwrs.invalid"


def create_demo_officer(session: UnitOfWork) -> str | None:
    """On a machine with no accounts yet, make a demo officer; returns its password once."""
    if count_users(session):
        return None
    password = secrets.token_urlsafe(12)
    create_user(session, email=DEMO_EMAIL, name="Demo officer", role="officer", password=password)
    return password
