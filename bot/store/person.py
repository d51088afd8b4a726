"""Everything held about one phone number, decrypted, for a subject access request (Art 15).

A number can stand for several participants (every channel, and each person on a shared phone
after NEW), so every look-up is by the number's hashes, never by one participant. What comes back
is the resident's own data in full; bot.core.subject_access decides how it is written out.
Audit entries about their rows come back as action and time only: who did it, and why, is the
officers' own record, not the resident's data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from bot.runtime.crypto import Vault
from bot.store.answers import list_answers, list_questions
from bot.store.call_backs import OpenCallBack, get_call_back
from bot.store.conversation_list import ThreadMessage
from bot.store.messages import list_messages
from bot.store.models import (
    Answer,
    AnswerTheme,
    AuditEvent,
    Call,
    Conversation,
    OptOut,
    OutboxMessage,
    Participant,
    Theme,
    Timer,
)
from bot.store.notes import Note, list_notes
from bot.store.recordings import list_recordings_of


@dataclass(frozen=True)
class HeldAnswer:
    flow_id: str
    step_id: str
    kind: str
    value: str | None
    text: str
    significant: bool
    #: answer, not_an_answer or question: how an officer filed it (bot.core.filing)
    filed_as: str
    contact_details: bool
    #: The officers' codebook themes the answer is tagged with, by name.
    themes: tuple[str, ...]
    at: datetime


@dataclass(frozen=True)
class HeldQuestion:
    text: str
    status: str
    asked_at: datetime
    answer: str | None
    answered_at: datetime | None
    contact_details: bool


@dataclass(frozen=True)
class HeldSend:
    """A row of the outbox: a text written to go later (an answer, a reminder, a broadcast)."""

    purpose: str
    body: str
    status: str
    created_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True)
class HeldTimer:
    kind: str
    step_id: str
    status: str
    due_at: datetime


@dataclass(frozen=True)
class HeldCall:
    flow_id: str | None
    status: str
    started_at: datetime
    ended_at: datetime | None
    duration_seconds: int | None


@dataclass(frozen=True)
class HeldRecording:
    """An answer given in the caller's own voice: the step it answered (None when it is not
    kept as an answer) and the audio itself, as the sealed text holds it (base64), once it has
    been fetched from Twilio."""

    flow_id: str | None
    step_id: str | None
    status: str
    duration_seconds: int
    at: datetime
    content_type: str | None
    audio_base64: str | None
    summarised_at: datetime | None


@dataclass(frozen=True)
class HeldAuditEntry:
    action: str
    at: datetime


@dataclass(frozen=True)
class HeldParticipant:
    """One person on the number, with every row that points at them."""

    participant: Participant
    conversations: list[Conversation]
    messages: list[ThreadMessage]
    answers: list[HeldAnswer]
    questions: list[HeldQuestion]
    sends: list[HeldSend]
    timers: list[HeldTimer]
    audit: list[HeldAuditEntry]
    #: Officers' notes about them, and the call-back they are waiting for, if any.
    notes: list[Note]
    call_back: OpenCallBack | None
    #: Their phone calls, and the answers they gave on them in their own voice.
    calls: list[HeldCall] = field(default_factory=list)
    recordings: list[HeldRecording] = field(default_factory=list)


@dataclass(frozen=True)
class HeldOptOut:
    source: str
    opted_out_at: datetime


@dataclass(frozen=True)
class HeldPerson:
    """All that is held about a number: its participants, oldest first, and its opt-out."""

    participants: list[HeldParticipant]
    opt_out: HeldOptOut | None


def read_person(session: Session, vault: Vault, number_hashes: Sequence[str]) -> HeldPerson:
    """Every participant stored under any of `number_hashes`, and the number's opt-out row."""
    statement = (
        select(Participant)
        .where(col(Participant.number_hash).in_(number_hashes))
        .order_by(col(Participant.id))
    )
    participants = list(session.exec(statement))
    return HeldPerson(
        participants=[_read_participant(session, vault, p) for p in participants],
        opt_out=_read_opt_out(session, number_hashes),
    )


