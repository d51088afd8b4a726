"""The health check: is the service able to take texts and send them, and is it keeping up?

A load balancer needs only up or down; an operator needs to know that texts are piling up
before residents notice (the backlog, the age of the oldest unsent text, texts whose handling
failed and wait for the sweep). The web layer decides who may see which.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

from bot.runtime.clock import Clock, as_utc, utc_now
from bot.store.db import Database
from bot.store.health import outbox_backlog
from bot.store.receipts import count_receipts


@dataclass(frozen=True)
class Health:
    db: str
    #: ok, down, or inline (no Redis: this process sends)
    queue: str
    #: Texts due and not yet sent, and the age in seconds of the oldest of them.
    outbox_backlog: int | None = None
    oldest_unsent_seconds: int | None = None
    #: Residents' texts kept when their handling failed, waiting for the sweep; and those that
    #: failed every try (an officer should look: see the log by receipt).
    texts_waiting: int | None = None
    texts_failed: int | None = None

    @property
    def healthy(self) -> bool:
        return self.db == "ok" and self.queue != "down"

    def details(self) -> dict[str, object]:
        return {"status": "ok" if self.healthy else "down", **asdict(self)}


def check_health(
    db: Database, queue_status: Callable[[], str], clock: Clock = utc_now, *, details: bool
) -> Health:
    """Up or down; with `details`, also the counts an operator reads (a load balancer polling
    every few seconds gets only the ping, not three counting queries)."""
    queue = queue_status()
    if not db.ping():
        return Health(db="down", queue=queue)
    if not details:
        return Health("ok", queue)
    now = clock()
    with db.session() as session:
        backlog, oldest = outbox_backlog(session, now)
        waiting = count_receipts(session, "pending")
        failed = count_receipts(session, "failed")
    age = None if oldest is None else max(0, int((now - as_utc(oldest)).total_seconds()))
    return Health("ok", queue, backlog, age, waiting, failed)
