"""What needs doing: the short list the overview opens with, so an officer sees at a glance
what waits for a person before reading any figure.

Questions waiting (and overdue against each flow's promise), answers flagged as significant,
residents waiting for a call back, broadcasts held by quiet hours and until when, and Welsh
texts a fluent speaker has yet to check. Each is one small query or none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.broadcasts import Broadcasts, HeldBroadcast
from bot.core.flow_messages import flow_messages, system_messages
from bot.core.reply_times import count_waiting_questions
from bot.flowspec.model import FlowLibrary
from bot.store.answer_list import count_significant_answers
from bot.store.call_backs import count_open_call_backs
from bot.store.db import Database
from bot.store.question_inbox import WaitingCount

#: The name the bot's own texts go by where flows are listed (as in `sgwrs flows check`).
SYSTEM = "system"


@dataclass(frozen=True)
class NeedsDoing:
    questions: WaitingCount
    significant: int
    call_backs: int
    held: list[HeldBroadcast]
    #: (flow id, or SYSTEM for the bot's own texts; texts awaiting review), those with any.
    welsh_review: list[tuple[str, int]]

    @property
    def nothing(self) -> bool:
        return not (
            self.questions.waiting
            or self.significant
            or self.call_backs
            or self.held
            or self.welsh_review
        )


def what_needs_doing(
    db: Database, library: FlowLibrary, broadcasts: Broadcasts, now: datetime
) -> NeedsDoing:
    with db.session() as session:
        significant = count_significant_answers(session)
        call_backs = count_open_call_backs(session)
    return NeedsDoing(
        questions=count_waiting_questions(db, library, now),
        significant=significant,
        call_backs=call_backs,
        held=broadcasts.held_broadcasts(),
        welsh_review=_awaiting_review(library),
    )


def _awaiting_review(library: FlowLibrary) -> list[tuple[str, int]]:
    messages = {flow_id: flow_messages(flow) for flow_id, flow in sorted(library.flows.items())}
    messages[SYSTEM] = system_messages()
    counts = {
        flow_id: sum(1 for message in listed if message.text.awaits_review)
        for flow_id, listed in messages.items()
    }
    return [(flow_id, count) for flow_id, count in counts.items() if count]
