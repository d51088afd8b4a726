"""Queries that write broadcasts ("you said, we did"); the admin's list is in broadcast_list."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.store.models import Broadcast
from bot.store.recipients import Targeting


def add_broadcast(
    session: Session,
    *,
    flow_id: str,
    body_cy: str,
    body_en: str,
    created_by: str,
    targeting: Targeting,
) -> int:
    broadcast = Broadcast(
        flow_id=flow_id,
        body_cy=body_cy,
        body_en=body_en,
        created_by=created_by,
        audience=targeting.audience,
        partner_code=targeting.partner_code,
        language=targeting.language,
    )
    session.add(broadcast)
    session.flush()
    assert broadcast.id is not None
    return broadcast.id


def get_broadcast(session: Session, broadcast_id: int) -> Broadcast | None:
    return session.get(Broadcast, broadcast_id)


def targeting_of(broadcast: Broadcast) -> Targeting:
    """Who the broadcast was made for, as it was previewed."""
    return Targeting(broadcast.audience, broadcast.partner_code, broadcast.language)


def set_broadcast_status(
    session: Session, broadcast: Broadcast, status: str, *, started_at: datetime | None = None
) -> None:
    broadcast.status = status
    if started_at is not None and broadcast.started_at is None:
        broadcast.started_at = started_at
    session.add(broadcast)
