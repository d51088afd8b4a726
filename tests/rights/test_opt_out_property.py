"""The opt-out promise as a property: after any opt-out signal, in any order with anything
else that can happen (texts, NEW, WhatsApp from the same number, an officer's answer, a
broadcast, reminders, retries, the carrier's 21610), nothing is sent to that number until it is
lifted by START/DECHRAU/UNSTOP/YES. The only texts allowed are the one reply that confirms the
STOP itself and the one that confirms an erasure.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import col, select

from bot.channels.addresses import parse_address
from bot.channels.sender import OutboundSms, SendResult
from bot.core.inbound import InboundMessage
from bot.core.questions import AnswerError
from bot.core.rights import RightsError
from bot.core.status import record_status
from bot.runtime.config import load_settings
from bot.runtime.container import Container, build_container
from bot.store.models import Participant
from bot.store.participants import get_current_participant
from tests.conftest import copy_sqlite, settings_for
from tests.delivery.support import WHATSAPP_FROM, MovableClock, drama_number
from tests.helpers import new_sid

STOP_WORDS = ("STOP", "stopio", "END", "Quit", "cancel", "UNSUBSCRIBE", "stopall")
LIFT_WORDS = ("start", "dechrau", "unstop", "yes")
ERASE_WORDS = ("DELETE", "dileu", "please delete everything about me")
TALK = ("Hi", "2", "1", "NEXT", "YES", "NO", "my words about the plan", "ASK why me?", "NEW")

EVENTS = st.one_of(
    st.tuples(st.just("text"), st.sampled_from(("sms", "whatsapp")), st.sampled_from(
        STOP_WORDS + LIFT_WORDS + ERASE_WORDS + TALK
    )),
    st.tuples(st.just("twilio_stop"), st.just("sms"), st.just("arret")),
    st.tuples(st.sampled_from(("answer", "broadcast", "carrier", "officer", "later")),
              st.just("sms"), st.just("")),
)  # fmt: skip


@dataclass
class RecordingSender:
    """Twilio as far as delivery can tell: accepts everything and remembers it."""

    #: (to, sid) of every text accepted.
    sent: list[tuple[str, str]] = field(default_factory=list)
    sids: Iterator[int] = field(default_factory=itertools.count)

    def send(self, message: OutboundSms) -> SendResult:
        sid = f"SM{'f' * 16}{next(self.sids):016x}"  # never one of new_sid()'s inbound SIDs
        self.sent.append((message.to, sid))
        return SendResult(sid, "queued")


class World:
    """One resident's number, the services and a model of whether the number is blocked."""

    def __init__(self, services: Container, sender: RecordingSender, clock: MovableClock):
        self.services, self.sender, self.clock = services, sender, clock
        self.number = drama_number(next(_numbers))
        self.blocked = False

    def step(self, kind: str, channel: str, body: str) -> None:
        before = self._sent_here()
        reply = self._do(kind, channel, body)
        self.deliver_due()
        sent = self._sent_here() - before
        if self.blocked:
            assert sent == 0, f"{sent} text(s) sent to a blocked number after {kind} {body!r}"
            if reply is not None and kind == "text":
                assert body in STOP_WORDS + ERASE_WORDS, f"a reply to {body!r} while blocked"

    def _do(self, kind: str, channel: str, body: str) -> str | None:
        address = ("whatsapp:" if channel == "whatsapp" else "") + self.number
        if kind == "text":
            was_blocked = self.blocked
            result = self.services.inbound.receive(
                InboundMessage(new_sid(), parse_address(address), body)
            )
            if body in STOP_WORDS:
                self.blocked = True
            elif was_blocked and body.casefold() in LIFT_WORDS:
                self.blocked = False
            return result.reply
        if kind == "twilio_stop":
            message = InboundMessage(new_sid(), parse_address(address), body, opt_out_type="STOP")
            result = self.services.inbound.receive(message)
            self.blocked = True
            return result.reply
        if kind == "answer":
            mine = set(self._participant_ids())
            for question in self.services.questions.open_questions():
                if question.participant_id not in mine:
                    continue  # another example's resident
                try:
                    self.services.questions.answer(question.id, "Here is our answer.")
                except AnswerError:
                    assert self.blocked, "an answer was refused to a number that is not blocked"
        elif kind == "broadcast":
            broadcasts = self.services.broadcasts
            broadcasts.start(broadcasts.create("energy-data", "Diolch", "Thank you", "test"))
        elif kind == "carrier" and self._last_sid():
            record_status(
                self.services.db, self.services.vault, self._last_sid(), "undelivered", 21610
            )
            self.blocked = True
        elif kind == "officer" and self._participant_id():
            try:
                self.services.rights.opt_out(
                    self._participant_id() or 0, user_id=None, reason="asked_by_phone"
                )
                self.blocked = True
            except RightsError:
                pass
        elif kind == "later":
            self.clock.advance(hours=25)
        return None

    def deliver_due(self) -> None:
        work = self.services.sweep.due_work()
        for timer_id in work.timers:
            self.services.inbound.fire_timer(timer_id)
        for ticket in self.services.sweep.due_work().sends:
            self.services.delivery.deliver(ticket.id)

    def _participant_id(self) -> int | None:
        with self.services.db.session() as session:
            found = get_current_participant(
                session, self.services.vault.number_hashes(self.number), "sms"
            )
            return found.id if found else None

    def _participant_ids(self) -> list[int]:
        with self.services.db.session() as session:
            statement = select(Participant.id).where(
                col(Participant.number_hash).in_(self.services.vault.number_hashes(self.number))
            )
            return [pid for pid in session.exec(statement) if pid is not None]

    def _sent_here(self) -> int:
        """Texts to this number, on either channel (other examples' residents share the DB)."""
        return sum(to.endswith(self.number) for to, _sid in self.sender.sent)

    def _last_sid(self) -> str | None:
        sids = [sid for to, sid in self.sender.sent if to.endswith(self.number)]
        return sids[-1] if sids else None


_numbers = itertools.count(500)


@pytest.fixture(scope="module")
def world_services(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[tuple[Container, RecordingSender, MovableClock]]:
    url = copy_sqlite(sqlite_template, tmp_path_factory.mktemp("property"))
    values = settings_for(
        url,
        QUIET_HOURS_START="00:00",
        QUIET_HOURS_END="00:00",
        SEND_RATE_PER_SECOND=1000,
        TWILIO_FROM_WHATSAPP=WHATSAPP_FROM,
    )
    sender, clock = RecordingSender(), MovableClock()
    services = build_container(load_settings(values, environ={}), sender=sender, clock=clock)
    yield services, sender, clock
    services.db.engine.dispose()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(EVENTS, min_size=1, max_size=18))
def test_nothing_is_sent_to_a_number_between_an_opt_out_and_its_lifting(
    world_services: tuple[Container, RecordingSender, MovableClock],
    events: list[tuple[str, str, str]],
) -> None:
    world = World(*world_services)
    for kind, channel, body in [("text", "sms", "Hi"), ("text", "sms", "2"), *events]:
        world.step(kind, channel, body)
