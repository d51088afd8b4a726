"""The sweep: finds work the database says is due and hands it on again.

Redis may lose jobs (a restart, a flush, a killed worker); the database never does. Every
`SWEEP_INTERVAL_SECONDS` the worker (or the embedded pump) runs this, so nothing waits for ever.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from bot.runtime.clock import Clock, utc_now
from bot.runtime.queue import JobQueue
from bot.store.db import Database
from bot.store.messages import delete_old_receipts
from bot.store.outbox import OutboxTicket, due_sends, recover_lost_sends
from bot.store.participants import erase_participant, list_participants_to_purge
from bot.store.timers import delete_finished_timers, due_timers

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DueWork:
    sends: list[OutboxTicket]
    timers: list[int]
    recovered: int


def find_due_work(db: Database, lost_after: timedelta, clock: Clock = utc_now) -> DueWork:
    """Due sends and timers, after putting sends lost in a crash (older than `lost_after`) back."""
    now = clock()
    with db.session() as session:
        recovered = recover_lost_sends(session, now - lost_after)
    with db.session() as session:
        sends = due_sends(session, now)
        timers = [timer_id for timer_id, _due in due_timers(session, now)]
    if recovered:
        log.warning("sweep_recovered_lost_sends count=%s", recovered)
    return DueWork(sends, timers, recovered)


#: How long idempotency receipts and finished timers are kept.
HOUSEKEEPING_AFTER = timedelta(days=7)


def purge_old_data(db: Database, retention: timedelta, clock: Clock = utc_now) -> int:
    """Erase residents past the retention period, and drop old receipts and timers.

    Returns how many residents were erased. Runs in small batches so a sweep stays short.
    """
    now = clock()
    with db.session() as session:
        expired = list_participants_to_purge(session, now - retention)
        for participant_id in expired:
            erase_participant(session, participant_id)
        delete_old_receipts(session, now - HOUSEKEEPING_AFTER)
        delete_finished_timers(session, now - HOUSEKEEPING_AFTER)
    if expired:
        log.info("retention_purged participants=%s", len(expired))
    return len(expired)


class Sweep:
    """The sweep as the worker and the embedded pump run it, with the settings it needs."""

    def __init__(
        self,
        *,
        db: Database,
        queue: JobQueue,
        lost_after: timedelta,
        retention: timedelta,
        clock: Clock = utc_now,
    ) -> None:
        self.db = db
        self.queue = queue
        #: A send claimed this long ago belonged to a worker that died.
        self.lost_after = lost_after
        #: Residents silent for this long are erased.
        self.retention = retention
        self.clock = clock

    def due_work(self) -> DueWork:
        return find_due_work(self.db, self.lost_after, self.clock)

    def purge(self) -> int:
        return purge_old_data(self.db, self.retention, self.clock)

    def run(self) -> dict[str, int]:
        """Hand every due send and timer to the queue again (it skips live jobs)."""
        purged = self.purge()
        work = self.due_work()
        self.queue.enqueue(work.sends)
        now = self.clock()
        for timer_id in work.timers:
            self.queue.enqueue_timer(timer_id, now)
        return {
            "sends": len(work.sends),
            "timers": len(work.timers),
            "recovered": work.recovered,
            "purged": purged,
        }
