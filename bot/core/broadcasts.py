""" "You said, we did": reporting back to the residents of a flow who asked to hear back.

Bilingual by rule: each resident gets the message in their language at the same time, and a
resident whose language is unknown gets both, Welsh first. Sending fans out through the outbox
at the send rate, skips anyone who opted out or was erased, and can be paused and resumed.
The preview warns when the officer's text holds a phone number, email or address.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.channels.sms import MOST_SEGMENTS, normalise, segment_info
from bot.core.form_tokens import Submission, spend
from bot.engine.render import compose
from bot.flowspec.model import Text
from bot.runtime.clock import Clock, utc_now
from bot.runtime.crypto import Vault
from bot.runtime.queue import JobQueue
from bot.runtime.redaction import ADDRESS, EMAIL, KINDS, PHONE, POSTCODE, redact
from bot.runtime.refusal import RefusalError
from bot.store.broadcasts import add_broadcast, get_broadcast, set_broadcast_status
from bot.store.db import Database, UnitOfWork
from bot.store.models import Broadcast
from bot.store.outbox import (
    add_outbox_messages,
    count_sends_by_status,
    list_pending_sends,
)
from bot.store.recipients import list_broadcast_recipients

log = logging.getLogger(__name__)
#: A spent form token's result for the broadcast it made: "broadcast:" and its id.
RESULT = "broadcast:"
#: Rows written per transaction while fanning out, so a large broadcast never holds long locks.
BATCH = 500
#: The preview's warning for each kind of contact detail in the text: a warning, not a refusal,
#: since a council may well give its own helpline number.
CONTACT_WARNINGS = {
    PHONE: "This text contains a phone number: every recipient will see it.",
    EMAIL: "This text contains an email address: every recipient will see it.",
    POSTCODE: "This text contains a postcode: every recipient will see it.",
    ADDRESS: "This text contains a street address: every recipient will see it.",
}


#: Why a broadcast could not be paused ("paused") or resumed ("sending") from where it is.
STATUS_REFUSALS = {
    "paused": "Only a broadcast that is sending can be paused.",
    "sending": "Only a paused broadcast can be resumed.",
}


class BroadcastError(RefusalError):
    """The broadcast cannot do that; the message says why."""


@dataclass(frozen=True)
class Preview:
    """Who would receive it (counts only) and what it would cost."""

    recipients: dict[str, int]
    segments_each: dict[str, int]
    encodings: dict[str, str]
    total_segments: int
    estimated_cost: float
    #: CONTACT_WARNINGS for what either language's text holds, in KINDS' order
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class Progress:
    broadcast_id: int
    status: str
    counts: dict[str, int]


class Broadcasts:
    def __init__(
        self,
        *,
        db: Database,
        vault: Vault,
        queue: JobQueue,
        price_per_segment: float,
        flow_ids: frozenset[str],
        clock: Clock = utc_now,
    ) -> None:
        self.db = db
        self.vault = vault
        self.queue = queue
        self.price_per_segment = price_per_segment
        #: The flows a broadcast may report back on (a typo must not reach nobody silently).
        self.flow_ids = flow_ids
        self.clock = clock

    def preview(self, flow_id: str, body_cy: str, body_en: str) -> Preview:
        text = broadcast_text(body_cy, body_en)
        self._check_flow(flow_id)
        with self.db.session() as session:
            languages = [language for _, language in list_broadcast_recipients(session, flow_id)]
        recipients = dict.fromkeys(("cy", "en", "both"), 0)
        for language in languages:
            recipients[language or "both"] += 1
        bodies = {"cy": text.cy, "en": text.en, "both": compose([text], None)}
        infos = {key: segment_info(body) for key, body in bodies.items()}
        total = sum(recipients[key] * infos[key].segments for key in bodies)
        found = redact(text.cy).found | redact(text.en).found
        return Preview(
            recipients=recipients,
            segments_each={key: info.segments for key, info in infos.items()},
            encodings={key: info.encoding for key, info in infos.items()},
            total_segments=total,
            estimated_cost=round(total * self.price_per_segment, 2),
            warnings=tuple(CONTACT_WARNINGS[kind] for kind in KINDS if kind in found),
        )

    def create(
        self,
        flow_id: str,
        body_cy: str,
        body_en: str,
        created_by: str,
        *,
        once: Submission | None = None,
    ) -> int:
        """A draft broadcast's id. With an officer's form token (`once`) the broadcast is made
        in the same unit of work that spends it, so the same form sent twice, even at once,
        makes one broadcast: the second gets AlreadySubmittedError naming it (`broadcast:ID`)."""
        self._check_flow(flow_id)
        text = broadcast_text(body_cy, body_en)
        with self.db.session() as session:
            spending = spend(session, once, self.clock())
            broadcast_id = add_broadcast(
                session, flow_id=flow_id, body_cy=text.cy, body_en=text.en, created_by=created_by
            )
            spending.resulted_in(f"{RESULT}{broadcast_id}")
            return broadcast_id

    def start(self, broadcast_id: int) -> int:
        """Write one outbox row per recipient (once, however often this runs) and queue them."""
        with self.db.session() as session:
            broadcast = self._get(session, broadcast_id)
            if broadcast.status not in {"draft", "sending"}:
                raise BroadcastError(
                    "This broadcast has already started, so it cannot start again."
                )
            set_broadcast_status(session, broadcast, "sending", started_at=self.clock())
            text = Text(cy=broadcast.body_cy, en=broadcast.body_en)
            recipients = list_broadcast_recipients(session, broadcast.flow_id)
        written = 0
        for start in range(0, len(recipients), BATCH):
            sends = [
                (
                    participant_id,
                    compose([text], language),
                    f"broadcast:{broadcast_id}:{participant_id}",
                )
                for participant_id, language in recipients[start : start + BATCH]
            ]
            with self.db.session() as session:
                tickets = add_outbox_messages(
                    session,
                    self.vault,
                    sends,
                    purpose="broadcast",
                    priority="bulk",
                    now=self.clock(),
                    broadcast_id=broadcast_id,
                )
            self.queue.enqueue(tickets)
            written += len(tickets)
        log.info("broadcast_started broadcast=%s sends=%s", broadcast_id, written)
        return written

    def pause(self, broadcast_id: int, *, once: Submission | None = None) -> None:
        self._set_status(broadcast_id, "paused", allowed={"sending"}, once=once)

    def resume(self, broadcast_id: int, *, once: Submission | None = None) -> None:
        self._set_status(broadcast_id, "sending", allowed={"paused"}, once=once)
        with self.db.session() as session:
            tickets = list_pending_sends(session, broadcast_id)
        self.queue.enqueue(tickets)

    def progress(self, broadcast_id: int) -> Progress:
        with self.db.session() as session:
            broadcast = self._get(session, broadcast_id)
            counts = count_sends_by_status(session, broadcast_id)
            unfinished = counts.get("pending", 0) + counts.get("sending", 0)
            if broadcast.status == "sending" and not unfinished:
                set_broadcast_status(session, broadcast, "done")
            return Progress(broadcast_id, broadcast.status, counts)

    def _set_status(
        self, broadcast_id: int, status: str, *, allowed: set[str], once: Submission | None
    ) -> None:
        with self.db.session() as session:
            spend(session, once, self.clock())
            broadcast = self._get(session, broadcast_id)
            if broadcast.status not in allowed:
                raise BroadcastError(STATUS_REFUSALS[status])
            set_broadcast_status(session, broadcast, status)
        log.info("broadcast_%s broadcast=%s", status, broadcast_id)

    def _check_flow(self, flow_id: str) -> None:
        if flow_id not in self.flow_ids:
            raise BroadcastError(
                "There is no flow {flow}. Choose one of: {flows}.",
                flow=flow_id or "''",
                flows=", ".join(sorted(self.flow_ids)),
            )

    @staticmethod
    def _get(session: UnitOfWork, broadcast_id: int) -> Broadcast:
        broadcast = get_broadcast(session, broadcast_id)
        if broadcast is None:
            raise BroadcastError("There is no broadcast {id}.", id=broadcast_id)
        return broadcast


def broadcast_text(body_cy: str, body_en: str) -> Text:
    """The message in both languages, tidied, or the reason it cannot be sent."""
    cy, en = normalise(body_cy), normalise(body_en)
    if not cy or not en:
        raise BroadcastError("Write the message in both Welsh and English.")
    text = Text(cy=cy, en=en)
    # The longest text sent: residents who never chose a language get both, Welsh first.
    segments = segment_info(compose([text], None)).segments
    if segments > MOST_SEGMENTS:
        raise BroadcastError(
            "Residents who never chose a language get the Welsh and then the English in one"
            " text, and that would be {segments} segments. Shorten both to fit {most}.",
            segments=segments,
            most=MOST_SEGMENTS,
        )
    return text
