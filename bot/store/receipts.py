"""Queries about inbound receipts: the durable record of every MessageSid Twilio gave us.

A receipt is written and committed before its text is handled, so the text survives anything
that fails afterwards; `claim_receipt` inside the handling transaction makes handling it twice
impossible. SIDs are kept as SHA-256 digests: random 128-bit ids cannot be guessed back, and
the receipt outlives the resident's data without pointing at Twilio's copy of their text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from bot.store.db import insert_new, run_plain
from bot.store.models import Receipt

#: Tries before a text that keeps failing is set aside as `failed` (kept, and counted by
#: /healthz), so one bad text never blocks a resident's later ones.
MAX_ATTEMPTS = 5


def receipt_key(message_sid: str) -> str:
    return hashlib.sha256(message_sid.encode("utf-8")).hexdigest()


def record_receipt(
    session: Session, sid_hash: str, number_hash: str, inbound_encrypted: str, now: datetime
) -> bool:
    """Insert a pending receipt; False when this SID was already recorded (a retry or replay).

    One statement either way (INSERT … ON CONFLICT DO NOTHING), so two deliveries of the same
    SID at once can never both be taken as new.
    """
    values = {
        "sid_hash": sid_hash,
        "status": "pending",
        "number_hash": number_hash,
        "inbound_encrypted": inbound_encrypted,
        "attempts": 0,
        "created_at": now,
    }
    statement = insert_new(session, Receipt).values(**values).returning(col(Receipt.sid_hash))
    return run_plain(session, statement).first() is not None


def get_receipt(session: Session, sid_hash: str) -> Receipt | None:
    return session.get(Receipt, sid_hash)


def claim_receipt(session: Session, sid_hash: str) -> Receipt | None:
    """The receipt if it is still pending, now this transaction's to handle; else None."""
    return session.execute(
        update(Receipt)
        .where(col(Receipt.sid_hash) == sid_hash, col(Receipt.status) == "pending")
        .values(attempts=Receipt.attempts + 1)
        .returning(Receipt)
    ).scalar_one_or_none()


def pending_receipts_before(
    session: Session, number_hashes: Sequence[str], receipt: Receipt, stale_before: datetime
) -> list[str]:
    """Older texts from the same number that are waiting because their own try failed or was
    cut short (tried before, or older than `stale_before`): handled first, so a resident's
    texts take effect in the order they sent them. A text whose own request is still under
    way is left to it, so it can still answer in its own reply."""
    statement = (
        select(Receipt.sid_hash)
        .where(col(Receipt.number_hash).in_(number_hashes), Receipt.status == "pending")
        .where(col(Receipt.created_at) <= receipt.created_at, Receipt.sid_hash != receipt.sid_hash)
        .where((col(Receipt.attempts) > 0) | (col(Receipt.created_at) < stale_before))
        .order_by(col(Receipt.created_at), col(Receipt.sid_hash))
    )
    return list(run_plain(session, statement).scalars())


def finish_receipt(session: Session, receipt: Receipt, reply: str | None, now: datetime) -> None:
    """Handled: the text itself is now in the resident's messages (or deliberately not kept)."""
    receipt.status = "handled"
    receipt.reply = reply
    receipt.inbound_encrypted = None
    receipt.number_hash = None
    receipt.handled_at = now
    session.add(receipt)


def note_failed_attempt(session: Session, sid_hash: str) -> str:
    """Count a try that failed (its own transaction rolled back); returns the new status."""
    session.execute(
        update(Receipt)
        .where(col(Receipt.sid_hash) == sid_hash, col(Receipt.status) == "pending")
        .values(attempts=Receipt.attempts + 1)
    )
    session.execute(
        update(Receipt)
        .where(col(Receipt.sid_hash) == sid_hash, col(Receipt.status) == "pending")
        .where(col(Receipt.attempts) >= MAX_ATTEMPTS)
        .values(status="failed")
    )
    receipt = session.get(Receipt, sid_hash)
    return receipt.status if receipt is not None else "gone"


def stale_pending_receipts(session: Session, older_than: datetime, limit: int = 200) -> list[str]:
    """Texts whose try failed, or was cut short (pending since before `older_than`), oldest
    first: the sweep runs them again."""
    statement = (
        select(Receipt.sid_hash)
        .where(Receipt.status == "pending")
        .where((col(Receipt.attempts) > 0) | (col(Receipt.created_at) < older_than))
        .order_by(col(Receipt.created_at))
        .limit(limit)
    )
    return list(session.exec(statement))


def count_receipts(session: Session, status: str) -> int:
    statement = select(func.count()).select_from(Receipt).where(Receipt.status == status)
    return session.exec(statement).one()


def forget_pending_texts(session: Session, number_hashes: Sequence[str]) -> int:
    """Erasure: texts from this number not yet handled are dropped, never handled later."""
    result = session.execute(
        update(Receipt)
        .where(col(Receipt.number_hash).in_(number_hashes))
        .values(status="handled", inbound_encrypted=None, number_hash=None)
    )
    return result.rowcount


def clear_old_receipts(session: Session, older_than: datetime) -> int:
    """After a week Twilio no longer retries: keep only the digest, so a replay of any age is
    still recognised. Texts that failed every try keep nothing either once that old."""
    result = session.execute(
        update(Receipt)
        .where(col(Receipt.created_at) < older_than, col(Receipt.status) != "pending")
        .where((col(Receipt.reply).is_not(None)) | (col(Receipt.inbound_encrypted).is_not(None)))
        .values(reply=None, inbound_encrypted=None, number_hash=None)
    )
    return result.rowcount
