"""Sign-in throttling: failed passwords and codes counted per account and per address.

Counting in the database holds across every gunicorn worker and needs no Redis. Only failures
count (a throttled attempt is not one), so the count falls as the window slides past them and an
account is never locked for good: at most `per_account` guesses per window at one account,
from however many addresses, and `per_ip` from one address at any accounts. Keys are hashed, so
the table holds neither typed emails nor addresses.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.store.db import UnitOfWork
from bot.store.sign_in_failures import (
    add_sign_in_failures,
    clear_sign_in_failures,
    count_sign_in_failures,
    delete_old_sign_in_failures,
)


def _key(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


def account_key(email: str) -> str:
    return _key("account", email.strip().lower())


def address_key(ip: str) -> str:
    return _key("ip", ip)


@dataclass(frozen=True)
class SignInThrottle:
    window: timedelta
    #: Failures allowed per account within the window; the next attempt is refused.
    per_account: int
    #: Failures allowed per client address within the window.
    per_ip: int

    def refusal(self, session: UnitOfWork, account: str, ip: str, now: datetime) -> str | None:
        """'account' or 'ip' when that has used up its failures in the window, else None."""
        since = now - self.window
        if count_sign_in_failures(session, account, since) >= self.per_account:
            return "account"
        if count_sign_in_failures(session, address_key(ip), since) >= self.per_ip:
            return "ip"
        return None

    def record_failure(self, session: UnitOfWork, account: str, ip: str, now: datetime) -> None:
        delete_old_sign_in_failures(session, now - self.window)
        add_sign_in_failures(session, [account, address_key(ip)], now)

    def forget_account(self, session: UnitOfWork, account: str) -> None:
        """After a full sign-in: the account's own count starts again (the address's stays)."""
        clear_sign_in_failures(session, account)
