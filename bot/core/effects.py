"""Carrying out an engine turn: each output becomes rows for the participant it is about.

The immediate reply is recorded as sent by TwiML (the webhook returns it), or, for a timer,
written to the outbox for a worker to send. NEW switches to a new participant part-way.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Literal

from bot.core.opt_out import number_hashes, opt_in, opt_out
from bot.engine.events import (
    EraseParticipant,
    FlowEnded,
    FlowResumed,
    FlowStarted,
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
from bot.flowspec.model import FlowLibrary
from bot.runtime.crypto import Vault
from bot.runtime.redaction import has_contact_details
from bot.store.answers import save_answer, save_question, stored_id
from bot.store.conversations import (
    end_conversation,
    get_open_conversation,
    reopen_conversation,
    start_conversation,
)
from bot.store.db import UnitOfWork
from bot.store.messages import save_conversation_message
from bot.store.models import Answer, Participant
from bot.store.outbox import OutboxTicket, add_outbox_message
from bot.store.participants import (
    ErasedWork,
    close_participant,
    create_next_participant,
    erase_number,
    save_participant,
)
from bot.store.recordings import attach_recording

log = logging.getLogger(__name__)


class TurnEffects:
    """Turns one turn's outputs into rows, for the participant they are about."""

    def __init__(
        self,
        library: FlowLibrary,
        vault: Vault,
        session: UnitOfWork,
        participant: Participant,
        now: datetime,
        *,
        replies: Literal["twiml", "outbox"],
    ) -> None:
        self.library = library
        self.vault = vault
        self.session = session
        self.participant = participant
        self.now = now
        #: twiml: the reply goes back in the HTTP response; outbox: a worker sends it later.
        self.replies = replies
        self.tickets: list[OutboxTicket] = []
        self.erase = False
        #: After an erasure: the queued jobs that pointed at what was erased.
        self.erased: ErasedWork | None = None
        #: The answer this turn saved last: a question raised inside it is linked to it.
        self.last_answer: Answer | None = None

    @property
    def participant_id(self) -> int:
        assert self.participant.id is not None
        return self.participant.id

    def apply(self, turn: Turn) -> None:
        for output in turn.outputs:
            self._apply(output)
        if self.erase:
            self.erased = erase_number(self.session, number_hashes(self.vault, self.participant))
            log.info("number_erased participants=%s", len(self.erased.participant_ids))
            return
        save_participant(self.session, self.vault, self.participant, turn.state.to_json())

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
        elif isinstance(output, OptOut):
            opt_out(self.session, self.vault, participant, "resident", self.now)
        elif isinstance(output, OptIn):
            opt_in(self.session, self.vault, participant)
        elif isinstance(output, SaveAnswer):
            self._save_answer(output)
        elif isinstance(output, QueueQuestion):
            raised_from = self.last_answer if output.in_answer else None
            save_question(
                self.session,
                self.vault,
                participant_id=self.participant_id,
                flow_id=output.flow_id,
                step_id=output.step_id,
                text=output.text,
                now=self.now,
                answer_id=stored_id(self.session, raised_from) if raised_from else None,
                contact_details=has_contact_details(output.text),
                language=self.participant.language,
            )
            log.info("question_queued participant=%s", self.participant_id)
        elif isinstance(output, FlowStarted):
            flow = self.library.flow(output.flow_id)
            start_conversation(self.session, self.participant_id, flow.id, flow.version, self.now)
        elif isinstance(output, FlowEnded):
            self._end_conversation(output.reason)
        elif isinstance(output, FlowResumed):
            reopen_conversation(self.session, self.participant_id, output.flow_id)
        elif isinstance(output, NewParticipant):
            self._hand_on()
        elif isinstance(output, EraseParticipant):
            self.erase = True

    def _save_answer(self, output: SaveAnswer) -> None:
        conversation = get_open_conversation(self.session, self.participant_id)
        self.last_answer = save_answer(
            self.session,
            self.vault,
            participant_id=self.participant_id,
            conversation_id=conversation.id if conversation else None,
            flow_id=output.flow_id,
            step_id=output.step_id,
            kind=output.kind,
            value=output.value,
            text=output.text,
            now=self.now,
            contact_details=has_contact_details(output.text),
            language=self.participant.language,
        )
        if output.recording:
            attach_recording(
                self.session,
                recording_sid=output.recording,
                participant_id=self.participant_id,
                call_id=None,  # Twilio's recording-status callback names the call
                answer_id=stored_id(self.session, self.last_answer),
                duration_seconds=0,
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
        self.participant = create_next_participant(self.session, old, self.now)
        log.info("participant_handed_on old=%s new=%s", old.id, self.participant.id)

    def _record_reply(self, text: str) -> None:
        if self.erase:
            return
        if self.replies == "outbox":
            row = add_outbox_message(
                self.session,
                self.vault,
                participant_id=self.participant_id,
                body=text,
                purpose="reminder",
                priority="bulk",
                now=self.now,
            )
            if row is not None:
                self.tickets.append(OutboxTicket.of(row))
            return
        save_conversation_message(
            self.session,
            self.vault,
            participant_id=self.participant_id,
            direction="out",
            channel=self.participant.channel,
            body=text,
            status="spoken" if self.participant.channel == "voice" else "replied",
            now=self.now,
        )
