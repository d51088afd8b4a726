"""A phone call through a voice flow: the same flows and engine as texts, said and keyed.

Each key a caller presses (or answer they record) becomes the reply it stands for at their step
(bot/engine/voice.py) and goes through the inbound desk like a text from a `voice` participant:
the same receipt (keyed on CallSid and the call's turn, so a callback Twilio retries is handled
once), lock, engine, answers and opt-out. The call's own keys are handled here and never reach
the engine: 9 says the step again, 0 its options, * changes language. Silence or a key that
means nothing says the options again, twice; then the call says goodbye and the caller is
offered the conversation by text.

First words: a caller who never chose a language hears the welcome's language question in
Welsh, then English; a number that chose a language by text (or on an earlier call) is greeted
in it. Returning callers pick up where they were.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.channels.addresses import Address
from bot.core.inbound import InboundDesk, InboundMessage
from bot.core.recordings import RecordingDesk
from bot.engine import texts as say
from bot.engine.state import SessionState
from bot.engine.voice import (
    OPTIONS,
    REPEAT,
    SWITCH,
    Listen,
    key_reply,
    listens_for,
    options_said,
    spoken_prompt,
)
from bot.flowspec.model import ChoiceStep, FlowLibrary, Language, Text
from bot.runtime.clock import Clock, utc_now
from bot.runtime.crypto import Vault
from bot.store.calls import close_call, get_call, open_call
from bot.store.db import Database
from bot.store.participants import (
    get_current_participant,
    get_current_participant_and_opt_out,
    read_state,
)

log = logging.getLogger(__name__)

#: Times the options are said again after silence or a wrong key before the call ends.
MOST_MISSES = 2
#: The key of each language at the welcome's language question, and the word that picks it.
LANGUAGE_KEYS: dict[Language, str] = {"cy": "1", "en": "2"}
_LANGUAGE_WORDS: dict[Language, str] = {"cy": "Cymraeg", "en": "English"}
#: Twilio's CallStatus values that end a call.
FINAL_STATUSES = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})


@dataclass(frozen=True)
class CallTurn:
    """What the call says next, and what it then waits for."""

    #: (language, words) in the order they are said.
    said: tuple[tuple[Language, str], ...]
    listen: Listen
    #: The number the next callback carries: with the CallSid, what makes it handled once.
    turn: int
    #: Silences and wrong keys so far at this step.
    misses: int = 0
    #: The call gave up after too many misses: text the caller an offer to go on by text.
    offer_text: bool = False


@dataclass(frozen=True)
class _Caller:
    state: SessionState | None
    opted_out: bool
    #: The language they chose by text, if they never called before.
    texted_language: Language | None


class CallFlow:
    def __init__(
        self,
        *,
        db: Database,
        library: FlowLibrary,
        vault: Vault,
        inbound: InboundDesk,
        recordings: RecordingDesk,
        clock: Clock = utc_now,
    ) -> None:
        self.db = db
        self.library = library
        self.vault = vault
        self.inbound = inbound
        self.recordings = recordings
        self.clock = clock

    def start(self, call_sid: str, number: str, *, is_test: bool = False) -> CallTurn:
        """The first words of a call. `is_test`: a simulated caller (bot/core/call_simulator.py),
        left out of every figure, as the text simulator's residents are."""
        caller = self._caller(number)
        if caller.opted_out:
            return self._final(caller.state, say.VOICE_OPTED_OUT, 1)
        state = caller.state
        if state is None or state.language is None:
            if caller.texted_language is not None:
                key = LANGUAGE_KEYS[caller.texted_language]
                return self._through_engine(
                    call_sid, number, 1, key, first=True, greet=True, is_test=is_test
                )
            return self._greeting(1, 0)
        self._note_call(call_sid, number)
        if state.status != "active":
            return self._said(state, (say.VOICE_FINISHED,), "key", 1)
        return self._said(state, (say.VOICE_WELCOME_BACK, self._prompt(state)), None, 1)

    def press(
        self, call_sid: str, number: str, turn: int, key: str, misses: int, *, is_test: bool = False
    ) -> CallTurn:
        """A key pressed (or "" for silence) after the words said at `turn`."""
        caller = self._caller(number)
        state = caller.state
        if caller.opted_out:
            return self._final(state, say.VOICE_GOODBYE, turn + 1)
        if state is None or state.language is None:
            if key in LANGUAGE_KEYS.values():
                return self._through_engine(
                    call_sid, number, turn, key, first=True, is_test=is_test
                )
            return self._missed(None, turn, misses, key)
        if state.status != "active":
            if key == "1":
                return self._through_engine(call_sid, number, turn, "START", is_test=is_test)
            return self._final(state, say.VOICE_GOODBYE, turn + 1)
        step = self.library.flow(state.flow_id).step(state.step_id)
        if key == REPEAT:
            return self._said(state, (self._prompt(state),), None, turn + 1)
        if key == OPTIONS:
            options = options_said(step) if isinstance(step, ChoiceStep) else self._prompt(state)
            return self._said(state, (options,), None, turn + 1)
        if key == SWITCH:
            other: Language = "en" if state.language == "cy" else "cy"
            return self._through_engine(
                call_sid, number, turn, _LANGUAGE_WORDS[other], is_test=is_test
            )
        reply = key_reply(step, key) if key else None
        if reply is None or listens_for(step, ended=False) == "nothing":
            return self._missed(state, turn, misses, key)
        return self._through_engine(call_sid, number, turn, reply, is_test=is_test)

    def recorded(
        self,
        call_sid: str,
        number: str,
        turn: int,
        recording_sid: str,
        key: str,
        *,
        is_test: bool = False,
    ) -> CallTurn:
        """A recording ended at an own-words step: by # (or ringing off), the answer; by 1,
        skipped, and Twilio's copy deleted unheard."""
        state = self._caller(number).state
        if state is None or state.status != "active":
            self.recordings.discard(call_sid, recording_sid)
            return self._final(state, say.VOICE_GOODBYE, turn + 1)
        step = self.library.flow(state.flow_id).step(state.step_id)
        if listens_for(step, ended=False) != "recording":  # a stale callback: nothing to keep
            self.recordings.discard(call_sid, recording_sid)
            return self._said(state, (self._prompt(state),), None, turn + 1)
        if key == "1":
            self.recordings.discard(call_sid, recording_sid)
            return self._through_engine(call_sid, number, turn, "skip", is_test=is_test)
        return self._through_engine(
            call_sid, number, turn, "", recording=recording_sid, is_test=is_test
        )

    def ended(self, call_sid: str, status: str, duration_seconds: int | None) -> bool:
        """Twilio's call-status callback: the call is over. False for a call not known here."""
        with self.db.session() as session:
            call = get_call(session, call_sid)
            if call is None:
                return False
            close_call(session, call, status, duration_seconds, self.clock())
        log.info("call_ended sid=%s status=%s", call_sid, status)
        return True

    # -- what is said --------------------------------------------------------------------------

    def _through_engine(
        self,
        call_sid: str,
        number: str,
        turn: int,
        text: str,
        *,
        recording: str = "",
        first: bool = False,
        greet: bool = False,
        is_test: bool = False,
    ) -> CallTurn:
        """`text` through the inbound desk as the caller's reply. `first`: the caller has just
        got a language, so the call's own keys are said once; `greet`: the language came from
        their texts, so nothing has welcomed them yet."""
        message = InboundMessage(
            f"{call_sid}/{turn}", Address("voice", number), text, recording=recording
        )
        result = self.inbound.receive(message, is_test=is_test)
        state = self._note_call(call_sid, number)
        if state is None:  # erased, or handled by the sweep later: nothing more to say now
            return self._final(None, say.VOICE_GOODBYE, turn + 1)
        if result.reply is None or result.duplicate:
            return self._said(state, (self._prompt(state),), None, turn + 1)
        spoken: tuple[Text | str, ...] = (result.reply,)
        if greet:
            spoken = (say.VOICE_WELCOME, *spoken)
        if first:
            spoken += (say.VOICE_KEYS,)
        return self._said(state, spoken, None, turn + 1)

    def _said(
        self,
        state: SessionState,
        texts: tuple[Text | str, ...],
        listen: Listen | None,
        turn: int,
        misses: int = 0,
    ) -> CallTurn:
        """`texts` in the caller's language (the engine's reply is in it already), waiting for
        what their step waits for."""
        language: Language = state.language or "cy"
        if listen is None:
            step = self.library.flow(state.flow_id).step(state.step_id)
            listen = listens_for(step, ended=state.status != "active")
        said = tuple(
            (language, text if isinstance(text, str) else text.in_(language)) for text in texts
        )
        return CallTurn(said, listen, turn, misses)

    def _final(self, state: SessionState | None, text: Text, turn: int) -> CallTurn:
        language = state.language if state is not None else None
        if language is None:
            return CallTurn((("cy", text.cy), ("en", text.en)), "nothing", turn)
        return CallTurn(((language, text.in_(language)),), "nothing", turn)

    def _greeting(self, turn: int, misses: int, before: Text | None = None) -> CallTurn:
        """The welcome's language question, Welsh first, then English."""
        welcome = self.library.flow(self.library.welcome_flow)
        question = spoken_prompt(welcome, welcome.first_step())
        said: list[tuple[Language, str]] = []
        for language in ("cy", "en"):
            if before is not None:
                said.append((language, before.in_(language)))
            said.append((language, question.in_(language)))
        return CallTurn(tuple(said), "key", turn, misses)

    def _missed(self, state: SessionState | None, turn: int, misses: int, key: str) -> CallTurn:
        """Silence, or a `key` that means nothing here: the options again, or after
        MOST_MISSES of them, goodbye and the offer of a text."""
        if misses >= MOST_MISSES:
            goodbye = self._final(state, say.VOICE_GOODBYE_TEXT, turn + 1)
            return CallTurn(goodbye.said, "nothing", goodbye.turn, misses + 1, offer_text=True)
        sorry = say.VOICE_WRONG_KEY if key else say.VOICE_MISSED
        if state is None:
            return self._greeting(turn + 1, misses + 1, before=sorry)
        texts = (sorry, self._prompt(state))
        return self._said(state, texts, None, turn + 1, misses + 1)

    def _prompt(self, state: SessionState) -> Text:
        flow = self.library.flow(state.flow_id)
        return spoken_prompt(flow, flow.step(state.step_id))

    # -- the caller ----------------------------------------------------------------------------

    def _caller(self, number: str) -> _Caller:
        hashes = self.vault.number_hashes(number)
        with self.db.session() as session:
            participant, opted_out = get_current_participant_and_opt_out(session, hashes, "voice")
            state = None
            if participant is not None:
                state = SessionState.from_json(read_state(self.vault, participant))
            texted = None
            if participant is None or participant.language is None:
                by_text = get_current_participant(session, hashes, "sms")
                texted = by_text.language if by_text is not None else None
        return _Caller(state, opted_out, texted if texted in LANGUAGE_KEYS else None)  # type: ignore[arg-type]

    def _note_call(self, call_sid: str, number: str) -> SessionState | None:
        """The call's row, made on the caller's first turn and kept on their flow; the state."""
        hashes = self.vault.number_hashes(number)
        with self.db.session() as session:
            participant = get_current_participant(session, hashes, "voice")
            if participant is None or participant.id is None:
                return None
            state = SessionState.from_json(read_state(self.vault, participant))
            open_call(session, call_sid, participant.id, state.flow_id, self.clock())
        return state
