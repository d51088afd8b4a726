"""When residents' questions are due an answer, by what their flow promised them.

A flow promises a reply within `reply_within_working_days` (5 unless it says otherwise); a
question from a flow no longer in the library keeps the default promise. The inbox, the
navigation, the overview's "what needs doing" and `sgwrs questions list` all read it here.
"""

from __future__ import annotations

from datetime import datetime

from bot.flowspec.model import FlowLibrary
from bot.runtime.working_days import (
    DEFAULT_REPLY_WITHIN,
    ReplyDue,
    overdue_before,
    reply_due,
)
from bot.store.db import Database
from bot.store.question_filters import ReplyCutoffs
from bot.store.question_inbox import WaitingCount, count_waiting


def promised_days(library: FlowLibrary, flow_id: str) -> int:
    flow = library.flows.get(flow_id)
    return flow.reply_within_working_days if flow else DEFAULT_REPLY_WITHIN


def reply_cutoffs(library: FlowLibrary, now: datetime) -> ReplyCutoffs:
    """For each flow, the moment before which its waiting questions are overdue now."""
    return ReplyCutoffs(
        overdue_before(now, DEFAULT_REPLY_WITHIN),
        {
            flow_id: overdue_before(now, flow.reply_within_working_days)
            for flow_id, flow in library.flows.items()
        },
    )


def reply_due_for(library: FlowLibrary, flow_id: str, created: datetime, now: datetime) -> ReplyDue:
    return reply_due(created, promised_days(library, flow_id), now)


def count_waiting_questions(db: Database, library: FlowLibrary, now: datetime) -> WaitingCount:
    """Questions waiting for an officer, and how many of them are overdue: one query, for the
    overview's "what needs doing" panel."""
    with db.session() as session:
        return count_waiting(session, reply_cutoffs(library, now))
