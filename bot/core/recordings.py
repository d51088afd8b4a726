"""Callers' recordings: personal data, kept as residents' words are, and never left at Twilio.

A caller's own-words answer on a call is a recording Twilio holds. When it is ready Twilio
posts the recording-status callback (webhooks/recordings.py, signed), and the desk ties the
recording to the caller and queues a fetch. The fetch downloads the audio (bot/channels/
recordings.py), seals it (the bytes as base64 text, under DATA_KEY), opens the sealed copy again
and compares its SHA-256 with the bytes Twilio gave, stores it, and only then deletes Twilio's
copy. Twilio down, a timeout, a copy that does not verify: the recording stays `waiting`, and
the sweep (or the embedded pump) tries it again RETRY_AFTER later, so nothing is lost and
nothing is hammered. A deletion that fails is kept in `recording_deletions` and tried again the
same way; Twilio answering 404 means there is nothing left to delete, which counts as done.

Erasing a caller (DELETE, an officer, the retention purge) erases their recordings with their
other rows and lists any Twilio may still hold for deletion there (bot.core.rights).

Officers and admins play a stored recording (each listen is audit-logged) and can type a
summary or transcript of it, which becomes the answer's text: sealed, searched, themed and
exported like any typed answer. Partners never get audio. Logs carry ids only: never a number,
never audio, never what an officer typed.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.channels.recordings import MediaError, RecordingMedia
from bot.core.audit import record_event
from bot.core.form_tokens import Submission, spend
from bot.core.spoken import spoken_seconds
from bot.runtime.clock import Clock, utc_now
from bot.runtime.crypto import Vault
from bot.runtime.queue import JobQueue, QueueUnavailableError
from bot.runtime.redaction import has_contact_details
from bot.runtime.refusal import RefusalError
from bot.store.answers import get_answer
from bot.store.db import Database
from bot.store.recordings import (
    finish_deletion,
    get_deletion,
    get_recording,
    keep_typed_answer,
    list_due_deletions,
    list_due_recordings,
    mark_recording_failed,
    mark_recording_skipped,
    note_deletion_tried,
    note_fetch_tried,
    request_twilio_deletion,
    set_summary,
    store_recording_audio,
    tie_recording,
)

log = logging.getLogger(__name__)

#: How long after a try that failed a recording is fetched (or deleted at Twilio) again.
RETRY_AFTER = timedelta(minutes=5)
#: Twilio's RecordingStatus values.
STATUSES = frozenset({"in-progress", "completed", "absent", "failed"})
#: A summary is what the caller said, in an officer's words; a long transcript still fits.
MAX_SUMMARY = 4000


class RecordingError(RefusalError):
    """The summary cannot be kept as written; the message says why, in an officer's words."""


@dataclass(frozen=True)
class PlayableAudio:
    audio: bytes
    content_type: str


def seal_audio(vault: Vault, audio: bytes) -> str:
    """The audio as sealed text: its bytes in base64, sealed as any resident's words are."""
    return vault.seal(base64.b64encode(audio).decode("ascii"))


def open_audio(vault: Vault, sealed: str) -> bytes:
    return base64.b64decode(vault.open(sealed), validate=True)


