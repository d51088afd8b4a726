"""Delivering one outbox row through Twilio: safely, exactly once, at the right time and rate.

Each call claims the row in its own short transaction, notes the moment the attempt goes to
Twilio (in another, just before it goes), sends, then records the result. Running the same
delivery twice is harmless: the second finds the row already claimed.

A crash after Twilio accepted a text and before its SID was saved leaves the row `sending`
with its outcome unknown. After LOST_SEND_AFTER_SECONDS the sweep settles it by asking Twilio
(`settle_lost`): a message to that number, from that sender, with that body, created since the
attempt began and not already some other row's, is that send, and is recorded as if the send
had returned; only when Twilio has none is the row sent again. When Twilio cannot be asked,
the row stays unknown until it can: it is never sent blind. Each attempt is settled once,
whoever gets there first (the sender recording its answer, or the sweep).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.channels import whatsapp
from bot.channels.addresses import Address
from bot.channels.routing import TwilioRoutes
from bot.channels.sender import Sender, SendError
from bot.channels.sms import normalise, segment_info
from bot.core.opt_out import is_opted_out, opt_out
from bot.core.status import apply_early_statuses
from bot.runtime.clock import Clock, as_utc, utc_now
from bot.runtime.crypto import Vault
from bot.runtime.loop_guard import LoopGuard
from bot.runtime.queue import JobQueue
from bot.runtime.quiet_hours import QuietHours
from bot.runtime.rate_limit import RateLimited, RateLimiter
from bot.store.broadcasts import get_broadcast
from bot.store.db import Database, UnitOfWork
from bot.store.messages import save_message
from bot.store.models import OutboxMessage, Participant
from bot.store.outbox import (
    cancel_pending_sends,
    claim_outbox_message,
    finish_send,
    link_sent_message,
    list_lost_sends,
    mark_send_sent,
    recorded_sids,
    reschedule_send,
    settle_as_unsent,
    start_send_attempt,
)
from bot.store.participants import get_participant

log = logging.getLogger(__name__)

#: A claim this recent is when its attempt went to Twilio, near enough: far inside the time
#: after which the sweep asks Twilio about a send (LOST_SEND_AFTER_SECONDS, minutes).
FRESH_CLAIM = timedelta(seconds=1)

#: Error code stored when Sgwrs itself stopped a send (no Twilio code applies).
STOPPED_BY_SGWRS = 0

#: How much earlier than our clock Twilio's may say a lost send was created: the window asked
#: about starts this long before the attempt did.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class _Send:
    row: OutboxMessage
    participant: Participant
    address: Address
    body: str

    @property
    def outbox_id(self) -> int:
        assert self.row.id is not None
        return self.row.id


class Delivery:
    """Sends outbox rows; built once per process from the same services as everything else."""

    def __init__(
        self,
        *,
        db: Database,
        vault: Vault,
        sender: Sender,
        routes: TwilioRoutes,
        limiter: RateLimiter,
        loop_guard: LoopGuard,
        queue: JobQueue,
        quiet_hours: QuietHours,
        retry_backoff: tuple[timedelta, ...],
        whatsapp_templates: Mapping[str, str],
        clock: Clock = utc_now,
    ) -> None:
        self.db = db
        self.vault = vault
        self.sender = sender
        self.routes = routes
        self.limiter = limiter
        self.loop_guard = loop_guard
        self.queue = queue
        self.quiet_hours = quiet_hours
        self.retry_backoff = retry_backoff
        #: Language -> the approved Content template that asks a resident to reply.
        self.whatsapp_templates = whatsapp_templates
        self.clock = clock

    def deliver(self, outbox_id: int) -> str:
        """Send one row if it is still due; returns what happened (for logs and tests)."""
        send = self._claim(outbox_id)
        if isinstance(send, str):
            return send
        try:
            waiting = self._must_wait(send)
            if waiting:
                return waiting
            if send.row.attempts == 1 and not self.loop_guard.allow(
                f"participant:{send.participant.id}", send.body
            ):  # counted once per text, not once per try of the same text
                return self._finish(send, "failed", STOPPED_BY_SGWRS, outcome="loop_blocked")
            last_inbound = send.participant.last_inbound_at
            if send.address.channel == "whatsapp" and not whatsapp.window_open(
                last_inbound, self.clock()
            ):
                return self._hold_for_window(send)
            self.limiter.acquire(
                self.routes.rate_key(send.address), segment_info(send.body).segments
            )
            if not self._start_attempt(send):
                return "settled_elsewhere"
            result = self.sender.send(self.routes.text(send.address, send.body))
        except RateLimited as limited:
            self._requeue(send.outbox_id, self.clock() + timedelta(seconds=limited.retry_after))
            return "rate_limited"
        except SendError as error:
            return self._failed(send, error)
        self._record_sent(send, result.sid, result.status)
        return "sent"

    def _claim(self, outbox_id: int) -> _Send | str:
        now = self.clock()
        with self.db.session() as session:
            row = claim_outbox_message(session, outbox_id, now)
            if row is None:
                return "not_due"
            send = self._open(session, row)
            if send is None:
                return "gone"
            if is_opted_out(session, self.vault, send.participant):
                finish_send(session, outbox_id, "cancelled", STOPPED_BY_SGWRS)
                return "opted_out"
            return send

    def _open(self, session: UnitOfWork, row: OutboxMessage | None) -> _Send | None:
        """The row with its resident's address and the text as it goes (None if erased)."""
        participant = get_participant(session, row.participant_id) if row else None
        if row is None or participant is None:
            return None
        number = self.vault.open(participant.number_encrypted)
        address = Address(participant.channel, number)
        body = normalise(self.vault.open(row.body_encrypted))
        return _Send(row, participant, address, body)

    def _start_attempt(self, send: _Send) -> bool:
        """Committed before Twilio is called, so a crash from here on leaves the window known.

        The claim noted the time already: while it is fresh (no wait for the rate limit, no
        stall) that stands, and no transaction is spent on it. After longer, the attempt is
        noted again, and refused if the sweep settled it meanwhile."""
        claimed_at = send.row.claimed_at
        if claimed_at is not None and self.clock() - as_utc(claimed_at) < FRESH_CLAIM:
            return True
        with self.db.session() as session:
            return start_send_attempt(session, send.outbox_id, send.row.attempts, self.clock())

    # -- sends whose outcome a crash lost ----------------------------------------------------------

    def settle_lost(self, claimed_before: datetime) -> int:
        """Settle each send left `sending` since before `claimed_before` from Twilio's records;
        returns how many were settled (found at Twilio, or pending again to be sent)."""
        with self.db.session() as session:
            lost = list_lost_sends(session, claimed_before)
        settled = 0
        for row in lost:
            outcome = self._settle(row)
            log.warning("outbox_lost_send outbox=%s outcome=%s", row.id, outcome)
            settled += outcome != "unknown"
        return settled

    def _settle(self, row: OutboxMessage) -> str:
        assert row.id is not None
        assert row.claimed_at is not None
        with self.db.session() as session:
            send = self._open(session, row)
        if send is None:
            return "gone"
        since = as_utc(row.claimed_at) - CLOCK_SKEW
        try:
            found = self.sender.find_sent(self.routes.text(send.address, send.body), since)
        except SendError:
            return "unknown"  # Twilio could not say: ask again at the next sweep
        with self.db.session() as session:
            known = recorded_sids(session, [result.sid for result in found])
        copies = [result for result in found if result.sid not in known]
        if copies:
            self._record_sent(send, copies[0].sid, copies[0].status)
            return "found_at_twilio"
        with self.db.session() as session:
            settle_as_unsent(session, row.id, row.attempts)
        return "not_at_twilio"

    def _must_wait(self, send: _Send) -> str | None:
        """Bulk texts wait out quiet hours, and broadcast texts wait while it is paused."""
        now = self.clock()
        row = send.row
        if row.broadcast_id is not None:
            with self.db.session() as session:
                broadcast = get_broadcast(session, row.broadcast_id)
                if broadcast is not None and broadcast.status == "paused":
                    self._requeue(send.outbox_id, now, reschedule=False)
                    return "paused"
        if row.priority == "bulk" and self.quiet_hours.contains(now):
            self._requeue(send.outbox_id, self.quiet_hours.next_allowed(now))
            return "quiet_hours"
        return None

    def _requeue(
        self,
        outbox_id: int,
        at: datetime,
        *,
        reschedule: bool = True,
        error_code: int | None = None,
    ) -> None:
        with self.db.session() as session:
            ticket = reschedule_send(session, outbox_id, at, error_code=error_code)
        if ticket is not None and reschedule:
            self.queue.enqueue([ticket])

    def _hold_for_window(self, send: _Send) -> str:
        """Outside WhatsApp's 24 h window: an approved template asks them to reply; we wait."""
        template = whatsapp.template_for(send.participant.language, self.whatsapp_templates)
        if template:
            self._send_template(send, template)
        else:
            log.warning("whatsapp_template_missing language=%s", send.participant.language)
        return self._finish(send, "held", None, outcome="held_for_window")

    def _send_template(self, send: _Send, template: str) -> None:
        """Best effort: if the template fails too, the text still waits for their next message."""
        try:
            self.sender.send(self.routes.template(send.address, template))
        except SendError as error:
            log.warning("whatsapp_template_failed outbox=%s code=%s", send.row.id, error.code)

    def _failed(self, send: _Send, error: SendError) -> str:
        log.warning(
            "send_failed outbox=%s code=%s status=%s", send.row.id, error.code, error.status
        )
        if error.permanent_reason == "outside_window":
            return self._hold_for_window(send)
        if error.permanent_reason in {"opted_out", "blocked", "invalid_number"}:
            with self.db.session() as session:
                if error.permanent_reason == "invalid_number":
                    cancel_pending_sends(session, send.participant.id or 0, error.code or 0)
                else:
                    opt_out(
                        session,
                        self.vault,
                        send.participant,
                        "carrier",
                        self.clock(),
                        error_code=error.code or 0,
                    )
            return self._finish(send, "failed", error.code, outcome=error.permanent_reason)
        backoff = self.retry_backoff
        if error.retryable and send.row.attempts <= len(backoff):
            delay = backoff[send.row.attempts - 1]
            self._requeue(send.outbox_id, self.clock() + delay, error_code=error.code)
            return "retry"
        return self._finish(send, "failed", error.code, outcome="failed")

    def _finish(self, send: _Send, status: str, error_code: int | None, *, outcome: str) -> str:
        with self.db.session() as session:
            finish_send(session, send.outbox_id, status, error_code)
        log.info("outbox_%s outbox=%s", outcome, send.row.id)
        return outcome

    def _record_sent(self, send: _Send, sid: str, status: str) -> None:
        """The send's answer and its transcript copy with the SID, in one transaction; nothing
        when the row was erased meanwhile, or this attempt was already settled."""
        now = self.clock()
        with self.db.session() as session:
            # Not marked when the row was erased while we were sending (keep nothing), or
            # this attempt was settled by the sweep meanwhile.
            if not mark_send_sent(session, send.outbox_id, send.row.attempts, now):
                return
            message = save_message(
                session,
                self.vault,
                participant_id=send.row.participant_id,
                conversation_id=None,
                direction="out",
                channel=send.address.channel,
                body=send.body,
                status=status,
                now=now,
                twilio_sid=sid,
            )
            apply_early_statuses(session, self.vault, message, now)
            link_sent_message(session, send.outbox_id, message.id)
        log.info("outbox_sent outbox=%s sid=%s", send.row.id, sid)
