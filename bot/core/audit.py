"""The audit log's one way in: every officer action that reveals or changes something.

Targets are ids, never numbers or messages. What an officer typed (why they revealed a number)
comes sealed, because free text can name a resident; erasing the resident drops it.
"""

from __future__ import annotations

from bot.runtime.clock import utc_now
from bot.store.audit import add_audit_event
from bot.store.db import UnitOfWork


def record_event(
    session: UnitOfWork,
    user_id: int | None,
    action: str,
    target: str = "",
    detail: str = "",
    *,
    sealed_reason: str | None = None,
) -> None:
    """`detail` is the service's own words (counts, ids); `sealed_reason` a person's, sealed."""
    add_audit_event(
        session,
        at=utc_now(),
        user_id=user_id,
        action=action,
        target=target,
        detail=detail,
        reason_encrypted=sealed_reason,
    )
