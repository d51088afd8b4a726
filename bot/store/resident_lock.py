"""The per-resident lock: one resident's texts and timers are handled one at a time, in order.

Twilio can deliver two texts from the same person at once; without it both would read the same
state and one answer would be lost. It lives in the database, not Redis, so a Redis outage never
costs a text, and it is transaction-scoped, so it is safe behind PgBouncer in transaction mode.
"""

from __future__ import annotations

from sqlalchemy import delete, text
from sqlmodel import Session

from bot.store.db import run_plain
from bot.store.models import Receipt

_LOCK = text(
    "SELECT pg_advisory_xact_lock(:key)"
    " FROM (SELECT set_config('lock_timeout', :timeout, true)) AS timeout"
)


def hold_resident(session: Session, number_hash: str, timeout_seconds: float) -> None:
    """Take this resident's lock for the rest of the transaction: their texts and timers are
    handled one at a time, in order, by whichever process holds it.

    PostgreSQL: a transaction-scoped advisory lock on the number's hash (released at commit,
    and safe behind PgBouncer in transaction mode), waiting at most `timeout_seconds`.
    SQLite: the database's single write lock, taken now rather than at the first write, so the
    state read next is still current when it is written.
    """
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        timeout_ms = max(1, round(timeout_seconds * 1000))
        key = int(number_hash[:15], 16)  # 60 bits: fits PostgreSQL's bigint
        # One round trip: the timeout is set (for this transaction only) in a subquery, which
        # PostgreSQL runs first because set_config is volatile, then the lock is waited for.
        run_plain(session, _LOCK, {"timeout": f"{timeout_ms}ms", "key": key})
        return
    session.execute(delete(Receipt).where(False))  # a write that touches nothing: the lock
