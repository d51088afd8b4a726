"""What goes into the flow engine (events) and what comes out of it (outputs).

Outputs are small frozen records of things to do or to store. The engine only describes them;
core (bot/core/effects.py) carries them out, so the engine stays a pure function that tests can
replay without a database, a clock or Twilio.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.engine.state import SessionState
from bot.flowspec.model import Language

#: Twilio's Advanced Opt-Out categories, as its OptOutType webhook field names them.
OptOutType = Literal["stop", "start", "help"]
#: How the resident is reached: texts (SMS, WhatsApp) or a phone call, where every step is
#: said rather than sent (bot/engine/voice.py).
Medium = Literal["text", "voice"]


@dataclass(frozen=True)
class Inbound:
    """A message from the resident: its words, and how many pictures or recordings came with it."""

    text: str
    media: int = 0
    #: The keyword Twilio's opt-out handling recognised in the text (any language it knows),
    #: which outranks our own reading of the words.
    opt_out_type: OptOutType | None = None
    medium: Medium = "text"
    #: On a call, at an own-words step: the RecordingSid of the answer they spoke.
    recording: str | None = None


@dataclass(frozen=True)
class Timeout:
    """A timer fired: a gentle reminder, or the end of a session left unfinished."""

    kind: Literal["reminder", "expiry"]
    #: The step the timer was set for: if the resident has moved on, the timer does nothing.
    step_id: str


Event = Inbound | Timeout


@dataclass(frozen=True)
class SendText:
    text: str


@dataclass(frozen=True)
class SetLanguage:
    language: Language


@dataclass(frozen=True)
class SetPartner:
    code: str


@dataclass(frozen=True)
class RecordConsent:
    given: bool


@dataclass(frozen=True)
class SaveAnswer:
    flow_id: str
    step_id: str
    #: hope, fear, feedback, experience, other (open steps), choice, unexpected (a reply
    #: to a choice that matched no option: officers still read it), reaction (what the
    #: resident said at an explanation) or skipped (nothing to say to an own-words step).
    kind: str
    text: str
    value: str | None = None
    #: The answer was spoken on a call: its RecordingSid (the text is empty until an officer
    #: types what was said).
    recording: str | None = None


@dataclass(frozen=True)
class SetHearBack:
    wanted: bool


@dataclass(frozen=True)
class QueueQuestion:
    flow_id: str
    step_id: str
    text: str
    #: The question came inside an own-words answer saved this turn: link the two.
    in_answer: bool = False


@dataclass(frozen=True)
class OptOut:
    pass


@dataclass(frozen=True)
class OptIn:
    pass


@dataclass(frozen=True)
class EraseParticipant:
    pass


@dataclass(frozen=True)
class NewParticipant:
    """A shared phone is handed on: close this person's record and start a new one."""


@dataclass(frozen=True)
class FlowStarted:
    flow_id: str


@dataclass(frozen=True)
class FlowResumed:
    """A resident came back to a flow that had expired: its run carries on."""

    flow_id: str


@dataclass(frozen=True)
class FlowEnded:
    flow_id: str
    reason: Literal["completed", "declined", "expired", "handed_on"]


Output = (
    SendText
    | SetLanguage
    | SetPartner
    | RecordConsent
    | SaveAnswer
    | SetHearBack
    | QueueQuestion
    | OptOut
    | OptIn
    | EraseParticipant
    | NewParticipant
    | FlowStarted
    | FlowResumed
    | FlowEnded
)


@dataclass(frozen=True)
class Turn:
    """The engine's answer to one event: the new state and what to do, in order."""

    state: SessionState
    outputs: tuple[Output, ...]

    @property
    def reply(self) -> str | None:
        texts = [output.text for output in self.outputs if isinstance(output, SendText)]
        return "\n".join(texts) if texts else None
