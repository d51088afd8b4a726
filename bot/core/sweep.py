"""The sweep: finds work the database says is due and hands it on again.

Redis may lose jobs (a restart, a flush, a killed worker); the database never does. Every
`SWEEP_INTERVAL_SECONDS` the worker (or the embedded pump) runs this, so nothing waits for ever:
after Redis comes back empty, every unsent row the database holds is queued again. A send a
crash left with its outcome unknown is settled by asking Twilio first (bot.core.delivery).
Once a day it also runs the retention purge (bot.core.retention). Callers' recordings still to
fetch from Twilio, or to delete there, are queued again too (bot.core.recordings).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from bot.core.delivery import Delivery
from bot.core.inbound import InboundDesk
from bot.core.recordings import RecordingDesk
from bot.core.retention import PurgeReport, purge_if_due
from bot.runtime.clock import Clock, utc_now
from bot.runtime.queue import JobQueue
from bot.store.db import Database
from bot.store.outbox import OutboxTicket, due_sends
from bot.store.timers import due_timers

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DueWork:
    sends: list[OutboxTicket]
    timers: list[int]
    recovered: int


def find_due_work(
    db: Database, delivery: Delivery, lost_after: timedelta, clock: Clock = utc_now
) -> DueWork:
    """Due sends and timers, after settling sends lost in a crash (claimed before `lost_after`
    ago): those Twilio never had are among the due sends."""
    now = clock()
    recovered = delivery.settle_lost(now - lost_after)
    with db.session() as session:
        sends = due_sends(session, now)
        timers = [timer_id for timer_id, _due in due_timers(session, now)]
    return DueWork(sends, timers, recovered)


class Sweep:
    """The sweep as the worker and the embedded pump run it, with the settings it needs."""

    def __init__(
        self,
        *,
        db: Database,
        queue: JobQueue,
        delivery: Delivery,
        inbound: InboundDesk,
        lost_after: timedelta,
        retention: timedelta,
        clock: Clock = utc_now,
        recordings: RecordingDesk | None = None,
    ) -> None:
        self.db = db
        self.recordings = recordings
        self.queue = queue
        self.delivery = delivery
        self.inbound = inbound
        #: A send claimed this long ago belonged to a worker that died.
        self.lost_after = lost_after
        #: Residents silent for this long are erased.
        self.retention = retention
        self.clock = clock

    def due_work(self) -> DueWork:
        return find_due_work(self.db, self.delivery, self.lost_after, self.clock)

    def rerun_deferred(self) -> int:
        """Texts whose handling failed when they came (their receipts wait, pending), handled
        now (bot.core.inbound says how long a text is left to its own try first)."""
        return self.inbound.rerun_pending()

    def purge(self) -> PurgeReport | None:
        """The retention purge when a day has passed since it last ran; None when not due."""
        return purge_if_due(self.db, self.queue, self.retention, self.clock)

    def run(self) -> dict[str, int]:
        """Hand every due send and timer to the queue again (it skips live jobs), after the
        retention purge when it is due."""
        purged = self.purge()
        deferred = self.rerun_deferred()
        work = self.due_work()
        self.queue.enqueue(work.sends)
        now = self.clock()
        for timer_id in work.timers:
            self.queue.enqueue_timer(timer_id, now)
        recordings = self.recordings.enqueue_due() if self.recordings else {}
        return {
            "sends": len(work.sends),
            "timers": len(work.timers),
            "recovered": work.recovered,
            "purged": purged.residents if purged else 0,
            "deferred_texts": deferred,
            **recordings,
        }
