""" "You said, we did": reporting back to the residents of a flow who asked to hear back.

Bilingual by rule: each resident gets the message in their language at the same time, and a
resident whose language is unknown gets both, Welsh first; every text ends with how to stop
(bot/core/broadcast_text.py). Sending fans out through the outbox at the send rate, skips
anyone who opted out or was erased, and can be paused and resumed. Its texts are bulk, so quiet
hours hold them back, and progress says so and until when, rather than just "waiting".
The preview warns when the officer's text holds a phone number, email or address.

Targeting narrows who it is for: the audience (those who asked to hear back, or everyone who
took part and consented), one partner's residents, one language's. The preview counts and the
send writes from the same query, so the figures an officer confirms are those sent to.
An officer can first send both texts to their own phone (bot/core/officer_phone.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.channels.sms import segment_info
from bot.core.audit import record_event
from bot.core.broadcast_text import BroadcastError, broadcast_text, resident_text
from bot.core.form_tokens import Submission, spend
from bot.core.officer_phone import PURPOSE as TEST_PURPOSE
from bot.core.officer_phone import officer_phone, test_resident_on
from bot.flowspec.model import LANGUAGES, Language, Text
from bot.runtime.clock import Clock, utc_now
from bot.runtime.crypto import Vault, mask_number
from bot.runtime.queue import JobQueue
from bot.runtime.quiet_hours import QuietHours
from bot.runtime.redaction import ADDRESS, EMAIL, KINDS, PHONE, POSTCODE, redact
from bot.store.broadcast_list import list_waiting_broadcasts
from bot.store.broadcasts import add_broadcast, get_broadcast, set_broadcast_status, targeting_of
from bot.store.db import Database, UnitOfWork
from bot.store.models import Broadcast
from bot.store.outbox import (
    OutboxTicket,
    add_outbox_message,
    add_outbox_messages,
    count_sends_by_status,
    list_pending_sends,
)
from bot.store.recipients import AUDIENCES, HEAR_BACK, Targeting, list_broadcast_recipients

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
    #: When its waiting texts may go, in local time, while quiet hours hold them back
    held_until: datetime | None = None


@dataclass(frozen=True)
class HeldBroadcast:
    """A sending broadcast whose texts wait for quiet hours to end."""

    broadcast_id: int
    flow_id: str
    #: Its texts not sent yet
    waiting: int
    #: When quiet hours end and they go, in local time (the quiet hours' time zone)
    until: datetime


@dataclass(frozen=True)
class SentToOfficer:
    """What went to an officer's phone: the number as officers may see it, and how many texts."""

    masked_number: str
    sends: int


