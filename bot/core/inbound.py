"""The inbound desk: runs one resident's text or timer through the engine and stores the result.

With bot/core/effects.py it is the one place where engine outputs become database rows. The
webhook, the `sgwrs chat` simulator and the tests all call `receive`, so they run the same code.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import engine
from bot.channels import whatsapp
from bot.channels.addresses import Address
from bot.core.effects import TurnEffects
from bot.core.opt_out import number_hashes
from bot.core.rights import finish_erasure
from bot.engine.events import (
    Inbound,
    OptOutType,
    Timeout,
    Turn,
)
from bot.engine.state import SessionState
from bot.flowspec.model import FlowLibrary
from bot.runtime.clock import Clock, utc_now
from bot.runtime.crypto import Vault
from bot.runtime.locks import Locks
from bot.runtime.queue import JobQueue
from bot.store.db import Database, UnitOfWork
from bot.store.messages import get_receipt, save_conversation_message, save_receipt
from bot.store.models import Participant, Timer
from bot.store.opt_outs import is_number_opted_out
from bot.store.outbox import OutboxTicket, release_held_sends
from bot.store.participants import (
    create_participant,
    get_current_participant,
    get_participant,
    read_state,
)
from bot.store.timers import cancel_timers, claim_timer, replace_timers

log = logging.getLogger(__name__)

#: Twilio's OptOutType values, as the engine names them.
OPT_OUT_TYPES: dict[str, OptOutType] = {"STOP": "stop", "START": "start", "HELP": "help"}


@dataclass(frozen=True)
class InboundMessage:
    """A text as Twilio hands it over (already verified by the caller)."""

    message_sid: str
    sender: Address
    body: str
    num_media: int = 0
    #: Twilio's OptOutType field as sent (STOP, START, HELP) when its opt-out handling is on.
    opt_out_type: str = ""


@dataclass(frozen=True)
class InboundResult:
    reply: str | None
    #: True when this MessageSid was handled before: the same reply, nothing changed.
    duplicate: bool = False


class InboundDesk:
    """Handles residents' messages, one resident at a time, storing everything in one commit."""

    def __init__(
        self,
        *,
        db: Database,
        library: FlowLibrary,
        vault: Vault,
        locks: Locks,
        queue: JobQueue,
        clock: Clock = utc_now,
        resume_after: timedelta = engine.DEFAULT_RESUME_AFTER,
        reminder_after: timedelta = timedelta(hours=24),
        expire_after: timedelta = timedelta(hours=72),
    ) -> None:
        self.db = db
        self.library = library
        self.vault = vault
        self.locks = locks
        self.queue = queue
        self.clock = clock
        self.resume_after = resume_after
        self.reminder_after = reminder_after
        self.expire_after = expire_after

    def receive(self, message: InboundMessage, *, is_test: bool = False) -> InboundResult:
        hashes = self.vault.number_hashes(message.sender.number)
        with self.locks.hold(f"participant:{hashes[0]}"), self.db.session() as session:
            receipt = get_receipt(session, message.message_sid)
            if receipt is not None:
                log.info("msg_duplicate sid=%s", message.message_sid)
                return InboundResult(receipt.reply, duplicate=True)
            now = self.clock()
            participant = get_current_participant(session, hashes, message.sender.channel)
            state = self._state_of(session, participant, hashes, message.body, now)
            turn = engine.step(
                self.library,
                state,
                Inbound(
                    message.body,
                    message.num_media,
                    opt_out_type=OPT_OUT_TYPES.get(message.opt_out_type.upper()),
                ),
                now=now,
                resume_after=self.resume_after,
            )
            if participant is None:
                participant = create_participant(
                    session,
                    number_hash=hashes[0],
                    number_encrypted=self.vault.seal(message.sender.number),
                    channel=message.sender.channel,
                    now=now,
                    is_test=is_test,
                )
            self._record_inbound(session, participant, message, now)
            effects = TurnEffects(
                self.library, self.vault, session, participant, now, replies="twiml"
            )
            effects.apply(turn)
            save_receipt(session, message.message_sid, turn.reply, now)
            if effects.erased is None:
                tickets = release_held_sends(session, effects.participant_id, now)
                timers = self._set_timers(session, effects.participant_id, turn, now)
            log.info(
                "msg_received sid=%s participant=%s outputs=%s",
                message.message_sid,
                participant.id,
                ",".join(type(output).__name__ for output in turn.outputs),
            )
        if effects.erased is None:
            self._dispatch(tickets, timers)
        else:
            finish_erasure(self.db, self.queue, effects.erased)
        return InboundResult(turn.reply)

    def _state_of(
        self,
        session: UnitOfWork,
        participant: Participant | None,
        hashes: tuple[str, ...],
        text: str,
        now: datetime,
    ) -> SessionState | None:
        """The participant's state, opted out exactly when their number is: STOP from anyone
        who shared the phone, or on another channel, or from the carrier, silences them too."""
        opted_out = is_number_opted_out(session, hashes)
        if participant is None:
            return (
                engine.start_state(self.library, text, now).but(opted_out=True)
                if opted_out
                else None
            )
        return SessionState.from_json(read_state(self.vault, participant)).but(opted_out=opted_out)

    def fire_timer(self, timer_id: int) -> str:
        """A reminder or expiry fell due: run it through the engine like any other event."""
        now = self.clock()
        with self.db.session() as session:
            timer = claim_timer(session, timer_id, now)
            participant = get_participant(session, timer.participant_id) if timer else None
        if timer is None or participant is None:
            return "not_due"
        if timer.kind == "reminder" and not self._may_remind(participant, now):
            return "skipped"
        # The lock a text from them takes: the current key's hash, whatever hash is stored.
        lock = f"participant:{number_hashes(self.vault, participant)[0]}"
        with self.locks.hold(lock), self.db.session() as session:
            participant = get_participant(session, timer.participant_id)
            if participant is None or participant.closed_at is not None:
                return "gone"
            turn = engine.step(
                self.library,
                SessionState.from_json(read_state(self.vault, participant)),
                Timeout(timer.kind, timer.step_id),  # type: ignore[arg-type]
                now=now,
            )
            effects = TurnEffects(
                self.library, self.vault, session, participant, now, replies="outbox"
            )
            effects.apply(turn)
        self._dispatch(effects.tickets, [])
        log.info("timer_fired timer=%s kind=%s sent=%s", timer_id, timer.kind, bool(turn.reply))
        return "sent" if turn.reply else "nothing"

    def _may_remind(self, participant: Participant, now: datetime) -> bool:
        """No reminders to residents who opted out, or on WhatsApp once its window has closed."""
        if participant.channel == "whatsapp":
            return whatsapp.window_open(participant.last_inbound_at, now)
        return True

    def _set_timers(
        self, session: UnitOfWork, participant_id: int, turn: Turn, now: datetime
    ) -> list[Timer]:
        """While a resident is mid-flow, keep one reminder and one expiry ahead of them."""
        if turn.state.status != "active":
            cancel_timers(session, participant_id)
            return []
        return replace_timers(
            session,
            participant_id,
            turn.state.step_id,
            now,
            reminder_after=self.reminder_after,
            expire_after=self.expire_after,
        )

    def _dispatch(self, tickets: list[OutboxTicket], timers: list[Timer]) -> None:
        """After commit only: a job must never run before the row it points to exists."""
        self.queue.enqueue(tickets)
        for timer in timers:
            assert timer.id is not None
            self.queue.enqueue_timer(timer.id, timer.due_at)

    def _record_inbound(
        self, session: UnitOfWork, participant: Participant, message: InboundMessage, now: datetime
    ) -> None:
        assert participant.id is not None
        body = message.body
        if message.num_media:
            body = f"{body}\n[{message.num_media} attachment(s) not kept]".strip()
        participant.last_inbound_at = now
        save_conversation_message(
            session,
            self.vault,
            participant_id=participant.id,
            direction="in",
            channel=message.sender.channel,
            body=body,
            status="received",
            now=now,
            twilio_sid=message.message_sid,
        )
