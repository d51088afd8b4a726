"""Signed-in browsers as rows, so the server decides when a session ends, not the cookie.

The browser holds a random id (256 bits); the database holds its SHA-256, the account, the
stage and two times. A session ends when it is signed out, after `idle` without a request,
after `absolute` from signing in, or when its account is deactivated or has its password, role
or two-factor changed (`end_user_sessions`). A new id is issued at each step of signing in,
so an id planted before sign-in (fixation) never becomes a signed-in one.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.store.admin_sessions import (
    add_admin_session,
    delete_admin_session,
    delete_stale_sessions,
    delete_user_sessions,
    get_admin_session,
    touch_admin_session,
)
from bot.store.db import UnitOfWork
from bot.store.models import User

#: Password checked, second factor still to come: opens only the two-factor pages.
HALF = "password"
#: Fully signed in.
FULL = "full"
#: last_seen_at is written at most this often, so reading pages is not a write each time.
TOUCH_EVERY = timedelta(minutes=1)


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("ascii", "replace")).hexdigest()


@dataclass(frozen=True)
class OpenSession:
    """A session that is still open: whose, and how far through signing in."""

    user: User
    stage: str


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta
    absolute: timedelta

    def start(self, session: UnitOfWork, user_id: int, stage: str, now: datetime) -> str:
        """A new session; returns the id for the cookie (never stored as it is)."""
        delete_stale_sessions(
            session, idle_before=now - self.idle, created_before=now - self.absolute
        )
        session_id = secrets.token_urlsafe(32)
        add_admin_session(session, id_hash=_hash(session_id), user_id=user_id, stage=stage, at=now)
        return session_id

    def resume(self, session: UnitOfWork, session_id: str, now: datetime) -> OpenSession | None:
        """The open session with this id, or None once it is over (and then it is deleted)."""
        found = get_admin_session(session, _hash(session_id))
        if found is None:
            return None
        row, user = found
        if now - row.last_seen_at > self.idle or now - row.created_at > self.absolute:
            delete_admin_session(session, row.id_hash)
            return None
        if now - row.last_seen_at >= TOUCH_EVERY:
            touch_admin_session(session, row, now)
        return OpenSession(user, row.stage)


def end_session(session: UnitOfWork, session_id: str) -> None:
    delete_admin_session(session, _hash(session_id))


def end_user_sessions(session: UnitOfWork, user_id: int) -> int:
    """Sign one account out everywhere at once; how many sessions ended."""
    return delete_user_sessions(session, user_id)
