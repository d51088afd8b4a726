"""The inbound desk: runs one resident's text or timer through the engine and stores the result.

With bot/core/effects.py it is the one place where engine outputs become database rows. The
webhook, the `sgwrs chat` simulator and the tests all call `receive`, so they run the same code.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

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
from bot.runtime.queue import JobQueue, QueueUnavailableError
from bot.store.conversations import get_open_conversation
from bot.store.db import Database, UnitOfWork
from bot.store.messages import has_call_since, save_conversation_message
from bot.store.models import Participant, Receipt
from bot.store.outbox import OutboxTicket, release_held_sends
from bot.store.participants import (
    ErasedWork,
    create_participant,
    get_current_participant_and_opt_out,
    get_participant,
    read_state,
)
from bot.store.receipts import (
    claim_receipt,
    finish_receipt,
    forget_pending_texts,
    get_receipt,
    note_failed_attempt,
    pending_receipts_before,
    receipt_key,
    record_receipt,
    stale_pending_receipts,
)
from bot.store.resident_lock import hold_resident
from bot.store.timers import cancel_timers, claim_timer, replace_timers

log = logging.getLogger(__name__)


#: A text still pending this long after it came was not handled when it came (a failure, a
#: lock held too long, a process killed mid-way): longer than the lock timeout and a turn.
DEFERRED_AFTER = timedelta(seconds=20)


@dataclass(frozen=True)
class RepeatRule:
    """The loop guard's rule for replies: the same text getting the same reply more than
    `limit` times, each within `window` of the first, is a loop (LOOP_GUARD_* settings)."""

    limit: int = 3
    window: timedelta = timedelta(minutes=10)


#: How a phone call shows in the resident's transcript (the engine sees an empty text).
CALL_MARK = "[phone call]"
#: How an own-words answer spoken on a call shows there (the audio is the answer's).
RECORDING_MARK = "[recorded answer]"

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
    #: A phone call (message_sid is its CallSid) to be answered by text: the engine takes it as
    #: an empty text, so a new caller gets the welcome's first text and a STOPped number
    #: nothing; the reply goes through the outbox, as the call cannot carry it.
    call: bool = False
    #: On a call through a voice flow (sender channel "voice"): the RecordingSid of an
    #: own-words answer the caller spoke; body is then empty.
    recording: str = ""

    def pack(self, *, is_test: bool) -> str:
        """Everything needed to handle the text later, as JSON for a sealed receipt."""
        return json.dumps(
            {
                "sid": self.message_sid,
                "channel": self.sender.channel,
                "number": self.sender.number,
                "body": self.body,
                "num_media": self.num_media,
                "opt_out_type": self.opt_out_type,
                "is_test": is_test,
                "call": self.call,
                "recording": self.recording,
            }
        )

    @classmethod
    def unpack(cls, packed: str) -> tuple[InboundMessage, bool]:
        data = json.loads(packed)
        message = cls(
            data["sid"],
            Address(data["channel"], data["number"]),
            data["body"],
            data["num_media"],
            data["opt_out_type"],
            bool(data.get("call", False)),
            data.get("recording", ""),
        )
        return message, bool(data["is_test"])


@dataclass(frozen=True)
class InboundResult:
    reply: str | None
    #: True when this MessageSid was seen before: nothing changed (the first reply, if known).
    duplicate: bool = False


@dataclass
class _Handled:
    """What one handled text leaves for after the commit."""

    reply: str | None
    tickets: list[OutboxTicket] = field(default_factory=list)
    erased: ErasedWork | None = None


class InboundDesk:
    """Handles residents' messages, one resident at a time, storing everything in one commit."""

    def __init__(
        self,
        *,
        db: Database,
        library: FlowLibrary,
        vault: Vault,
        queue: JobQueue,
        clock: Clock = utc_now,
        lock_timeout_seconds: float = 30.0,
        resume_after: timedelta = engine.DEFAULT_RESUME_AFTER,
        reminder_after: timedelta = timedelta(hours=24),
        expire_after: timedelta = timedelta(hours=72),
        repeats: RepeatRule = RepeatRule(),
        call_window: timedelta = timedelta(minutes=10),
    ) -> None:
        self.db = db
        self.library = library
        self.vault = vault
        self.queue = queue
        self.clock = clock
        #: How long a text waits for the resident's previous one before it is deferred.
        self.lock_timeout_seconds = lock_timeout_seconds
        self.resume_after = resume_after
        self.reminder_after = reminder_after
        self.expire_after = expire_after
        self.repeats = repeats
        #: After a call that was answered by text, more calls from them send nothing this long.
        self.call_window = call_window

    def receive(self, message: InboundMessage, *, is_test: bool = False) -> InboundResult:
        """Record the text durably, then handle it; a failure after the record loses nothing.

        The receipt commits first, on its own. Whatever then goes wrong (a lock held too long,
        Redis down, a bug) the caller still gets an answer to give Twilio, and the sweep
        (`rerun_pending`) handles the text later with its reply through the outbox.
        """
        key = receipt_key(message.message_sid)
        hashes = self.vault.number_hashes(message.sender.number)
        sealed = self.vault.seal(message.pack(is_test=is_test))
        with self.db.session() as session:
            fresh = record_receipt(session, key, hashes[0], sealed, self.clock())
            earlier = None if fresh else get_receipt(session, key)
        if not fresh:
            log.info("msg_duplicate sid=%s", message.message_sid)
            return InboundResult(earlier.reply if earlier else None, duplicate=True)
        try:
            handled = self._handle(key, hashes, replies="outbox" if message.call else "twiml")
        except Exception as error:  # whatever it was, the text is safe in its receipt
            self._defer(key, message.message_sid, error)
            return InboundResult(None)
        if handled is None:  # the sweep got there first
            return InboundResult(None, duplicate=True)
        self._after_commit(handled)
        return InboundResult(handled.reply)

    def rerun_pending(self) -> int:
        """The sweep's part: texts whose handling failed or was cut short, handled again now,
        their replies sent through the outbox. Returns how many were handled."""
        with self.db.session() as session:
            keys = stale_pending_receipts(session, self.clock() - DEFERRED_AFTER)
        handled_count = 0
        for key in keys:
            with self.db.session() as session:
                receipt = get_receipt(session, key)
            if receipt is None or receipt.status != "pending" or not receipt.inbound_encrypted:
                continue
            message, _is_test = InboundMessage.unpack(self.vault.open(receipt.inbound_encrypted))
            try:
                hashes = self.vault.number_hashes(message.sender.number)
                handled = self._handle(key, hashes, replies="outbox")
            except Exception as error:  # kept for the next sweep; the others still go
                self._defer(key, message.message_sid, error)
                continue
            if handled is not None:
                self._after_commit(handled)
                handled_count += 1
        if handled_count:
            log.warning("sweep_handled_deferred_texts count=%s", handled_count)
        return handled_count

    def _defer(self, key: str, message_sid: str, error: Exception) -> None:
        """Log the failure by kind only (an exception's text can quote a query's values)."""
        try:
            with self.db.session() as session:
                status = note_failed_attempt(session, key)
        except Exception:  # the database itself is down: the sweep tries again anyway
            status = "unknown"
        log.warning(
            "msg_deferred sid=%s error=%s receipt=%s", message_sid, type(error).__name__, status
        )

    def _handle(
        self, key: str, hashes: tuple[str, ...], *, replies: Literal["twiml", "outbox"]
    ) -> _Handled | None:
        """Under the resident's lock: any older texts of theirs still waiting, then this one.
        `hashes` are the number's (`Vault.number_hashes`), the current key's first.

        None when this text was handled meanwhile (by the sweep, or a retry).
        """
        with self.db.session() as session:
            hold_resident(session, hashes[0], self.lock_timeout_seconds)
            receipt = claim_receipt(session, key)
            if receipt is None:
                return None
            result = _Handled(None)
            stale_before = self.clock() - DEFERRED_AFTER
            for earlier_key in pending_receipts_before(session, hashes, receipt, stale_before):
                earlier = claim_receipt(session, earlier_key)
                if earlier is not None:
                    self._handle_one(session, earlier, hashes, "outbox", result)
            result.reply = self._handle_one(session, receipt, hashes, replies, result)
        return result

    def _handle_one(
        self,
        session: UnitOfWork,
        receipt: Receipt,
        hashes: tuple[str, ...],
        replies: Literal["twiml", "outbox"],
        result: _Handled,
    ) -> str | None:
        """One text through the engine; its rows join `result`'s. Returns the TwiML reply."""
        assert receipt.inbound_encrypted is not None
        message, is_test = InboundMessage.unpack(self.vault.open(receipt.inbound_encrypted))
        now = self.clock()
        if result.erased is not None:  # an earlier text erased them: this one goes too
            finish_receipt(session, receipt, None, now)
            return None
        participant, opted_out = get_current_participant_and_opt_out(
            session, hashes, message.sender.channel
        )
        if participant is not None:
            # Read before the turn changes anything, so this read flushes nothing and the
            # turn's later asks (the text, the reply, an answer) are answered from memory.
            get_open_conversation(session, participant.id)
            if message.call and has_call_since(session, participant.id, now - self.call_window):
                finish_receipt(session, receipt, None, now)  # they rang again: one text is enough
                log.info("call_repeated participant=%s", participant.id)
                return None
        state = self._state_of(participant, opted_out, message.body, now)
        turn = engine.step(
            self.library,
            state,
            Inbound(
                message.body,
                message.num_media,
                opt_out_type=OPT_OUT_TYPES.get(message.opt_out_type.upper()),
                medium="voice" if message.sender.channel == "voice" else "text",
                recording=message.recording or None,
            ),
            now=now,
            resume_after=self.resume_after,
        )
        if participant is not None and self._looping(participant, message.body, turn, now):
            finish_receipt(session, receipt, None, now)
            return None
        if participant is None:
            participant = create_participant(
                session,
                number_hash=hashes[0],
                number_encrypted=self.vault.seal(message.sender.number),
                channel=message.sender.channel,
                now=now,
                is_test=is_test,
            )
            self._count_repeat(participant, message.body, turn, now)
        self._record_inbound(session, participant, message, now)
        effects = TurnEffects(self.library, self.vault, session, participant, now, replies=replies)
        effects.apply(turn)
        finish_receipt(session, receipt, turn.reply if replies == "twiml" else None, now)
        result.tickets += effects.tickets
        if effects.erased is not None:
            result.erased = effects.erased
            forget_pending_texts(session, hashes)
        else:
            if message.sender.channel == "whatsapp":  # only WhatsApp holds texts back
                result.tickets += release_held_sends(session, effects.participant_id, now)
            self._set_timers(session, effects.participant_id, turn, now, message.sender.channel)
        log.info(
            "msg_handled participant=%s outputs=%s",
            participant.id,
            ",".join(type(output).__name__ for output in turn.outputs),
        )
        return turn.reply if replies == "twiml" else None

    def _looping(self, participant: Participant, body: str, turn: Turn, now: datetime) -> bool:
        """The loop guard on every reply: the same text getting the same answer again and
        again (an auto-responder, a stuck phone) is silenced after `repeats.limit` times, kept
        nowhere, and the conversation is flagged for an officer."""
        self._count_repeat(participant, body, turn, now)
        if participant.repeat_count <= self.repeats.limit:
            return False
        if participant.flagged is None:
            participant.flagged, participant.flagged_at = "repeated_text", now
            log.warning("inbound_loop_blocked participant=%s", participant.id)
        return True

    def _count_repeat(self, participant: Participant, body: str, turn: Turn, now: datetime) -> None:
        digest = self.vault.fingerprint(f"{' '.join(body.casefold().split())}\0{turn.reply}")
        since = participant.repeat_since
        if digest == participant.repeat_digest and since and now - since <= self.repeats.window:
            participant.repeat_count += 1
        else:
            participant.repeat_digest, participant.repeat_count = digest, 1
            participant.repeat_since = now

    def _after_commit(self, handled: _Handled) -> None:
        """Jobs only after the commit (a job must never run before its row exists), and never
        at the text's expense: if Redis is down the sweep finds the rows later."""
        if handled.erased is not None:
            finish_erasure(self.db, self.queue, handled.erased)
            return
        try:
            self.queue.enqueue(handled.tickets)
        except QueueUnavailableError:
            log.warning("queue_unavailable sends=%s", len(handled.tickets))

    def _state_of(
        self, participant: Participant | None, opted_out: bool, text: str, now: datetime
    ) -> SessionState | None:
        """The participant's state, opted out exactly when their number is: STOP from anyone
        who shared the phone, or on another channel, or from the carrier, silences them too."""
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
        with self.db.session() as session:
            # The lock a text from them takes: the current key's hash, whatever hash is stored.
            hold_resident(
                session, number_hashes(self.vault, participant)[0], self.lock_timeout_seconds
            )
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
        self._after_commit(_Handled(turn.reply, effects.tickets))
        log.info("timer_fired timer=%s kind=%s sent=%s", timer_id, timer.kind, bool(turn.reply))
        return "sent" if turn.reply else "nothing"

    def _may_remind(self, participant: Participant, now: datetime) -> bool:
        """No reminders to residents who opted out, or on WhatsApp once its window has closed."""
        if participant.channel == "whatsapp":
            return whatsapp.window_open(participant.last_inbound_at, now)
        return True

    def _set_timers(
        self, session: UnitOfWork, participant_id: int, turn: Turn, now: datetime, channel: str
    ) -> None:
        """While a resident is mid-flow, keep one reminder and one expiry ahead of them.

        Timers are rows only: the sweep hands a timer to the queue when it falls due, so a
        timer cancelled or replaced (every text replaces them) leaves no job behind in Redis.
        """
        if turn.state.status != "active" or channel == "voice":
            # A caller who rang off mid-flow is not texted reminders: the call offered text.
            cancel_timers(session, participant_id)
            return
        replace_timers(
            session,
            participant_id,
            turn.state.step_id,
            now,
            reminder_after=self.reminder_after,
            expire_after=self.expire_after,
        )

    def _record_inbound(
        self, session: UnitOfWork, participant: Participant, message: InboundMessage, now: datetime
    ) -> None:
        assert participant.id is not None
        body = CALL_MARK if message.call else message.body
        if message.recording:
            body = RECORDING_MARK
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
            language=participant.language,
        )
