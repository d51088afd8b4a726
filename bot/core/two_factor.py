"""TOTP two-factor sign-in (RFC 6238, as authenticator apps do it) and one-time recovery codes.

The secret is sealed with the Vault, like residents' data. A code is accepted for the current
30-second step or one either side (a phone's clock drifts), and only for a step later than the
last one accepted, so a code cannot be used twice. Recovery codes are random (60 bits), shown
once and kept as SHA-256 only; each works once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp

from bot.runtime.crypto import Vault
from bot.store.db import UnitOfWork
from bot.store.models import TwoFactor
from bot.store.two_factor import (
    delete_two_factor,
    get_two_factor,
    replace_recovery_codes,
    save_two_factor,
    use_recovery_code,
    use_step,
)

#: Roles that must use a second factor; partners may choose to.
REQUIRED_FOR = ("admin", "officer")
ISSUER = "Sgwrs"
RECOVERY_CODES = 10
#: Steps either side of now a code may come from.
DRIFT = 1
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off a screen, typed back


def needs_two_factor(role: str) -> bool:
    return role in REQUIRED_FOR


def is_set_up(session: UnitOfWork, user_id: int) -> bool:
    row = get_two_factor(session, user_id)
    return row is not None and row.confirmed_at is not None


def pending_secret(session: UnitOfWork, vault: Vault, user_id: int) -> str:
    """The secret being set up (for an account without a confirmed one): the same on every
    reload until a code confirms it, so a slow first attempt does not change it."""
    row = get_two_factor(session, user_id)
    if row is not None:
        return vault.open(row.secret_encrypted)
    secret = pyotp.random_base32()
    save_two_factor(session, TwoFactor(user_id=user_id, secret_encrypted=vault.seal(secret)))
    return secret


def setup_uri(secret: str, email: str) -> str:
    """The otpauth:// address an authenticator app reads (as a QR code or typed in)."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def enrol(session: UnitOfWork, vault: Vault, user_id: int, secret: str, now: datetime) -> None:
    """Make `secret` the account's confirmed one, no code used yet."""
    row = get_two_factor(session, user_id) or TwoFactor(user_id=user_id, secret_encrypted="")
    row.secret_encrypted, row.confirmed_at, row.last_step = vault.seal(secret), now, None
    save_two_factor(session, row)


def confirm_set_up(
    session: UnitOfWork, vault: Vault, user_id: int, code: str, now: datetime
) -> list[str] | None:
    """Confirm the pending secret with a code from the app; the new recovery codes, or None."""
    row = get_two_factor(session, user_id)
    if row is None or row.confirmed_at is not None:
        return None
    secret = vault.open(row.secret_encrypted)
    step = _matching_step(secret, code, now)
    if step is None:
        return None
    enrol(session, vault, user_id, secret, now)
    use_step(session, user_id, step)
    return new_recovery_codes(session, user_id)


def new_recovery_codes(session: UnitOfWork, user_id: int) -> list[str]:
    """Ten fresh codes, replacing any earlier ones; returned once, stored hashed."""
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    replace_recovery_codes(session, user_id, [_code_hash(code) for code in codes])
    return codes


def check_code(
    session: UnitOfWork, vault: Vault, user_id: int, code: str, now: datetime
) -> str | None:
    """'totp' or 'recovery' when `code` proves the second factor (and is now spent), else None."""
    row = get_two_factor(session, user_id)
    if row is None or row.confirmed_at is None:
        return None
    typed = "".join(code.split())
    if typed.isdigit():
        step = _matching_step(vault.open(row.secret_encrypted), typed, now)
        return "totp" if step is not None and use_step(session, user_id, step) else None
    normalised = typed.replace("-", "").lower()
    if len(normalised) == 12 and use_recovery_code(session, user_id, _code_hash(normalised), now):
        return "recovery"
    return None


def reset(session: UnitOfWork, user_id: int) -> None:
    """Forget the account's second factor (an admin's reset): it is set up again at sign-in."""
    delete_two_factor(session, user_id)


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    code = "".join(code.split())
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - DRIFT, current + DRIFT + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _recovery_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").lower().encode()).hexdigest()
