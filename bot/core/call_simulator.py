"""A phone call played without a phone: `sgwrs call` in a terminal, and the admin's phone
simulator in its voice mode. Both play it here, through the desk a real call goes through
(bot/core/calls.py: the voice flow, the engine, the inbound desk and its receipts), as a test
caller, left out of every figure like the text simulator's residents.

Each move is what Twilio would post: the incoming call, a key or a silence at a `<Gather>`, an
answer ended by # or skipped by 1 at a `<Record>`, silence there (its `<Redirect>`), and the
call-status callback at the end. A call is handled once per CallSid and turn, as Twilio's
callbacks are, so a form sent twice, or a page brought back, changes nothing more.

A simulator cannot speak, so where a call records an own-words answer the words typed in its
place stand in for the recording: the recording desk keeps them as the answer's text and marks
the recording simulated (no audio, and nothing at Twilio to fetch or delete).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass

from bot.core.call_flow import CallTurn
from bot.core.calls import CallDesk, IncomingCall
from bot.engine.voice import Listen
from bot.flowspec.model import Language
from bot.runtime.clock import as_utc
from bot.runtime.refusal import RefusalError
from bot.store.calls import get_call
from bot.store.simulator import is_number_real

log = logging.getLogger(__name__)

#: The keys of a phone's keypad, each one a move at a step that waits for a key.
KEYPAD = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#")
#: At a step that records, what skips the answer (as the call says: "To skip, press 1").
SKIP = "1"
#: At a step that records, what counts as saying nothing: nothing, or only the key that ends it.
SILENT = frozenset({"", "#"})
#: The longest answer typed in place of a recording (a long transcript still fits).
MOST_TYPED = 4000


class SimulatorError(RefusalError):
    """The move cannot be played; the message says why, in words each interface translates."""


@dataclass(frozen=True)
class SimulatedCall:
    """Who is calling whom: the caller's number (a test number) and the number they rang."""

    call_sid: str
    number: str
    called: str = ""

    def incoming(self, status: str = "in-progress") -> IncomingCall:
        return IncomingCall(self.call_sid, self.number, self.called, status)


@dataclass(frozen=True)
class Played:
    """What the call said after a move, and what it then waits for."""

    #: (language, words) in the order they are said.
    said: tuple[tuple[Language, str], ...]
    listen: Listen
    #: The turn the next move is made at, and the silences and wrong keys so far at this step.
    turn: int = 1
    misses: int = 0
    #: The call was rejected unanswered (VOICE_MODE=missed-call): the caller is texted instead.
    missed: bool = False
    #: The call gave up (silence, wrong keys) and offered to carry on by text.
    texted: bool = False

    @property
    def ended(self) -> bool:
        """The call said its last words; it hung up (and its end was recorded)."""
        return self.listen == "nothing"


def new_call_sid() -> str:
    """A CallSid of the form Twilio gives, random, for a call no one made through Twilio."""
    return "CA" + secrets.token_hex(16)


def recording_sid_for(call_sid: str, turn: int) -> str:
    """The RecordingSid of the answer typed at `turn`: the same each time that turn is sent,
    so a form sent twice keeps one recording."""
    return "RE" + hashlib.sha256(f"{call_sid}/{turn}".encode()).hexdigest()[:32]


class CallSimulator:
    """Plays a simulated call through `desk`, the call desk the voice webhooks use."""

    def __init__(self, desk: CallDesk) -> None:
        self.desk = desk
        self.flow = desk.flow

    def ring(self, call: SimulatedCall) -> Played:
        """The incoming call: the first words, or a rejection in missed-call mode."""
        self._refuse_a_real_caller(call)
        answer = self.desk.answer(call.incoming("ringing"), is_test=True)
        if answer.missed or answer.turn is None:
            log.info("call_simulated sid=%s missed=true", call.call_sid)
            return Played((), "nothing", missed=True, texted=answer.texted)
        return self._after(call, answer.turn)

    def press(self, call: SimulatedCall, at: Played, key: str) -> Played:
        """A key of the keypad ("" for silence) at a step that waits for a key."""
        if key not in KEYPAD and key != "":
            raise SimulatorError("Press one key: 0 to 9, * or #.")
        if at.listen != "key":
            raise SimulatorError("The call is not waiting for a key.")
        self._refuse_a_real_caller(call)
        played = self.desk.press(call.incoming(), at.turn, key, at.misses, is_test=True)
        return self._after(call, played)

    def answer(self, call: SimulatedCall, at: Played, words: str) -> Played:
        """At a step that records: `words` typed in place of an answer said and ended by #;
        "1" skips it (as pressing 1 does), and nothing (or "#" alone) is silence."""
        if at.listen != "recording":
            raise SimulatorError("The call is not waiting for an answer.")
        words = words.strip()
        if len(words) > MOST_TYPED:
            raise SimulatorError("An answer can be at most {limit} characters.", limit=MOST_TYPED)
        self._refuse_a_real_caller(call)
        incoming = call.incoming()
        if words in SILENT:  # Twilio goes on to the <Redirect>: no answer at this step
            played = self.desk.press(incoming, at.turn, "", at.misses, is_test=True)
            return self._after(call, played)
        recording_sid = recording_sid_for(call.call_sid, at.turn)
        if words == SKIP:
            played = self.desk.recorded(incoming, at.turn, recording_sid, SKIP, is_test=True)
            return self._after(call, played)
        played = self.desk.recorded(incoming, at.turn, recording_sid, "#", is_test=True)
        self.flow.recordings.keep_typed(call.call_sid, recording_sid, words)
        return self._after(call, played)

    def hang_up(self, call: SimulatedCall) -> None:
        """The caller rang off (or the call hung up): Twilio's call-status callback, with the
        call's length from its first turn until now."""
        with self.flow.db.session() as session:
            row = get_call(session, call.call_sid)
            started = as_utc(row.started_at) if row is not None else None
        now = self.flow.clock()
        seconds = max(0, round((now - started).total_seconds())) if started else 0
        self.flow.ended(call.call_sid, "completed", seconds)

    def _after(self, call: SimulatedCall, turn: CallTurn) -> Played:
        played = Played(turn.said, turn.listen, turn.turn, turn.misses, texted=turn.offer_text)
        if played.ended:  # <Hangup/>: Twilio ends the call and posts its status
            self.hang_up(call)
        return played

    def _refuse_a_real_caller(self, call: SimulatedCall) -> None:
        vault = self.flow.vault
        with self.flow.db.session() as session:
            taken = is_number_real(session, vault.number_hashes(call.number), "voice")
        if taken:
            raise SimulatorError(
                "A resident who is not test data uses this number, so it cannot be used"
            )