def _read_participant(session: Session, vault: Vault, participant: Participant) -> HeldParticipant:
    participant_id = participant.id or 0
    answers = list_answers(session, participant_id)
    questions = list_questions(session, participant_id)
    themes = _themes_by_answer(session, [a.id or 0 for a in answers])
    targets = [
        f"participant:{participant_id}",
        *(f"answer:{a.id}" for a in answers),
        *(f"question:{q.id}" for q in questions),
    ]
    return HeldParticipant(
        participant=participant,
        conversations=_conversations(session, participant_id),
        messages=[
            ThreadMessage(
                m.direction, m.channel, vault.open(m.body_encrypted), m.status, m.created_at
            )
            for m in list_messages(session, participant_id)
        ],
        answers=[
            HeldAnswer(
                a.flow_id,
                a.step_id,
                a.kind,
                a.value,
                vault.open(a.text_encrypted),
                a.significant,
                a.filed_as,
                a.contact_details,
                themes.get(a.id or 0, ()),
                a.created_at,
            )
            for a in answers
        ],
        questions=[
            HeldQuestion(
                vault.open(q.text_encrypted),
                q.status,
                q.created_at,
                vault.open(q.answer_encrypted) if q.answer_encrypted else None,
                q.answered_at,
                q.contact_details,
            )
            for q in questions
        ],
        sends=_sends(session, vault, participant_id),
        timers=_timers(session, participant_id),
        audit=_audit_entries(session, targets),
        notes=list_notes(session, vault, participant_id),
        call_back=get_call_back(session, vault, participant_id),
        calls=_calls(session, participant_id),
        recordings=_recordings(session, vault, participant_id, {a.id: a for a in answers}),
    )


def _conversations(session: Session, participant_id: int) -> list[Conversation]:
    statement = (
        select(Conversation)
        .where(Conversation.participant_id == participant_id)
        .order_by(col(Conversation.id))
    )
    return list(session.exec(statement))


def _calls(session: Session, participant_id: int) -> list[HeldCall]:
    statement = select(Call).where(Call.participant_id == participant_id).order_by(col(Call.id))
    return [
        HeldCall(c.flow_id, c.status, c.started_at, c.ended_at, c.duration_seconds)
        for c in session.exec(statement)
    ]


def _recordings(
    session: Session, vault: Vault, participant_id: int, answers: dict[int | None, Answer]
) -> list[HeldRecording]:
    held = []
    for r in list_recordings_of(session, participant_id):
        answer = answers.get(r.answer_id) if r.answer_id else None
        held.append(
            HeldRecording(
                answer.flow_id if answer else None,
                answer.step_id if answer else None,
                r.status,
                r.duration_seconds,
                r.created_at,
                r.content_type,
                vault.open(r.audio_encrypted) if r.audio_encrypted else None,
                r.summarised_at,
            )
        )
    return held


def _themes_by_answer(session: Session, answer_ids: list[int]) -> dict[int, tuple[str, ...]]:
    statement = (
        select(AnswerTheme.answer_id, Theme.name)
        .join(Theme, col(Theme.id) == AnswerTheme.theme_id)
        .where(col(AnswerTheme.answer_id).in_(answer_ids))
        .order_by(col(Theme.name))
    )
    found: dict[int, tuple[str, ...]] = {}
    for answer_id, name in session.exec(statement):
        found[answer_id] = (*found.get(answer_id, ()), name)
    return found


def _sends(session: Session, vault: Vault, participant_id: int) -> list[HeldSend]:
    """Every outbox row, whatever its status: a cancelled or failed text is still held."""
    statement = (
        select(OutboxMessage)
        .where(OutboxMessage.participant_id == participant_id)
        .order_by(col(OutboxMessage.id))
    )
    return [
        HeldSend(
            row.purpose, vault.open(row.body_encrypted), row.status, row.created_at, row.sent_at
        )
        for row in session.exec(statement)
    ]


def _timers(session: Session, participant_id: int) -> list[HeldTimer]:
    """Reminders and expiries still due; done ones say nothing the messages do not."""
    statement = (
        select(Timer)
        .where(Timer.participant_id == participant_id, Timer.status == "pending")
        .order_by(col(Timer.due_at), col(Timer.id))
    )
    return [HeldTimer(t.kind, t.step_id, t.status, t.due_at) for t in session.exec(statement)]


def _audit_entries(session: Session, targets: list[str]) -> list[HeldAuditEntry]:
    """Action and time only: never the officer, the reason or the detail."""
    statement = (
        select(AuditEvent.action, AuditEvent.at)
        .where(col(AuditEvent.target).in_(targets))
        .order_by(col(AuditEvent.at), col(AuditEvent.id))
    )
    return [HeldAuditEntry(action, at) for action, at in session.exec(statement)]


def _read_opt_out(session: Session, number_hashes: Sequence[str]) -> HeldOptOut | None:
    statement = select(OptOut).where(col(OptOut.number_hash).in_(number_hashes)).limit(1)
    row = session.exec(statement).first()
    return HeldOptOut(row.source, row.opted_out_at) if row is not None else None
