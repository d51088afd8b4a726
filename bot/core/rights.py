"""What officers can do for a resident who asks through the council rather than by text:
erase everything about their number, or opt the number out.

The reason is chosen from a fixed list, never typed: an audit entry about an erased resident
must not keep words about them, and a typed reason ("Mrs Evans rang") would be exactly that.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.channels.addresses import AddressError, parse_address
from bot.core.audit import record_event
from bot.core.form_tokens import Submission, spend
from bot.core.opt_out import number_hashes, opt_out
from bot.runtime.clock import Clock, utc_now
from bot.runtime.crypto import Vault
from bot.runtime.queue import JobQueue, QueueUnavailableError
from bot.runtime.refusal import RefusalError
from bot.store.db import Database
from bot.store.participants import ErasedWork, erase_number, get_participant

log = logging.getLogger(__name__)

#: Why an officer erased a resident or opted them out (the audit log shows these words).
REASONS = {
    "asked_by_phone": "The resident asked by phone",
    "asked_in_writing": "The resident asked in writing or by email",
    "asked_in_person": "The resident asked in person",
    "not_their_number": "The number is not the resident's (wrong or recycled number)",
    "entered_in_error": "Recorded in error",
}


class RightsError(RefusalError):
    """The request cannot be carried out; the message says why, in plain words."""


@dataclass(frozen=True)
class Erased:
    """What an erasure removed: how many participants (a shared phone has several)."""

    participants: int


def finish_erasure(db: Database, queue: JobQueue, work: ErasedWork) -> None:
    """After the erasure commits: no queued job points at an erased row, (SQLite) no page of
    the file still holds one, and their recordings Twilio still has are deleted there. The
    erasure stands whatever Twilio or Redis do: a deletion that cannot be queued now is
    found by the sweep (bot.core.recordings)."""
    queue.forget(work.sends, work.timer_ids)
    db.scrub()
    for deletion_id in work.recording_deletions:
        try:
            queue.enqueue_recording_deletion(deletion_id)
        except QueueUnavailableError:
            log.warning("recording_deletion_deferred deletion=%s", deletion_id)


class Rights:
    def __init__(
        self, *, db: Database, vault: Vault, queue: JobQueue, clock: Clock = utc_now
    ) -> None:
        self.db = db
        self.vault = vault
        self.queue = queue
        self.clock = clock

    def erase_number(self, raw_number: str, *, user_id: int | None, reason: str) -> Erased:
        """Erase every participant on the number, on every channel (`sgwrs erase`)."""
        _check_reason(reason)
        try:
            number = parse_address(raw_number).number
        except AddressError as error:
            raise RightsError(
                "That is not a phone number we can use: {problem}", problem=error
            ) from error
        return self._erase(self.vault.number_hashes(number), user_id=user_id, reason=reason)

    def erase_participant(
        self,
        participant_id: int,
        *,
        user_id: int | None,
        reason: str,
        once: Submission | None = None,
    ) -> Erased:
        """Erase the number of this participant (the transcript page's button, whose form token
        `once` is spent with the erasure)."""
        _check_reason(reason)
        with self.db.session() as session:
            participant = get_participant(session, participant_id)
            if participant is None:
                raise RightsError("That resident has already been erased.")
            hashes = number_hashes(self.vault, participant)
        return self._erase(hashes, user_id=user_id, reason=reason, once=once)

    def opt_out(
        self,
        participant_id: int,
        *,
        user_id: int | None,
        reason: str,
        once: Submission | None = None,
    ) -> None:
        """Block every later text to this participant's number, as if they had sent STOP."""
        _check_reason(reason)
        with self.db.session() as session:
            spend(session, once, self.clock())
            participant = get_participant(session, participant_id)
            if participant is None:
                raise RightsError("That resident has been erased.")
            opt_out(session, self.vault, participant, "officer", self.clock())
            target = f"participant:{participant_id}"
            record_event(session, user_id, "number_opted_out", target, f"reason={reason}")

    def _erase(
        self,
        hashes: tuple[str, ...],
        *,
        user_id: int | None,
        reason: str,
        once: Submission | None = None,
    ) -> Erased:
        with self.db.session() as session:
            spend(session, once, self.clock())
            work = erase_number(session, hashes)
            ids = work.participant_ids
            target = f"participant:{ids[0]}" if ids else "number"
            detail = f"reason={reason}; participants={','.join(map(str, ids)) or 'none'}"
            record_event(session, user_id, "resident_erased", target, detail)
        finish_erasure(self.db, self.queue, work)
        log.info("number_erased participants=%s by=officer", len(work.participant_ids))
        return Erased(len(work.participant_ids))


def _check_reason(reason: str) -> None:
    if reason not in REASONS:
        raise RightsError("Choose why from the list of reasons.")
