"""The audit log's one way in: every officer action that reveals or changes something.

Targets are ids, never numbers or messages, so the log itself holds no resident's words.
"""

from __future__ import annotations

from bot.runtime.clock import utc_now
from bot.store.audit import add_audit_event
from bot.store.db import UnitOfWork


def record_event(
    session: UnitOfWork, user_id: int | None, action: str, target: str = "", detail: str = ""
) -> None:
    add_audit_event(
        session, at=utc_now(), user_id=user_id, action=action, target=target, detail=detail
    )
