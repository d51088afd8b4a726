"""Queries for the "you said, we did" page: broadcasts with their progress, in two queries,
and the broadcasts with texts still waiting to go."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, func, select

from bot.store.broadcasts import targeting_of
from bot.store.models import Broadcast, OutboxMessage
from bot.store.recipients import Targeting

#: Outbox statuses of a send that has not finished yet.
UNFINISHED = ("pending", "sending")


@dataclass(frozen=True)
class ListedBroadcast:
    id: int
    flow_id: str
    body_cy: str
    body_en: str
    #: As stored: draft, sending, paused or done
    stored_status: str
    created_by: str
    created_at: datetime
    started_at: datetime | None
    targeting: Targeting = field(default_factory=Targeting)
    #: Outbox rows by status (pending, sending, sent, held, failed, cancelled)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def unfinished(self) -> int:
        return sum(self.counts.get(status, 0) for status in UNFINISHED)

    @property
    def status(self) -> str:
        """'done' once a sending broadcast has nothing left to send, as Broadcasts.progress says."""
        if self.stored_status == "sending" and not self.unfinished:
            return "done"
        return self.stored_status


def count_broadcasts(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Broadcast)).one()


def list_broadcasts(session: Session, *, limit: int, offset: int) -> list[ListedBroadcast]:
    """Newest first, each with its sends counted by status."""
    rows = session.exec(
        select(Broadcast)
        .order_by(col(Broadcast.created_at).desc(), col(Broadcast.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    ids = [row.id for row in rows if row.id is not None]
    counts: dict[int, dict[str, int]] = {}
    if ids:
        statement = (
            select(OutboxMessage.broadcast_id, OutboxMessage.status, func.count())
            .where(col(OutboxMessage.broadcast_id).in_(ids))
            .group_by(col(OutboxMessage.broadcast_id), col(OutboxMessage.status))
        )
        for broadcast_id, status, number in session.exec(statement):
            counts.setdefault(broadcast_id or 0, {})[status] = number
    return [
        ListedBroadcast(
            id=row.id or 0,
            flow_id=row.flow_id,
            body_cy=row.body_cy,
            body_en=row.body_en,
            stored_status=row.status,
            created_by=row.created_by,
            created_at=row.created_at,
            started_at=row.started_at,
            targeting=targeting_of(row),
            counts=counts.get(row.id or 0, {}),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class WaitingBroadcast:
    id: int
    flow_id: str
    #: Its texts not sent yet (pending in the outbox)
    waiting: int


def list_waiting_broadcasts(session: Session) -> list[WaitingBroadcast]:
    """Sending broadcasts with texts still pending, oldest first: what quiet hours hold back."""
    statement = (
        select(Broadcast.id, Broadcast.flow_id, func.count())
        .join(OutboxMessage, col(OutboxMessage.broadcast_id) == col(Broadcast.id))
        .where(Broadcast.status == "sending", OutboxMessage.status == "pending")
        .group_by(col(Broadcast.id), col(Broadcast.flow_id))
        .order_by(col(Broadcast.id))
    )
    return [
        WaitingBroadcast(broadcast_id or 0, flow_id, waiting)
        for broadcast_id, flow_id, waiting in session.exec(statement)
    ]
