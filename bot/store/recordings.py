"""Queries on callers' recordings (bot/store/models.py, Recording): the one place they are read
and written, so erasure, retention and subject access can find every recording a caller left.

A recording goes `waiting` (Twilio has it) -> `stored` (sealed here) or `failed` (Twilio had no
audio); `skipped` when the caller pressed 1, and `simulated` when a simulator's caller typed
their answer (no audio at all). Whatever Twilio still holds is listed in `recording_deletions`
until Twilio confirms the delete: a stored copy's original, and any recording of a caller erased
before it was deleted.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, update
from sqlmodel import col, select

from bot.runtime.crypto import Vault
from bot.store.calls import get_call
from bot.store.db import UnitOfWork
from bot.store.models import Answer, Recording, RecordingDeletion
from bot.store.search import index_words


@dataclass(frozen=True)
class RecordingInfo:
    """What a page shows of a recording: never its audio, which is read only to be played."""

    id: int
    answer_id: int | None
    status: str
    duration_seconds: int
    created_at: datetime
    summarised_at: datetime | None

    @property
    def playable(self) -> bool:
        return self.status == "stored"


def attach_recording(
    session: UnitOfWork,
    *,
    recording_sid: str,
    participant_id: int,
    call_id: int | None,
    answer_id: int | None,
    duration_seconds: int,
    now: datetime,
) -> Recording:
    """The recording `recording_sid`, tied to the caller, their call and the answer it is.

    Twilio's recording-status callback can arrive before or after the `<Record>` action that
    saves the answer, so whichever comes first makes the row and the other fills it in.
    """
    row = session.exec(select(Recording).where(Recording.recording_sid == recording_sid)).first()
    if row is None:
        row = Recording(
            recording_sid=recording_sid,
            participant_id=participant_id,
            call_id=call_id,
            answer_id=answer_id,
            duration_seconds=duration_seconds,
            created_at=now,
        )
    else:
        row.answer_id = answer_id if answer_id is not None else row.answer_id
        row.call_id = call_id if call_id is not None else row.call_id
        row.duration_seconds = duration_seconds or row.duration_seconds
    session.add(row)
    session.flush()
    return row


def get_recording(session: UnitOfWork, recording_id: int) -> Recording | None:
    return session.get(Recording, recording_id)


def tie_recording(
    session: UnitOfWork, call_sid: str, recording_sid: str, duration_seconds: int, now: datetime
) -> Recording | None:
    """The recording `recording_sid` of call `call_sid`, tied to its caller (the one it is
    already tied to, else the call's); None when Sgwrs holds neither (the caller was erased)."""
    existing = find_recording(session, recording_sid)
    call = get_call(session, call_sid)
    caller = existing.participant_id if existing else call.participant_id if call else None
    if caller is None:
        return None
    return attach_recording(
        session,
        recording_sid=recording_sid,
        participant_id=caller,
        call_id=call.id if call else None,
        answer_id=None,
        duration_seconds=duration_seconds,
        now=now,
    )


def find_recording(session: UnitOfWork, recording_sid: str) -> Recording | None:
    return session.exec(select(Recording).where(Recording.recording_sid == recording_sid)).first()


def mark_recording_skipped(session: UnitOfWork, recording: Recording) -> None:
    """The caller pressed 1 to skip (or the call had no step to keep it for): never fetched."""
    recording.status = "skipped"
    session.add(recording)


def mark_recording_failed(session: UnitOfWork, recording: Recording) -> None:
    """Twilio made no audio of it (RecordingStatus failed or absent): nothing to fetch."""
    recording.status = "failed"
    session.add(recording)


def note_fetch_tried(session: UnitOfWork, recording: Recording, now: datetime) -> None:
    """A fetch began: the sweep leaves the row alone for a while, however this one ends."""
    recording.fetch_attempts += 1
    recording.last_tried_at = now
    session.add(recording)


def store_recording_audio(
    session: UnitOfWork,
    recording: Recording,
    *,
    audio_encrypted: str,
    content_type: str,
    now: datetime,
) -> int:
    """Keep the sealed audio, and list Twilio's copy for deletion; the deletion's id."""
    recording.audio_encrypted = audio_encrypted
    recording.content_type = content_type
    recording.status = "stored"
    recording.fetched_at = now
    session.add(recording)
    return request_twilio_deletion(session, recording.recording_sid, now)


def request_twilio_deletion(session: UnitOfWork, recording_sid: str, now: datetime) -> int:
    """List `recording_sid` to be deleted at Twilio (once, however often it is asked); its id."""
    statement = select(RecordingDeletion).where(RecordingDeletion.recording_sid == recording_sid)
    row = session.exec(statement).first()
    if row is None:
        row = RecordingDeletion(recording_sid=recording_sid, requested_at=now)
        session.add(row)
        session.flush()
    assert row.id is not None
    return row.id


def request_deletions_for(
    session: UnitOfWork, participant_ids: Collection[int], now: datetime
) -> list[int]:
    """Before these residents are erased: every recording of theirs Twilio may still hold,
    listed for deletion there by its SID alone (it outlives their rows)."""
    statement = (
        select(Recording.recording_sid)
        .where(col(Recording.participant_id).in_(list(participant_ids)))
        .where(col(Recording.deleted_at_twilio).is_(None))
        .order_by(col(Recording.id))
    )
    return [request_twilio_deletion(session, sid, now) for sid in session.exec(statement)]


def erase_recordings(session: UnitOfWork, participant_id: int) -> None:
    """A resident's recordings, sealed audio and all (their Twilio copies listed beforehand)."""
    session.execute(delete(Recording).where(col(Recording.participant_id) == participant_id))


def get_deletion(session: UnitOfWork, deletion_id: int) -> RecordingDeletion | None:
    return session.get(RecordingDeletion, deletion_id)


def note_deletion_tried(session: UnitOfWork, deletion: RecordingDeletion, now: datetime) -> None:
    deletion.attempts += 1
    deletion.last_tried_at = now
    session.add(deletion)


def finish_deletion(session: UnitOfWork, deletion: RecordingDeletion, now: datetime) -> None:
    """Twilio has no copy any more: say so on the recording (if it is still held) and forget
    the SID."""
    session.execute(
        update(Recording)
        .where(col(Recording.recording_sid) == deletion.recording_sid)
        .values(deleted_at_twilio=now)
    )
    session.execute(delete(RecordingDeletion).where(col(RecordingDeletion.id) == deletion.id))


def list_due_recordings(session: UnitOfWork, tried_before: datetime) -> list[int]:
    """Waiting recordings never tried, or last tried before `tried_before`, oldest first."""
    statement = (
        select(Recording.id)
        .where(Recording.status == "waiting")
        .where(
            or_(col(Recording.last_tried_at).is_(None), col(Recording.last_tried_at) < tried_before)
        )
        .order_by(col(Recording.id))
    )
    return [recording_id for recording_id in session.exec(statement) if recording_id]


def list_due_deletions(session: UnitOfWork, tried_before: datetime) -> list[int]:
    """Deletions at Twilio never tried, or last tried before `tried_before`, oldest first."""
    last = col(RecordingDeletion.last_tried_at)
    statement = (
        select(RecordingDeletion.id)
        .where(or_(last.is_(None), last < tried_before))
        .order_by(col(RecordingDeletion.id))
    )
    return [deletion_id for deletion_id in session.exec(statement) if deletion_id]


def _info(row: Recording) -> RecordingInfo:
    return RecordingInfo(
        row.id or 0,
        row.answer_id,
        row.status,
        row.duration_seconds,
        row.created_at,
        row.summarised_at,
    )


def list_recordings(session: UnitOfWork, participant_id: int) -> list[RecordingInfo]:
    """A resident's recordings, oldest first, for the transcript."""
    statement = (
        select(Recording)
        .where(Recording.participant_id == participant_id)
        .order_by(col(Recording.id))
    )
    return [_info(row) for row in session.exec(statement)]


def recordings_by_answer(
    session: UnitOfWork, answer_ids: Collection[int]
) -> dict[int, RecordingInfo]:
    """The recording each of these answers was given as, for a page of answers (one query)."""
    if not answer_ids:
        return {}
    statement = select(Recording).where(col(Recording.answer_id).in_(list(answer_ids)))
    return {row.answer_id: _info(row) for row in session.exec(statement) if row.answer_id}


def list_recordings_of(session: UnitOfWork, participant_id: int) -> list[Recording]:
    """Every recording row of a resident, audio included (subject access), oldest first."""
    statement = (
        select(Recording)
        .where(Recording.participant_id == participant_id)
        .order_by(col(Recording.id))
    )
    return list(session.exec(statement))


def set_summary(
    session: UnitOfWork,
    vault: Vault,
    recording: Recording,
    answer: Answer,
    *,
    text: str,
    language: str,
    contact_details: bool,
    user_id: int,
    now: datetime,
) -> None:
    """An officer's summary or transcript of the recording becomes its answer's text: sealed,
    its words indexed for search in `language`, and the contact-details flag as for any text."""
    _set_answer_text(session, vault, answer, text, language, contact_details)
    recording.summary_by = user_id
    recording.summarised_at = now
    session.add(recording)


def keep_typed_answer(
    session: UnitOfWork,
    vault: Vault,
    recording: Recording,
    answer: Answer | None,
    *,
    text: str,
    language: str,
    contact_details: bool,
    now: datetime,
) -> None:
    """A simulated recording (a simulator's caller typed their answer): no audio anywhere, none
    at Twilio to fetch or delete (so erasure lists nothing there), and the words typed become
    the answer's text, sealed and indexed as any answer's."""
    recording.status = "simulated"
    recording.deleted_at_twilio = now  # Twilio never held it
    if answer is not None:
        _set_answer_text(session, vault, answer, text, language, contact_details)
    session.add(recording)


def _set_answer_text(
    session: UnitOfWork,
    vault: Vault,
    answer: Answer,
    text: str,
    language: str,
    contact_details: bool,
) -> None:
    answer.text_encrypted = vault.seal(text)
    answer.words = index_words(vault, text, language)
    answer.contact_details = contact_details
    session.add(answer)
