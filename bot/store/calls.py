"""Queries on phone calls (bot/store/models.py, Call): opened by the first webhook of a call,
counted by each gather, closed by Twilio's call-status callback."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from bot.store.db import UnitOfWork
from bot.store.models import Call


def get_call(session: UnitOfWork, call_sid: str) -> Call | None:
    return session.exec(select(Call).where(Call.call_sid == call_sid)).first()


def open_call(
    session: UnitOfWork, call_sid: str, participant_id: int, flow_id: str | None, now: datetime
) -> Call:
    """The call `call_sid`, made on the caller's first turn; each later turn keeps its flow
    current (the flow the caller is in when the call ends is the one its minutes count in)."""
    call = get_call(session, call_sid)
    if call is None:
        call = Call(
            call_sid=call_sid, participant_id=participant_id, flow_id=flow_id, started_at=now
        )
    elif call.flow_id != flow_id:
        call.flow_id = flow_id
    else:
        return call
    session.add(call)
    session.flush()
    return call


def close_call(
    session: UnitOfWork, call: Call, status: str, duration_seconds: int | None, now: datetime
) -> None:
    """Twilio's final word on the call: its status and billed duration. Said once; a repeat of
    the callback changes nothing but a missing duration."""
    if call.ended_at is None:
        call.status, call.ended_at = status, now
    if call.duration_seconds is None and duration_seconds is not None:
        call.duration_seconds = duration_seconds
    session.add(call)