class RecordingDesk:
    def __init__(
        self,
        *,
        db: Database,
        vault: Vault,
        queue: JobQueue,
        media: RecordingMedia,
        clock: Clock = utc_now,
        retry_after: timedelta = RETRY_AFTER,
    ) -> None:
        self.db = db
        self.vault = vault
        self.queue = queue
        self.media = media
        self.clock = clock
        self.retry_after = retry_after

    # -- Twilio's callback -----------------------------------------------------------------------

    def on_status(
        self, call_sid: str, recording_sid: str, status: str, duration: int, url: str = ""
    ) -> str:
        """Twilio's recording-status callback; what was done, as a word for the log.

        `completed`: the recording is tied to its caller (found by CallSid) and fetched.
        `failed`/`absent`: there is no audio; the recording says so. A recording of a call
        Sgwrs holds nothing about (its caller was erased) is stored nowhere, only deleted at
        Twilio. `url` (the callback's RecordingUrl) is never fetched: the audio is asked for
        by its SID, at the API Sgwrs is configured with.
        """
        if status not in STATUSES or status == "in-progress":
            return "ignored"
        now = self.clock()
        fetch_id = deletion_id = None
        with self.db.session() as session:
            row = tie_recording(session, call_sid, recording_sid, max(duration, 0), now)
            if row is None:
                if status == "completed":
                    deletion_id = request_twilio_deletion(session, recording_sid, now)
                outcome = "unknown_call"
            else:
                if row.status != "waiting":
                    outcome = "already_" + row.status
                elif status == "completed":
                    fetch_id, outcome = row.id, "waiting"
                else:
                    mark_recording_failed(session, row)
                    outcome = "failed"
        log.info("recording_status recording_sid=%s outcome=%s", recording_sid, outcome)
        if fetch_id is not None:
            self._enqueue(self.queue.enqueue_recording, fetch_id)
        if deletion_id is not None:
            self._enqueue(self.queue.enqueue_recording_deletion, deletion_id)
        return outcome

    def discard(self, call_sid: str, recording_sid: str) -> None:
        """A recording the caller skipped (pressing 1), or one no step can keep: marked so the
        status callback never fetches it, and deleted at Twilio unheard."""
        now = self.clock()
        with self.db.session() as session:
            row = tie_recording(session, call_sid, recording_sid, 0, now)
            if row is not None:
                mark_recording_skipped(session, row)
            deletion_id = request_twilio_deletion(session, recording_sid, now)
        log.info("recording_discarded recording_sid=%s", recording_sid)
        self._enqueue(self.queue.enqueue_recording_deletion, deletion_id)

    def keep_typed(self, call_sid: str, recording_sid: str, words: str) -> str:
        """A simulator's stand-in for a recorded answer (bot/core/call_simulator.py): the words
        typed in place of speaking become the answer's text (sealed, searched, themed and
        exported like any answer's) and the recording is marked simulated: there is no audio,
        here or at Twilio, so nothing is fetched or deleted. The outcome, as a word for the log.
        """
        from bot.runtime.language import detect_language  # its model loads on first use only

        text = words.strip()[:MAX_SUMMARY]
        now = self.clock()
        with self.db.session() as session:
            seconds = max(1, math.ceil(spoken_seconds(text)))
            row = tie_recording(session, call_sid, recording_sid, seconds, now)
            if row is None:
                outcome = "unknown_call"
            elif row.status not in ("waiting", "simulated"):
                outcome = "already_" + row.status  # skipped, or no step could keep it
            else:
                answer = get_answer(session, row.answer_id) if row.answer_id else None
                keep_typed_answer(
                    session,
                    self.vault,
                    row,
                    answer,
                    text=text,
                    language=detect_language(text),
                    contact_details=has_contact_details(text),
                    now=now,
                )
                outcome = "answer" if answer is not None else "no_answer"
        log.info("recording_simulated recording_sid=%s outcome=%s", recording_sid, outcome)
        return outcome

    def _enqueue(self, enqueue: Callable[[int], None], row_id: int) -> None:
        """Queue a job; Redis being down is fine: the sweep finds the row later."""
        try:
            enqueue(row_id)
        except QueueUnavailableError:
            log.warning("recording_enqueue_deferred id=%s reason=queue_unavailable", row_id)

    # -- the jobs --------------------------------------------------------------------------------

    def fetch(self, recording_id: int) -> str:
        """Fetch, seal, verify and store one recording, then delete it at Twilio; the outcome.

        stored: done (Twilio's copy deleted, or its deletion queued for a retry); waiting: to be
        tried again later; failed: Twilio has no such recording; gone: erased meanwhile, or
        already fetched.
        """
        with self.db.session() as session:
            row = get_recording(session, recording_id)
            if row is None or row.status != "waiting":
                return "gone"
            note_fetch_tried(session, row, self.clock())
            recording_sid = row.recording_sid
        try:
            got = self.media.fetch(recording_sid)
        except MediaError as error:
            if error.gone:
                with self.db.session() as session:
                    row = get_recording(session, recording_id)
                    if row is not None and row.status == "waiting":
                        mark_recording_failed(session, row)
                log.warning("recording_fetch_gone recording=%s", recording_id)
                return "failed"
            log.warning("recording_fetch_failed recording=%s status=%s", recording_id, error.status)
            return "waiting"
        digest = hashlib.sha256(got.audio).digest()
        sealed = seal_audio(self.vault, got.audio)
        if hashlib.sha256(open_audio(self.vault, sealed)).digest() != digest:
            log.error("recording_not_verified recording=%s", recording_id)
            return "waiting"
        with self.db.session() as session:
            row = get_recording(session, recording_id)
            if row is None or row.status != "waiting":
                return "gone"  # erased while it downloaded: its deletion at Twilio is queued
            deletion_id = store_recording_audio(
                session,
                row,
                audio_encrypted=sealed,
                content_type=got.content_type,
                now=self.clock(),
            )
        log.info("recording_stored recording=%s", recording_id)
        self.delete_at_twilio(deletion_id)
        return "stored"

    def delete_at_twilio(self, deletion_id: int) -> str:
        """Delete one recording at Twilio; deleted, already_gone, waiting (try again) or done."""
        with self.db.session() as session:
            deletion = get_deletion(session, deletion_id)
            if deletion is None:
                return "done"
            note_deletion_tried(session, deletion, self.clock())
            recording_sid = deletion.recording_sid
        try:
            had_copy = self.media.delete(recording_sid)
        except MediaError as error:
            if not error.gone:
                log.warning(
                    "recording_delete_failed deletion=%s status=%s", deletion_id, error.status
                )
                return "waiting"
            had_copy = False
        with self.db.session() as session:
            deletion = get_deletion(session, deletion_id)
            if deletion is not None:
                finish_deletion(session, deletion, self.clock())
        outcome = "deleted" if had_copy else "already_gone"
        log.info("recording_deleted_at_twilio deletion=%s outcome=%s", deletion_id, outcome)
        return outcome

    def _due(self) -> tuple[list[int], list[int]]:
        before = self.clock() - self.retry_after
        with self.db.session() as session:
            return list_due_recordings(session, before), list_due_deletions(session, before)

    def enqueue_due(self) -> dict[str, int]:
        """The sweep's part: queue every waiting fetch and deletion not tried lately (the queue
        skips those with a live job), so one lost with Redis, or one that failed, is tried."""
        fetches, deletions = self._due()
        for recording_id in fetches:
            self.queue.enqueue_recording(recording_id)
        for deletion_id in deletions:
            self.queue.enqueue_recording_deletion(deletion_id)
        return {"recordings": len(fetches), "recording_deletions": len(deletions)}

    def run_due(self) -> int:
        """Without a worker (the embedded pump): do the due fetches and deletions now."""
        fetches, deletions = self._due()
        for recording_id in fetches:
            self.fetch(recording_id)
        for deletion_id in deletions:
            self.delete_at_twilio(deletion_id)
        return len(fetches) + len(deletions)

    # -- officers --------------------------------------------------------------------------------

    def play(self, recording_id: int, *, user_id: int, count_listen: bool) -> PlayableAudio | None:
        """A stored recording's audio for an officer; None when it is not held (not yet
        fetched, no audio, or erased). `count_listen`: this request starts a listen, which is
        audit-logged (a browser asks again for later parts as it plays or seeks)."""
        with self.db.session() as session:
            row = get_recording(session, recording_id)
            if row is None or row.status != "stored" or row.audio_encrypted is None:
                return None
            audio = PlayableAudio(
                open_audio(self.vault, row.audio_encrypted), row.content_type or "audio/mpeg"
            )
            if count_listen:
                target = f"participant:{row.participant_id}"
                record_event(session, user_id, "recording_played", target, f"recording={row.id}")
        return audio

    def summarise(
        self, recording_id: int, text: str, *, user_id: int, once: Submission | None = None
    ) -> int:
        """An officer's summary or transcript of the recording becomes its answer's text; the
        answer's id. Audit-logged without the words. Raises RecordingError."""
        words = text.strip()
        if not words:
            raise RecordingError("Type a summary or transcript of the recording first.")
        if len(words) > MAX_SUMMARY:
            raise RecordingError("A summary can be at most {limit} characters.", limit=MAX_SUMMARY)
        from bot.runtime.language import detect_language  # its model loads on first use only

        now = self.clock()
        with self.db.session() as session:
            spend(session, once, now)
            row = get_recording(session, recording_id)
            answer = get_answer(session, row.answer_id) if row and row.answer_id else None
            if row is None or answer is None or answer.id is None:
                raise RecordingError(
                    "That recording is not held as an answer (the resident may have been erased)."
                )
            set_summary(
                session,
                self.vault,
                row,
                answer,
                text=words,
                language=detect_language(words),
                contact_details=has_contact_details(words),
                user_id=user_id,
                now=now,
            )
            target = f"answer:{answer.id}"
            record_event(session, user_id, "recording_summarised", target, f"recording={row.id}")
            answer_id = answer.id
        log.info("recording_summarised recording=%s", recording_id)
        return answer_id
