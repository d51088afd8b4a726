"""The retention purge: once a day, residents silent for RETENTION_DAYS are erased.

"Silent" means no text from them for that long (the council's own texts do not count). Each
resident goes through the same erasure as DELETE (bot.store.participants.erase_participants,
then bot.core.rights.finish_erasure): their participant row, conversations, messages, answers
and theme tags, questions, outbox and timers, officers' notes and call-backs about them, their
queued jobs, and (SQLite) the freed pages.
Residents go in batches, one transaction each, and each batch first adds what its residents
counted for on the overview to `retained_totals`, so the overview's figures are the same after
the purge as before. Erasure a resident asks for adds nothing there.

The same run empties inbound receipts and deletes finished timers after a week (never later
than the retention period, whatever that week becomes): a receipt then keeps only its SID's
digest, so a replay of any age is still a no-op. It also takes the officer's own words out of
audit entries older than the retention period (the event itself stays).

Kept on purpose: the opt-out list (`opt_outs`). It is what stops us texting a number that said
STOP again, so it has to outlive the resident's erasure; it holds only the encrypted number,
its keyed hash, where the opt-out came from and when.

`housekeeping_runs` records each run, so however many workers sweep, and across restarts, it
happens once a day; `sgwrs purge` runs it at once, or with --dry-run says what it would do.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.core.form_tokens import forget_spent_tokens
from bot.core.rights import finish_erasure
from bot.runtime.clock import Clock, utc_now
from bot.runtime.queue import JobQueue
from bot.store.audit import clear_old_audit_reasons
from bot.store.counts import count_tally
from bot.store.db import Database, UnitOfWork
from bot.store.early_statuses import delete_old_early_statuses
from bot.store.participants import ErasedWork, erase_participants, list_participants_to_purge
from bot.store.receipts import clear_old_receipts
from bot.store.retention import (
    add_retained_totals,
    claim_run,
    count_personal_rows,
    lock_for_purge,
    rehearsal,
)
from bot.store.timers import delete_finished_timers

log = logging.getLogger(__name__)

#: The run's name in housekeeping_runs, and how often it is due.
RUN_NAME = "retention_purge"
EVERY = timedelta(days=1)
#: How long receipts keep their reply, and finished timers are kept: Twilio retries within
#: minutes.
HOUSEKEEPING_AFTER = timedelta(days=7)

Units = Callable[[], AbstractContextManager[UnitOfWork]]
#: What happens once a batch's erasure has committed.
AfterBatch = Callable[[ErasedWork], None]


@dataclass(frozen=True)
class PurgeReport:
    """What a purge erased, or in a dry run would erase: counts only."""

    #: Residents silent since before this were erased.
    cutoff: datetime
    residents: int = 0
    #: Rows about those residents, by table (their participant rows included).
    rows: dict[str, int] = field(default_factory=dict)
    receipts: int = 0
    timers: int = 0
    #: Spent one-time form tokens past their lifetime (refused anyway, so no use kept).
    form_tokens: int = 0
    #: Delivery reports for SIDs no send of ours claimed.
    early_statuses: int = 0
    #: Audit entries whose officer's words were taken out.
    audit_reasons: int = 0

    def plus(self, rows: dict[str, int]) -> PurgeReport:
        added = {table: self.rows.get(table, 0) + n for table, n in rows.items()}
        return replace(self, residents=self.residents + rows["participants"], rows=added)


def purge_if_due(
    db: Database, queue: JobQueue, retention: timedelta, clock: Clock = utc_now
) -> PurgeReport | None:
    """The daily purge, when a day has passed since it last ran anywhere; None when not due.

    The run is claimed before it starts, so two workers never run it at once; one that fails
    part-way is logged by the loop and picks up the rest the next day.
    """
    now = clock()
    with db.session() as session:
        if not claim_run(session, RUN_NAME, now, every=EVERY):
            return None
    return purge(db, queue, retention, now)


def purge(db: Database, queue: JobQueue, retention: timedelta, now: datetime) -> PurgeReport:
    """Erase everyone past the retention period now, whether or not today's run was done."""
    report = _run(db.session, lambda work: finish_erasure(db, queue, work), retention, now)
    if report.residents or report.receipts or report.audit_reasons:
        log.info(
            "retention_purged participants=%s rows=%s receipts=%s timers=%s audit_reasons=%s",
            report.residents,
            sum(report.rows.values()),
            report.receipts,
            report.timers,
            report.audit_reasons,
        )
    return report


def preview_purge(db: Database, retention: timedelta, clock: Clock = utc_now) -> PurgeReport:
    """What `purge` would erase now: it runs in one transaction that is then rolled back."""
    with rehearsal(db) as session:
        return _run(lambda: nullcontext(session), lambda _work: None, retention, clock())


def _run(units: Units, after: AfterBatch, retention: timedelta, now: datetime) -> PurgeReport:
    """Batches until no one is left past the cut-off, then receipts, timers and audit words."""
    report = PurgeReport(cutoff=now - retention)
    while True:
        with units() as session:
            batch = _purge_batch(session, report.cutoff)
        if batch is None:
            break
        rows, work = batch
        after(work)
        report = report.plus(rows)
    tidy_before = now - min(HOUSEKEEPING_AFTER, retention)
    with units() as session:
        return replace(
            report,
            receipts=clear_old_receipts(session, tidy_before),
            timers=delete_finished_timers(session, tidy_before),
            early_statuses=delete_old_early_statuses(session, tidy_before),
            audit_reasons=clear_old_audit_reasons(session, report.cutoff),
            form_tokens=forget_spent_tokens(session, now),
        )


def _purge_batch(session: UnitOfWork, cutoff: datetime) -> tuple[dict[str, int], ErasedWork] | None:
    """Keep one batch's totals, then erase its residents; the rows erased and the jobs that
    pointed at them, or None if no one (not held by another purge) is left."""
    groups = lock_for_purge(session, list_participants_to_purge(session, cutoff))
    if not groups:
        return None
    ids = [participant_id for group in groups for participant_id in group.participant_ids]
    rows = count_personal_rows(session, ids)
    for group in groups:
        tally = count_tally(session, participant_ids=group.participant_ids)
        add_retained_totals(session, group, tally)
    return rows, erase_participants(session, ids)