class Broadcasts:
    def __init__(
        self,
        *,
        db: Database,
        vault: Vault,
        queue: JobQueue,
        price_per_segment: float,
        flow_ids: frozenset[str],
        partner_codes: frozenset[str],
        quiet_hours: QuietHours,
        clock: Clock = utc_now,
    ) -> None:
        self.db = db
        self.vault = vault
        self.queue = queue
        self.price_per_segment = price_per_segment
        #: The flows a broadcast may report back on (a typo must not reach nobody silently).
        self.flow_ids = flow_ids
        #: The partners a broadcast may be narrowed to, for the same reason.
        self.partner_codes = partner_codes
        #: The window Delivery holds bulk texts in: progress says when they will go.
        self.quiet_hours = quiet_hours
        self.clock = clock

    def preview(
        self, flow_id: str, body_cy: str, body_en: str, targeting: Targeting = HEAR_BACK
    ) -> Preview:
        """Who the targeting reaches (counts by language) and what each text costs with its
        ending; the same query as the send, so the counts are exactly who gets it."""
        text = self._checked(flow_id, body_cy, body_en, targeting)
        with self.db.session() as session:
            reached = list_broadcast_recipients(session, flow_id, targeting)
        recipients = dict.fromkeys(("cy", "en", "both"), 0)
        for _, language in reached:
            recipients[language or "both"] += 1
        bodies = {key: resident_text(text, _language(key)) for key in recipients}
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
        targeting: Targeting = HEAR_BACK,
        *,
        once: Submission | None = None,
    ) -> int:
        """A draft broadcast's id. With an officer's form token (`once`) the broadcast is made
        in the same unit of work that spends it, so the same form sent twice, even at once,
        makes one broadcast: the second gets AlreadySubmittedError naming it (`broadcast:ID`)."""
        text = self._checked(flow_id, body_cy, body_en, targeting)
        with self.db.session() as session:
            spending = spend(session, once, self.clock())
            broadcast_id = add_broadcast(
                session,
                flow_id=flow_id,
                body_cy=text.cy,
                body_en=text.en,
                created_by=created_by,
                targeting=targeting,
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
            recipients = list_broadcast_recipients(
                session, broadcast.flow_id, targeting_of(broadcast)
            )
        written = 0
        for start in range(0, len(recipients), BATCH):
            sends = [
                (
                    participant_id,
                    resident_text(text, _language(language)),
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
        """Its sends counted by status; and, while quiet hours hold its waiting texts back,
        when they will go."""
        with self.db.session() as session:
            broadcast = self._get(session, broadcast_id)
            counts = count_sends_by_status(session, broadcast_id)
            unfinished = counts.get("pending", 0) + counts.get("sending", 0)
            if broadcast.status == "sending" and not unfinished:
                set_broadcast_status(session, broadcast, "done")
            status = broadcast.status
        held = status == "sending" and counts.get("pending", 0) > 0
        return Progress(broadcast_id, status, counts, self.quiet_hours_end() if held else None)

    def held_broadcasts(self) -> list[HeldBroadcast]:
        """Every broadcast whose texts quiet hours are holding back now, and until when (local
        time): for the broadcasts page, and for anything that lists what is waiting."""
        until = self.quiet_hours_end()
        if until is None:
            return []
        with self.db.session() as session:
            waiting = list_waiting_broadcasts(session)
        return [HeldBroadcast(row.id, row.flow_id, row.waiting, until) for row in waiting]

    def quiet_hours_end(self) -> datetime | None:
        """When quiet hours end, in their local time, if they are on now; else None."""
        now = self.clock()
        if not self.quiet_hours.contains(now):
            return None
        return self.quiet_hours.next_allowed(now).astimezone(self.quiet_hours.tz)

    def send_test(
        self,
        number: str,
        body_cy: str,
        body_en: str,
        *,
        user_id: int | None,
        targeting: Targeting = HEAR_BACK,
        once: Submission | None = None,
    ) -> SentToOfficer:
        """The Welsh and the English texts, as residents would get them, to one officer's phone,
        now (urgent: a test is not held for quiet hours) and only there. Audit-logged with the
        number masked; the phone is a test resident, so no figure counts these texts."""
        text = broadcast_text(body_cy, body_en, _language(targeting.language))
        address = officer_phone(number)
        now = self.clock()
        with self.db.session() as session:
            spend(session, once, now)
            phone = test_resident_on(session, self.vault, address, now)
            assert phone.id is not None
            rows = [
                add_outbox_message(
                    session,
                    self.vault,
                    participant_id=phone.id,
                    body=resident_text(text, language),
                    purpose=TEST_PURPOSE,
                    priority="urgent",
                    now=now,
                )
                for language in LANGUAGES
            ]
            tickets = [OutboxTicket.of(row) for row in rows if row is not None]
            masked = mask_number(address.number)
            detail = f"phone={masked}; sends={len(tickets)}"
            record_event(session, user_id, "broadcast_test_sent", f"participant:{phone.id}", detail)
        self.queue.enqueue(tickets)
        log.info("broadcast_test_sent participant=%s sends=%s", phone.id, len(tickets))
        return SentToOfficer(masked, len(tickets))

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

    def _checked(self, flow_id: str, body_cy: str, body_en: str, targeting: Targeting) -> Text:
        """The message, if it fits with its ending and the flow and targeting are known."""
        text = broadcast_text(body_cy, body_en, _language(targeting.language))
        if flow_id not in self.flow_ids:
            raise BroadcastError(
                "There is no flow {flow}. Choose one of: {flows}.",
                flow=flow_id or "''",
                flows=", ".join(sorted(self.flow_ids)),
            )
        if targeting.audience not in AUDIENCES:
            raise BroadcastError(
                "There is no audience {audience}. Choose one of: {audiences}.",
                audience=targeting.audience or "''",
                audiences=", ".join(AUDIENCES),
            )
        if targeting.partner_code is not None and targeting.partner_code not in self.partner_codes:
            raise BroadcastError(
                "There is no partner {partner}. Choose one of: {partners}.",
                partner=targeting.partner_code or "''",
                partners=", ".join(sorted(self.partner_codes)),
            )
        if targeting.language is not None and targeting.language not in LANGUAGES:
            raise BroadcastError(
                "There is no language {language}. Choose cy or en.",
                language=targeting.language or "''",
            )
        return text

    @staticmethod
    def _get(session: UnitOfWork, broadcast_id: int) -> Broadcast:
        broadcast = get_broadcast(session, broadcast_id)
        if broadcast is None:
            raise BroadcastError("There is no broadcast {id}.", id=broadcast_id)
        return broadcast


def _language(value: str | None) -> Language | None:
    """cy or en as the engine types them; anything else (not chosen, "both") is None."""
    return "cy" if value == "cy" else "en" if value == "en" else None
