"""Who a "you said, we did" broadcast goes to."""

from __future__ import annotations

from sqlmodel import Session, col, select

from bot.store.models import Conversation, Participant
from bot.store.opt_outs import number_not_opted_out


def list_broadcast_recipients(session: Session, flow_id: str) -> list[tuple[int, str | None]]:
    """Residents of the flow who asked to hear back and can still be texted.

    Erased residents have no rows; handed-on ones (NEW) are left out because the phone was
    someone else's (often a partner's), so the text would not reach them.
    """
    statement = (
        select(Participant.id, Participant.language)
        .where(Participant.hear_back, col(Participant.opted_out).is_(False))
        .where(number_not_opted_out())
        .where(col(Participant.is_test).is_(False), col(Participant.closed_at).is_(None))
        .where(
            col(Participant.id).in_(
                select(Conversation.participant_id).where(Conversation.flow_id == flow_id)
            )
        )
        .order_by(col(Participant.id))
    )
    return [(pid, language) for pid, language in session.exec(statement) if pid is not None]
