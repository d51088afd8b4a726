"""Queries on callers' recordings (bot/store/models.py, Recording): the one place they are read
and written, so erasure, retention and subject access can find every recording a caller left."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from bot.store.db import UnitOfWork
from bot.store.models import Recording


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
