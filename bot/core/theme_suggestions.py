"""Theme suggestions for untagged answers, worked out on the council's own machine.

An officer tags the first answers by hand; after that, each untagged answer is offered the
themes of the tagged answers it most resembles ("like: …" shows the nearest), and untagged
answers that resemble no theme are grouped, each group with its top words, as a theme the
codebook may be missing (bot/core/theme_similarity.py says how they are compared). Nothing is
tagged until an officer accepts; a declined theme is not offered for that answer again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.audit import record_event
from bot.runtime.crypto import Vault
from bot.store.answers import get_answer
from bot.store.db import UnitOfWork
from bot.store.suggestions import decline_theme, list_tagged_answers, list_untagged_answers
from bot.store.themes import ThemeError, get_theme, tag_answers

if TYPE_CHECKING:
    from bot.core.theme_similarity import Suggestions

#: Tagged answers compared against, newest first: enough examples, a bounded page time.
EXAMPLES = 1_500
#: Untagged answers suggested for at once, newest first.
UNTAGGED = 200


def suggest_for_flow(session: UnitOfWork, vault: Vault, flow_id: str | None) -> Suggestions:
    """Suggestions for the newest untagged answers of a flow (every flow when None)."""
    # scikit-learn and the language model take about 150 MiB: only this page loads them, so a
    # web worker that answers residents' texts never does.
    from bot.core.theme_similarity import suggest

    examples = list_tagged_answers(session, vault, flow_id=flow_id, limit=EXAMPLES)
    untagged = list_untagged_answers(session, vault, flow_id=flow_id, limit=UNTAGGED)
    return suggest(examples, untagged)


def accept_theme(
    session: UnitOfWork, answer_id: int, theme_id: int, *, user_id: int | None
) -> bool:
    """An officer agrees the answer is about the theme: tagged, and audited as accepted (so
    the log tells suggestions taken from tags chosen by hand). False if it was tagged already."""
    theme = get_theme(session, theme_id)
    if get_answer(session, answer_id) is None:
        raise ThemeError("That answer no longer exists (the resident may have erased it).")
    added = tag_answers(session, [answer_id], theme_id) == 1
    if added:
        record_event(
            session,
            user_id,
            "theme_suggestion_accepted",
            f"answer:{answer_id}",
            f"theme={theme.name}",
        )
    return added


def decline_theme_suggestion(
    session: UnitOfWork, answer_id: int, theme_id: int, *, user_id: int | None
) -> None:
    """An officer says the answer is not about the theme: it is not offered for it again."""
    theme = get_theme(session, theme_id)
    if not decline_theme(session, answer_id, theme_id):
        raise ThemeError("That answer no longer exists (the resident may have erased it).")
    record_event(
        session,
        user_id,
        "theme_suggestion_declined",
        f"answer:{answer_id}",
        f"theme={theme.name}",
    )
