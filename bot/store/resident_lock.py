"""The per-resident lock: one resident's texts and timers are handled one at a time, in order.

Twilio can deliver two texts from the same person at once; without it both would read the same
state and one answer would be lost. It lives in the database, not Redis, so a Redis outage never
costs a text, and it is transaction-scoped, so it is safe behind PgBouncer in transaction mode.
"""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import Session, func

from bot.store.models import Receipt


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
        session.execute(func.set_config("lock_timeout", f"{timeout_ms}ms", True).select())
        key = int(number_hash[:15], 16)  # 60 bits: fits PostgreSQL's bigint
        session.execute(func.pg_advisory_xact_lock(key).select())
        return
    session.execute(delete(Receipt).where(False))  # a write that touches nothing: the lock
