"""The conversation service: runs one inbound message through the engine and stores the result.

This is the one place where engine outputs become database rows. The webhook, the `sgwrs chat`
simulator and the tests all call `handle_inbound`, so they exercise exactly the same code.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bot import engine
from bot.addresses import Address
from bot.clock import Clock, utc_now
from bot.crypto import Vault
from bot.db import Database
from bot.flow_model import FlowLibrary
from bot.locks import Locks
from bot.models import Participant
from bot.state import SessionState
from bot.store.answers import save_answer, save_question
from bot.store.conversations import end_conversation, get_open_conversation, start_conversation
from bot.store.messages import get_receipt, save_message, save_receipt
from bot.store.participants import (
    close_participant,
    create_participant,
    erase_participant,
    get_current_participant,
)
from bot.turn import (
    EraseParticipant,
    FlowEnded,
    FlowStarted,
    Inbound,
    NewParticipant,
    OptIn,
    OptOut,
    Output,
    QueueQuestion,
    RecordConsent,
    SaveAnswer,
    SendText,
    SetHearBack,
    SetLanguage,
    SetPartner,
    Turn,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InboundMessage:
    """A text as Twilio hands it over (already verified by the caller)."""

    message_sid: str
    sender: Address
    body: str
    num_media: int = 0


@dataclass(frozen=True)
class InboundResult:
    reply: str | None
    #: True when this MessageSid was handled before: the same reply, nothing changed.
    duplicate: bool = False


class ConversationService:
    """Handles residents' messages, one resident at a time, storing everything in one commit."""

    def __init__(
        self,
        *,
        db: Database,
        library: FlowLibrary,
        vault: Vault,
        locks: Locks,
        clock: Clock = utc_now,
        resume_after: timedelta = engine.DEFAULT_RESUME_AFTER,
    ) -> None:
        self.db = db
        self.library = library
        self.vault = vault
        self.locks = locks
        self.clock = clock
        self.resume_after = resume_after

    def handle_inbound(self, message: InboundMessage, *, is_test: bool = False) -> InboundResult:
        number_hash = self.vault.hash_number(message.sender.number)
        with self.locks.hold(f"participant:{number_hash}"), self.db.session() as session:
            receipt = get_receipt(session, message.message_sid)
            if receipt is not None:
                log.info("msg_duplicate sid=%s", message.message_sid)
                return InboundResult(receipt.reply, duplicate=True)
            now = self.clock()
            participant = get_current_participant(session, number_hash, message.sender.channel)
            state = SessionState.from_json(participant.state) if participant else None
            turn = engine.step(
                self.library,
                state,
                Inbound(message.body),
                now=now,
                resume_after=self.resume_after,
            )
            if participant is None:
                participant = create_participant(
                    session,
                    number_hash=number_hash,
                    number_encrypted=self.vault.seal(message.sender.number),
                    channel=message.sender.channel,
                    now=now,
                    is_test=is_test,
                )
            self._record_inbound(session, participant, message, now)
            _Applier(self, session, participant, now).apply(turn)
            save_receipt(session, message.message_sid, turn.reply, now)
            log.info(
                "msg_received sid=%s participant=%s outputs=%s",
                message.message_sid,
                participant.id,
                ",".join(type(output).__name__ for output in turn.outputs),
            )
            return InboundResult(turn.reply)

    def _record_inbound(
        self, session: Session, participant: Participant, message: InboundMessage, now: datetime
    ) -> None:
        assert participant.id is not None
        conversation = get_open_conversation(session, participant.id)
        body = message.body
        if message.num_media:
            body = f"{body}\n[{message.num_media} attachment(s) not kept]".strip()
        participant.last_inbound_at = now
        save_message(
            session,
            self.vault,
            participant_id=participant.id,
            conversation_id=conversation.id if conversation else None,
            direction="in",
            channel=message.sender.channel,
            body=body,
            status="received",
            now=now,
            twilio_sid=message.message_sid,
        )


class _Applier:
    """Turns one turn's outputs into rows, for the participant they are about."""

    def __init__(
        self,
        service: ConversationService,
        session: Session,
        participant: Participant,
        now: datetime,
    ) -> None:
        self.service = service
        self.session = session
        self.participant = participant
        self.now = now
        self.erase = False

    @property
    def participant_id(self) -> int:
        assert self.participant.id is not None
        return self.participant.id

    def apply(self, turn: Turn) -> None:
        for output in turn.outputs:
            self._apply(output)
        if self.erase:
            erase_participant(self.session, self.participant_id)
            log.info("participant_erased")
            return
        self.participant.state = turn.state.to_json()
        self.session.add(self.participant)

    def _apply(self, output: Output) -> None:
        participant = self.participant
        if isinstance(output, SendText):
            self._record_reply(output.text)
        elif isinstance(output, SetLanguage):
            participant.language = output.language
        elif isinstance(output, SetPartner):
            participant.partner_code = output.code
        elif isinstance(output, RecordConsent):
            participant.consent = output.given
            participant.consent_at = self.now
        elif isinstance(output, SetHearBack):
            participant.hear_back = output.wanted
        elif isinstance(output, OptOut | OptIn):
            participant.opted_out = isinstance(output, OptOut)
            participant.opted_out_at = self.now if participant.opted_out else None
        elif isinstance(output, SaveAnswer):
            self._save_answer(output)
        elif isinstance(output, QueueQuestion):
            save_question(
                self.session,
                self.service.vault,
                participant_id=self.participant_id,
                flow_id=output.flow_id,
                step_id=output.step_id,
                text=output.text,
                now=self.now,
            )
            log.info("question_queued participant=%s", self.participant_id)
        elif isinstance(output, FlowStarted):
            flow = self.service.library.flow(output.flow_id)
            start_conversation(self.session, self.participant_id, flow.id, flow.version, self.now)
        elif isinstance(output, FlowEnded):
            self._end_conversation(output.reason)
        elif isinstance(output, NewParticipant):
            self._hand_on()
        elif isinstance(output, EraseParticipant):
            self.erase = True

    def _save_answer(self, output: SaveAnswer) -> None:
        conversation = get_open_conversation(self.session, self.participant_id)
        save_answer(
            self.session,
            self.service.vault,
            participant_id=self.participant_id,
            conversation_id=conversation.id if conversation else None,
            flow_id=output.flow_id,
            step_id=output.step_id,
            kind=output.kind,
            value=output.value,
            text=output.text,
            now=self.now,
        )
        log.info("answer_saved participant=%s kind=%s", self.participant_id, output.kind)

    def _end_conversation(self, reason: str) -> None:
        conversation = get_open_conversation(self.session, self.participant_id)
        if conversation is not None:
            end_conversation(self.session, conversation, reason, self.now)
        log.info("flow_ended participant=%s reason=%s", self.participant_id, reason)

    def _hand_on(self) -> None:
        old = self.participant
        close_participant(self.session, old, self.now)
        self.participant = create_participant(
            self.session,
            number_hash=old.number_hash,
            number_encrypted=old.number_encrypted,
            channel=old.channel,
            now=self.now,
            is_test=old.is_test,
        )
        log.info("participant_handed_on old=%s new=%s", old.id, self.participant.id)

    def _record_reply(self, text: str) -> None:
        if self.erase:
            return
        conversation = get_open_conversation(self.session, self.participant_id)
        save_message(
            self.session,
            self.service.vault,
            participant_id=self.participant_id,
            conversation_id=conversation.id if conversation else None,
            direction="out",
            channel=self.participant.channel,
            body=text,
            status="replied",
            now=self.now,
        )
