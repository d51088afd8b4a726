"""Queries about messages in and out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, insert
from sqlmodel import Session, col, select

from bot.channels.sms import segment_info
from bot.runtime.crypto import Vault
from bot.store.conversations import get_open_conversation
from bot.store.db import run_plain
from bot.store.models import Message, Participant
from bot.store.search import index_words


def _message_values(
    vault: Vault,
    *,
    participant_id: int,
    conversation_id: int | None,
    direction: str,
    channel: str,
    body: str,
    status: str,
    now: datetime,
    twilio_sid: str | None,
    language: str | None = None,
) -> dict[str, object]:
    """A message row's columns: the body sealed, its cost in segments worked out once, and a
    resident's words indexed for search (the bot's own texts are not what officers look for).
    What is said on a call is not a text: it has no encoding and costs no segments."""
    info = segment_info(body)
    spoken = channel == "voice"
    return {
        "participant_id": participant_id,
        "conversation_id": conversation_id,
        "direction": direction,
        "channel": channel,
        "body_encrypted": vault.seal(body),
        "words": index_words(vault, body, language) if direction == "in" else None,
        "twilio_sid": twilio_sid,
        "status": status,
        "encoding": None if spoken else info.encoding,
        "segments": 0 if spoken else info.segments,
        "created_at": now,
        "updated_at": now,
    }


def save_message(
    session: Session,
    vault: Vault,
    *,
    participant_id: int,
    conversation_id: int | None,
    direction: str,
    channel: str,
    body: str,
    status: str,
    now: datetime,
    twilio_sid: str | None = None,
) -> Message:
    """A message the caller goes on working with (a sent text whose statuses may follow)."""
    message = Message(
        **_message_values(
            vault,
            participant_id=participant_id,
            conversation_id=conversation_id,
            direction=direction,
            channel=channel,
            body=body,
            status=status,
            now=now,
            twilio_sid=twilio_sid,
        )
    )
    session.add(message)
    session.flush()
    return message


def save_conversation_message(
    session: Session,
    vault: Vault,
    *,
    participant_id: int,
    direction: str,
    channel: str,
    body: str,
    status: str,
    now: datetime,
    twilio_sid: str | None = None,
    language: str | None = None,
) -> None:
    """A message in the resident's open conversation (if any), so transcripts group it there;
    a resident's text is read for search in `language`, theirs.

    A plain insert, no object kept: a turn writes its text and reply and never reads them back.
    """
    conversation = get_open_conversation(session, participant_id)
    values = _message_values(
        vault,
        participant_id=participant_id,
        conversation_id=conversation.id if conversation else None,
        direction=direction,
        channel=channel,
        body=body,
        status=status,
        now=now,
        twilio_sid=twilio_sid,
        language=language,
    )
    run_plain(session, insert(Message.__table__).values(**values))


def list_messages(session: Session, participant_id: int) -> list[Message]:
    statement = (
        select(Message)
        .where(Message.participant_id == participant_id)
        .order_by(col(Message.created_at), col(Message.id))
    )
    return list(session.exec(statement))


def has_call_since(session: Session, participant_id: int, since: datetime) -> bool:
    """Whether a phone call from the resident was recorded at or after `since` (a call is
    recorded as an inbound message carrying its CallSid, CA...)."""
    statement = select(func.count()).where(
        Message.participant_id == participant_id,
        Message.direction == "in",
        col(Message.twilio_sid).startswith("CA"),
        Message.created_at >= since,
    )
    return session.exec(statement).one() > 0


def get_message_by_sid(session: Session, twilio_sid: str) -> Message | None:
    return session.exec(select(Message).where(Message.twilio_sid == twilio_sid)).first()


def set_message_status(
    session: Session, message: Message, status: str, error_code: int | None, now: datetime
) -> None:
    message.status = status
    message.error_code = error_code if error_code is not None else message.error_code
    message.updated_at = now
    session.add(message)


def list_later_texts(
    session: Session, vault: Vault, number_hashes: Sequence[str], *, after_id: int
) -> list[tuple[int, str]]:
    """Texts sent to a number after its replies (answers, reminders, broadcasts), oldest first.

    The number is matched under any of its hashes (a key rotation leaves old ones for a while).
    The instant replies are left out (status "replied"): whoever texted has seen those.
    """
    statement = (
        select(Message.id, Message.body_encrypted)
        .join(Participant, col(Participant.id) == Message.participant_id)
        .where(col(Participant.number_hash).in_(number_hashes), Message.direction == "out")
        .where(Message.status != "replied", col(Message.id) > after_id)
        .order_by(col(Message.id))
    )
    return [(message_id, vault.open(body)) for message_id, body in session.exec(statement)]
