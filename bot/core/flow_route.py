"""The main route: every text a resident who answers every question receives, and its cost.

The budget that binds Welsh to English is about what a whole conversation costs, not one text,
so it has to be measured the way a resident meets it. Rather than walk the flow file by hand
(and miss what the engine adds: thanks joined to the next question, the step that follows a
flow's hand-on, the first text in both languages), this drives the real engine with a scripted
resident: they text "Hi", choose their language, go on at every explanation, say yes to keeping
their answers, pick the first option of every choice, answer every own-words question in a few
words, and have no question of their own. Each reply is measured as Twilio bills it.

On a call (`medium="voice"`) the same resident rings instead: they hear the language question
in both languages, press their language's key, and then reply as before, so the route is what
a caller hears, measured in spoken seconds by the flow check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.channels.sms import segment_info
from bot.engine import step
from bot.engine.events import Inbound, Medium
from bot.engine.state import SessionState
from bot.engine.voice import spoken_prompt
from bot.flowspec.model import (
    ChoiceStep,
    ConsentStep,
    FlowLibrary,
    Language,
    OpenStep,
)

#: What the scripted resident sends, by what the step asks for, in each language.
_REPLIES: dict[str, dict[Language, str]] = {
    "go_on": {"cy": "NESAF", "en": "NEXT"},
    "consent": {"cy": "IE", "en": "YES"},
    "choice": {"cy": "1", "en": "1"},
    "words": {"cy": "Byddai'n help mawr i fy mam", "en": "It would help my mum a lot"},
    "no_question": {"cy": "Na", "en": "No"},
}
#: Far more turns than any flow has steps: a flow that never ends is reported, not looped on.
_MAX_TURNS = 200
#: The engine is pure and reads `now` only to time silences: a fixed clock keeps it repeatable.
_START = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class RouteText:
    """One text of the route: the flow and step it was sent at, and what it costs."""

    flow_id: str
    step_id: str
    body: str
    segments: int
    encoding: str


@dataclass(frozen=True)
class Route:
    """The texts a resident choosing `language` receives, from their first text to the end."""

    language: Language
    texts: tuple[RouteText, ...]
    #: False when the scripted resident ran out of turns before the conversation ended.
    finished: bool
    #: What the resident sent, in order: the same walk again, for load tests.
    sent: tuple[str, ...] = ()

    @property
    def segments(self) -> int:
        return sum(text.segments for text in self.texts)

    def segments_in(self, flow_id: str) -> int:
        """What the part of the route spent in `flow_id` costs."""
        return sum(text.segments for text in self.texts if text.flow_id == flow_id)


def _reply_for(library: FlowLibrary, state: SessionState, language: Language) -> str:
    current = library.flow(state.flow_id).step(state.step_id)
    if isinstance(current, ChoiceStep):
        return "1" if current.records != "language" else ("1" if language == "cy" else "2")
    if isinstance(current, ConsentStep):
        return _REPLIES["consent"][language]
    if isinstance(current, OpenStep):
        kind = "no_question" if current.answer_kind == "question" else "words"
        return _REPLIES[kind][language]
    return _REPLIES["go_on"][language]


def _measured(state: SessionState, body: str) -> RouteText:
    info = segment_info(body)
    return RouteText(state.flow_id, state.step_id, body, info.segments, info.encoding)


def main_route(library: FlowLibrary, language: Language, medium: Medium = "text") -> Route:
    """Drive the engine from first contact to the end for a resident who chooses `language`.

    Each text is counted in the flow the resident is in once it has been sent, so the text that
    hands a resident on from the welcome flow counts towards the flow it starts.
    """
    now = _START
    texts: list[RouteText] = []
    if medium == "voice":
        welcome = library.flow(library.welcome_flow)
        greeting = spoken_prompt(welcome, welcome.first_step())
        texts.append(
            RouteText(welcome.id, welcome.first_step().id, greeting.cy + " " + greeting.en, 0, "")
        )
        sent = ["1" if language == "cy" else "2"]
    else:
        sent = ["Hi"]
    turn = step(library, None, Inbound(sent[0], medium=medium), now=now)
    if turn.reply:
        texts.append(_measured(turn.state, turn.reply))
    state = turn.state
    for _ in range(_MAX_TURNS):
        if state.status != "active":
            return Route(language, tuple(texts), finished=True, sent=tuple(sent))
        now += timedelta(minutes=1)
        sent.append(_reply_for(library, state, language))
        turn = step(library, state, Inbound(sent[-1], medium=medium), now=now)
        state = turn.state
        if turn.reply:
            texts.append(_measured(state, turn.reply))
    return Route(language, tuple(texts), finished=False, sent=tuple(sent))
