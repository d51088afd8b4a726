"""A resident's place in a conversation: the only memory the flow engine has between messages.

It is plain data so it can be stored as JSON beside the conversation and replayed in tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

from bot.flowspec.model import Language

Status = Literal["active", "completed", "expired", "erased"]
Pending = Literal["question", "erase", "faq_check"]


@dataclass(frozen=True)
class SessionState:
    """Where a resident is: flow, step, language, and what the engine is waiting for."""

    flow_id: str
    step_id: str
    language: Language | None = None
    status: Status = "active"
    #: How many times the current question was re-asked after a reply the engine did not follow.
    retries: int = 0
    #: What the next reply is for: a question's text, yes/no to erasing, or did the FAQ help.
    pending: Pending | None = None
    #: The question an FAQ answer was offered for: queued for an officer if it did not help.
    pending_question: str | None = None
    #: Answers to choice steps so far, by step id: what branch steps decide on.
    choices: Mapping[str, str] = field(default_factory=dict)
    #: The flow to go on to once the welcome flow has asked the language.
    target_flow: str | None = None
    partner: str | None = None
    consent: bool | None = None
    #: After STOP: silence until START, which picks up where they were (mid-flow or ended).
    opted_out: bool = False
    last_inbound_at: datetime | None = None
    #: True once a reminder was sent for the current step; a reply to it is an answer.
    reminded: bool = False
    #: What the resident said at explanation steps, by step id: saved once they consent.
    reactions: Mapping[str, str] = field(default_factory=dict)

    def but(self, **changes: Any) -> SessionState:
        """A copy with `changes`; the engine makes several a step, so it copies the fields
        rather than run dataclasses.replace's generic path (which re-runs __init__)."""
        unknown = changes.keys() - self.__dict__.keys()
        if unknown:
            raise TypeError(f"SessionState has no field {', '.join(sorted(unknown))}")
        changed = object.__new__(SessionState)
        changed.__dict__.update(self.__dict__, **changes)
        return changed

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["choices"] = dict(self.choices)
        data["reactions"] = dict(self.reactions)
        if self.last_inbound_at is not None:
            data["last_inbound_at"] = self.last_inbound_at.isoformat()
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SessionState:
        values = dict(data)
        if values.get("last_inbound_at"):
            values["last_inbound_at"] = datetime.fromisoformat(values["last_inbound_at"])
        return cls(**values)
