"""Delivering one outbox row through Twilio: safely, once, at the right time and rate.

Each call claims the row in its own short transaction, then sends, then records the result.
Running the same delivery twice is harmless: the second finds the row already claimed. The one
window that can repeat a text is a crash after Twilio accepted it and before the SID was saved;
the sweep then sends it again after LOST_SEND_AFTER_SECONDS (at most one duplicate per crash).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.channels.addresses import Address
from bot.channels.sender import OutboundSms, Sender, SendError
from bot.channels.sms import normalise, segment_info
from bot.core.inbound import WHATSAPP_WINDOW
from bot.runtime.clock import Clock, utc_now
from bot.runtime.config import Settings
from bot.runtime.crypto import Vault
from bot.runtime.loop_guard import LoopGuard
from bot.runtime.queue import JobQueue
from bot.runtime.quiet_hours import QuietHours
from bot.runtime.rate_limit import RateLimited, RateLimiter
from bot.store.db import Database
from bot.store.messages import save_message
from bot.store.models import Broadcast, OutboxMessage, Participant
from bot.store.outbox import OutboxTicket, cancel_pending_sends, claim_outbox_message

log = logging.getLogger(__name__)

#: Error code stored when Sgwrs itself stopped a send (no Twilio code applies).
STOPPED_BY_SGWRS = 0


@dataclass(frozen=True)
class _Send:
    row: OutboxMessage
    participant: Participant
    address: Address
    body: str


class Delivery:
    """Sends outbox rows; built once per process from the same services as everything else."""

    def __init__(
        self,
        *,
        settings: Settings,
        db: Database,
        vault: Vault,
        sender: Sender,
        limiter: RateLimiter,
        loop_guard: LoopGuard,
        queue: JobQueue,
        clock: Clock = utc_now,
    ) -> None:
        self.settings = settings
        self.db = db
        self.vault = vault
        self.sender = sender
        self.limiter = limiter
        self.loop_guard = loop_guard
        self.queue = queue
        self.clock = clock
        self.quiet_hours = QuietHours(
            settings.quiet_hours_start, settings.quiet_hours_end, settings.timezone
        )

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
            if send.address.channel == "whatsapp" and self._window_closed(send.participant):
                return self._hold_for_window(send)
            self.limiter.acquire(self._sender_key(send.address), segment_info(send.body).segments)
            result = self.sender.send(self._outbound(send.address, send.body))
        except RateLimited as limited:
            self._requeue(send.row.id, self.clock() + timedelta(seconds=limited.retry_after))
            return "rate_limited"
        except SendError as error:
            return self._failed(send, error)
        self._record_sent(send, result.sid, result.status)
        return "sent"

    def _claim(self, outbox_id: int) -> _Send | str:
        now = self.clock()
        with self.db.session() as session:
            if not claim_outbox_message(session, outbox_id, now):
                return "not_due"
            row = session.get(OutboxMessage, outbox_id)
            participant = session.get(Participant, row.participant_id) if row else None
            if row is None or participant is None:
                return "gone"
            if participant.opted_out:
                row.status, row.error_code = "cancelled", STOPPED_BY_SGWRS
                session.add(row)
                return "opted_out"
            number = self.vault.open(participant.number_encrypted)
            address = Address(participant.channel, number)
            body = normalise(self.vault.open(row.body_encrypted))
            return _Send(row, participant, address, body)

    def _must_wait(self, send: _Send) -> str | None:
        """Bulk texts wait out quiet hours, and broadcast texts wait while it is paused."""
        now = self.clock()
        row = send.row
        if row.broadcast_id is not None:
            with self.db.session() as session:
                broadcast = session.get(Broadcast, row.broadcast_id)
                if broadcast is not None and broadcast.status == "paused":
                    self._requeue(row.id, now, reschedule=False)
                    return "paused"
        if row.priority == "bulk" and self.quiet_hours.contains(now):
            self._requeue(row.id, self.quiet_hours.next_allowed(now))
            return "quiet_hours"
        return None

    def _requeue(self, outbox_id: int | None, at: datetime, *, reschedule: bool = True) -> None:
        with self.db.session() as session:
            row = session.get(OutboxMessage, outbox_id)
            if row is None:
                return
            row.status, row.not_before = "pending", at
            session.add(row)
            ticket = OutboxTicket.of(row)
        if reschedule:
            self.queue.enqueue([ticket])

    def _window_closed(self, participant: Participant) -> bool:
        last = participant.last_inbound_at
        return last is None or self.clock() - last > WHATSAPP_WINDOW

    def _hold_for_window(self, send: _Send) -> str:
        """Outside WhatsApp's 24 h window: an approved template asks them to reply; we wait."""
        language = send.participant.language or "cy"
        template = getattr(self.settings, f"whatsapp_template_{language}")
        if template:
            self._send_template(send, template)
        else:
            log.warning("whatsapp_template_missing language=%s", language)
        return self._finish(send, "held", None, outcome="held_for_window")

    def _send_template(self, send: _Send, template: str) -> None:
        """Best effort: if the template fails too, the text still waits for their next message."""
        try:
            self.sender.send(
                OutboundSms(
                    to=send.address.twilio,
                    from_=self._from(send.address),
                    messaging_service_sid=self.settings.twilio_messaging_service_sid or None,
                    status_callback=self._status_callback(),
                    content_sid=template,
                    content_variables={},
                )
            )
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
                participant = session.get(Participant, send.participant.id)
                if participant is not None and error.permanent_reason != "invalid_number":
                    participant.opted_out, participant.opted_out_at = True, self.clock()
                    session.add(participant)
                cancel_pending_sends(session, send.participant.id or 0, error.code or 0)
            return self._finish(send, "failed", error.code, outcome=error.permanent_reason)
        backoff = self.settings.retry_backoff
        if error.retryable and send.row.attempts <= len(backoff):
            delay = backoff[send.row.attempts - 1]
            with self.db.session() as session:
                row = session.get(OutboxMessage, send.row.id)
                if row is not None:
                    row.status, row.not_before, row.error_code = (
                        "pending",
                        self.clock() + delay,
                        error.code,
                    )
                    session.add(row)
                    ticket = OutboxTicket.of(row)
            self.queue.enqueue([ticket])
            return "retry"
        return self._finish(send, "failed", error.code, outcome="failed")

    def _finish(self, send: _Send, status: str, error_code: int | None, *, outcome: str) -> str:
        with self.db.session() as session:
            row = session.get(OutboxMessage, send.row.id)
            if row is not None:
                row.status, row.error_code = status, error_code
                session.add(row)
        log.info("outbox_%s outbox=%s", outcome, send.row.id)
        return outcome

    def _record_sent(self, send: _Send, sid: str, status: str) -> None:
        now = self.clock()
        with self.db.session() as session:
            row = session.get(OutboxMessage, send.row.id)
            if row is None:  # erased while we were sending: keep nothing
                return
            message = save_message(
                session,
                self.vault,
                participant_id=row.participant_id,
                conversation_id=None,
                direction="out",
                channel=send.address.channel,
                body=send.body,
                status=status,
                now=now,
                twilio_sid=sid,
            )
            row.status, row.sent_at, row.message_id = "sent", now, message.id
            session.add(row)
        log.info("outbox_sent outbox=%s sid=%s", send.row.id, sid)

    def _outbound(self, address: Address, body: str) -> OutboundSms:
        return OutboundSms(
            to=address.twilio,
            body=body,
            from_=self._from(address),
            messaging_service_sid=self.settings.twilio_messaging_service_sid or None,
            status_callback=self._status_callback(),
        )

    def _from(self, address: Address) -> str | None:
        if self.settings.twilio_messaging_service_sid:
            return None
        if address.channel == "whatsapp":
            return self.settings.twilio_from_whatsapp or None
        return self.settings.twilio_from_sms or None

    def _sender_key(self, address: Address) -> str:
        return self.settings.twilio_messaging_service_sid or self._from(address) or "default"

    def _status_callback(self) -> str:
        return self.settings.public_url.rstrip("/") + "/twilio/status"
