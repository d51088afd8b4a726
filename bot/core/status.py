"""Twilio's delivery reports for texts we sent: never lost, and never moving backwards.

Callbacks arrive out of order (a "sent" after its "delivered"), so each status has a rank and a
report that would move a message backwards is ignored rather than stored. A report can even
come before the sender has saved the SID Twilio gave it: it is kept (EarlyStatus) and applied,
by the same rules, the moment the SID lands (`apply_early_statuses`).
"""

from __future__ import annotations

from datetime import datetime

from bot.core.opt_out import opt_out
from bot.runtime.clock import Clock, utc_now
from bot.runtime.crypto import Vault
from bot.store.db import Database, UnitOfWork
from bot.store.early_statuses import keep_early_status, take_early_statuses
from bot.store.messages import get_message_by_sid, set_message_status
from bot.store.models import Message
from bot.store.participants import get_participant

#: Twilio's statuses in the order a message moves through them.
STATUS_ORDER = {
    status: rank
    for rank, statuses in enumerate(
        [
            ("accepted", "scheduled", "queued"),
            ("sending",),
            ("sent",),
            ("delivered", "partially_delivered", "undelivered", "failed", "canceled"),
            ("read",),
        ]
    )
    for status in statuses
}
#: Outcomes nothing can follow: Twilio does not retry a text that failed.
FINAL = frozenset({"undelivered", "failed", "canceled", "read"})
#: Outcomes only "read" (WhatsApp) can follow.
REACHED = frozenset({"delivered", "partially_delivered"})


def moves_forward(current: str, reported: str) -> bool:
    """Whether a report may replace the stored status: it never goes back, and an outcome
    (delivered, failed...) never turns into another one."""
    if current in FINAL:
        return False
    if current in REACHED:
        return reported == "read"
    return STATUS_ORDER.get(current, -1) <= STATUS_ORDER[reported]


#: Twilio's code for "the handset has opted out of your messages" (it replied STOP to Twilio).
OPTED_OUT_CODE = 21610


def record_status(
    db: Database,
    vault: Vault,
    twilio_sid: str,
    status: str,
    error_code: int | None,
    clock: Clock = utc_now,
) -> bool:
    """Store a delivery status unless it would move the message backwards; True if stored.

    For a SID not saved yet the report is kept, to be applied when it lands. Error 21610 opts
    the number out whatever the status's order: the carrier has told us.
    """
    if status not in STATUS_ORDER:
        return False
    with db.session() as session:
        message = get_message_by_sid(session, twilio_sid)
        if message is None:
            keep_early_status(session, twilio_sid, status, error_code, clock())
            return False
        return _apply(session, vault, message, status, error_code, clock())


def apply_early_statuses(
    session: UnitOfWork, vault: Vault, message: Message, now: datetime
) -> None:
    """The sender has just saved `message` with its SID: apply what Twilio already reported."""
    assert message.twilio_sid is not None
    for status, error_code in take_early_statuses(session, message.twilio_sid):
        _apply(session, vault, message, status, error_code, now)


def _apply(
    session: UnitOfWork,
    vault: Vault,
    message: Message,
    status: str,
    error_code: int | None,
    now: datetime,
) -> bool:
    if error_code == OPTED_OUT_CODE:
        participant = get_participant(session, message.participant_id)
        if participant is not None:
            opt_out(session, vault, participant, "carrier", now, error_code=error_code)
    if not moves_forward(message.status, status):
        return False
    set_message_status(session, message, status, error_code, now)
    return True
