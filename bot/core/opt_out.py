"""Opt-out as a right of the phone number: STOP and Twilio's words from the resident, Twilio's
OptOutType and error 21610 from the carrier, or an officer's decision, all block every later
text to that number; START/DECHRAU/UNSTOP from it lifts the block.

Every place that sends asks `is_opted_out` at the moment of sending, so a text queued before
the opt-out (an answer, a reminder, a broadcast, a retry) is stopped too.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Literal

from bot.runtime.crypto import Vault
from bot.store.db import UnitOfWork
from bot.store.models import Participant
from bot.store.opt_outs import add_opt_out, is_number_opted_out, remove_opt_out

log = logging.getLogger(__name__)

#: Who said stop: the resident (their words), the carrier (Twilio) or an officer.
Source = Literal["resident", "carrier", "officer"]


def number_hashes(vault: Vault, participant: Participant) -> tuple[str, ...]:
    """Every hash the participant's number may be stored under (the current key's first)."""
    return vault.number_hashes(vault.open(participant.number_encrypted))


def is_opted_out(session: UnitOfWork, vault: Vault, participant: Participant) -> bool:
    return is_number_opted_out(session, number_hashes(vault, participant))


def opt_out(
    session: UnitOfWork,
    vault: Vault,
    participant: Participant,
    source: Source,
    now: datetime,
    *,
    error_code: int = 0,
) -> None:
    """Block the participant's number, and mark this participant as the one who opted out.
    Cancelled sends keep Twilio's `error_code` when the carrier told us (0: Sgwrs stopped it)."""
    cancelled = add_opt_out(
        session,
        participant,
        number_hashes=number_hashes(vault, participant),
        source=source,
        error_code=error_code,
        now=now,
    )
    log.info(
        "number_opted_out participant=%s source=%s cancelled=%s", participant.id, source, cancelled
    )


def opt_in(session: UnitOfWork, vault: Vault, participant: Participant) -> None:
    """Lift the block for the number, on every channel and for every participant on it."""
    remove_opt_out(session, number_hashes(vault, participant))
    participant.opted_out, participant.opted_out_at = False, None
    log.info("number_opted_in participant=%s", participant.id)
