"""Officers acting on many answers at once: tag or untag a theme, flag or unflag significant,
mark "not an answer".

A pilot gathers thousands of answers, and the same change is often right for a hundred of them
(every answer a search for "boiler" finds is about help). One action is one unit of work and
one audit entry with the counts, not a hundred entries that bury the log.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.audit import record_event
from bot.core.filing import refile_answers
from bot.runtime.crypto import Vault
from bot.runtime.refusal import RefusalError
from bot.store.db import UnitOfWork
from bot.store.themes import get_theme, set_answers_significant, tag_answers, untag_answers

#: What a bulk action may do; "tag" and "untag" need a theme.
BULK_ACTIONS = ("tag", "untag", "significant", "not_significant", "not_an_answer")
#: The most answers one action changes: beyond this an officer narrows the filters first.
MOST_AT_ONCE = 2_000


class BulkError(RefusalError):
    """The bulk action cannot be done; the message says why, in an officer's words."""


@dataclass(frozen=True)
class BulkResult:
    action: str
    #: How many answers the officer chose, and how many the action changed.
    chosen: int
    changed: int


def act_on_answers(
    session: UnitOfWork,
    vault: Vault,
    answer_ids: list[int],
    action: str,
    *,
    theme_id: int | None,
    user_id: int | None,
) -> BulkResult:
    """Do `action` to every chosen answer and record it once in the audit log."""
    if action not in BULK_ACTIONS:
        raise BulkError("Choose what to do with the answers.")
    chosen = sorted(set(answer_ids))
    if not chosen:
        raise BulkError("Tick at least one answer, or choose every answer matching the filters.")
    if len(chosen) > MOST_AT_ONCE:
        raise BulkError(
            "That is more than {most} answers: narrow the filters first.", most=MOST_AT_ONCE
        )
    theme = ""
    if action in ("tag", "untag"):
        if theme_id is None:
            raise BulkError("Choose the theme to add or take off.")
        theme = f"; theme={get_theme(session, theme_id).name}"
        change = tag_answers if action == "tag" else untag_answers
        changed = change(session, chosen, theme_id)
    elif action == "not_an_answer":
        changed = refile_answers(session, vault, chosen, "not_an_answer")
    else:
        changed = set_answers_significant(session, chosen, action == "significant")
    detail = f"action={action}{theme}; chosen={len(chosen)}; changed={changed}"
    record_event(session, user_id, "answers_changed_in_bulk", f"answers:{len(chosen)}", detail)
    return BulkResult(action, len(chosen), changed)
