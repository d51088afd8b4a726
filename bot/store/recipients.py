"""Who a "you said, we did" broadcast goes to: a flow's residents, narrowed by its targeting."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from bot.store.models import Conversation, Participant
from bot.store.opt_outs import number_not_opted_out

#: Who of a flow's residents a broadcast is for: those who asked to hear back (the promise made
#: at the end of the flow), or everyone who took part and agreed to their answers being kept.
AUDIENCES = ("hear_back", "took_part")


@dataclass(frozen=True)
class Targeting:
    """Which of a flow's residents a broadcast reaches; None in a filter means any."""

    audience: str = "hear_back"
    partner_code: str | None = None
    #: cy or en: only residents who chose that language (those who never chose are left out)
    language: str | None = None


#: The default, and what every broadcast was before targeting: all who asked to hear back.
HEAR_BACK = Targeting()


def list_broadcast_recipients(
    session: Session, flow_id: str, targeting: Targeting = HEAR_BACK
) -> list[tuple[int, str | None]]:
    """Residents of the flow the targeting picks who can still be texted, with their language.

    The preview counts these and the send writes one text to each, so the two always agree.
    Erased residents have no rows; handed-on ones (NEW) are left out because the phone was
    someone else's (often a partner's), so the text would not reach them; opted-out numbers and
    test residents never get a broadcast, whatever the targeting.
    """
    statement = (
        select(Participant.id, Participant.language)
        .where(col(Participant.opted_out).is_(False))
        .where(number_not_opted_out())
        .where(col(Participant.is_test).is_(False), col(Participant.closed_at).is_(None))
        .where(
            col(Participant.id).in_(
                select(Conversation.participant_id).where(Conversation.flow_id == flow_id)
            )
        )
        .order_by(col(Participant.id))
    )
    if targeting.audience == "took_part":
        statement = statement.where(col(Participant.consent).is_(True))
    else:
        statement = statement.where(Participant.hear_back)
    if targeting.partner_code:
        statement = statement.where(Participant.partner_code == targeting.partner_code)
    if targeting.language:
        statement = statement.where(Participant.language == targeting.language)
    return [(pid, language) for pid, language in session.exec(statement) if pid is not None]
