"""Queries behind theme suggestions: the answers officers have tagged (the examples), those they
have not (what to suggest for), and the themes an officer declined for an answer.

Only answers an officer would see on the answers page count: filed as answers, in words, not
the simulator's. Texts are read decrypted for the suggestion and never stored again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists
from sqlmodel import Session, col, select

from bot.runtime.crypto import Vault
from bot.store.answer_list import AnswerFilter, answer_conditions
from bot.store.models import Answer, AnswerTheme, Participant


@dataclass(frozen=True)
class ReadAnswer:
    id: int
    text: str
    #: The themes it is tagged with (examples), or declined for (answers to suggest for).
    theme_ids: frozenset[int]


def _listed(flow_id: str | None) -> list[Any]:
    return answer_conditions(AnswerFilter(flow_id=flow_id))


def list_tagged_answers(
    session: Session, vault: Vault, *, flow_id: str | None, limit: int
) -> list[ReadAnswer]:
    """Up to `limit` tagged answers, newest first, with their themes."""
    tagged = exists().where(AnswerTheme.answer_id == Answer.id)
    rows = session.exec(
        select(Answer.id, Answer.text_encrypted)
        .join(Participant, col(Participant.id) == Answer.participant_id)
        .where(tagged, *_listed(flow_id))
        .order_by(col(Answer.created_at).desc(), col(Answer.id).desc())
        .limit(limit)
    ).all()
    themes: dict[int, set[int]] = {}
    ids = [answer_id for answer_id, _token in rows]
    for answer_id, theme_id in session.exec(
        select(AnswerTheme.answer_id, AnswerTheme.theme_id).where(
            col(AnswerTheme.answer_id).in_(ids)
        )
    ):
        themes.setdefault(answer_id, set()).add(theme_id)
    return [
        ReadAnswer(answer_id or 0, vault.open(token), frozenset(themes.get(answer_id or 0, ())))
        for answer_id, token in rows
    ]


def list_untagged_answers(
    session: Session, vault: Vault, *, flow_id: str | None, limit: int
) -> list[ReadAnswer]:
    """Up to `limit` answers with no theme yet, newest first, with the themes declined."""
    tagged = exists().where(AnswerTheme.answer_id == Answer.id)
    rows = session.exec(
        select(Answer.id, Answer.text_encrypted, Answer.declined_themes)
        .join(Participant, col(Participant.id) == Answer.participant_id)
        .where(~tagged, *_listed(flow_id))
        .order_by(col(Answer.created_at).desc(), col(Answer.id).desc())
        .limit(limit)
    ).all()
    return [
        ReadAnswer(answer_id or 0, vault.open(token), _declined(declined))
        for answer_id, token, declined in rows
    ]


def _declined(stored: str | None) -> frozenset[int]:
    return frozenset(int(part) for part in (stored or "").split() if part.isdigit())


def decline_theme(session: Session, answer_id: int, theme_id: int) -> bool:
    """Note that the answer is not about the theme; False if there is no such answer."""
    answer = session.get(Answer, answer_id)
    if answer is None:
        return False
    declined = _declined(answer.declined_themes) | {theme_id}
    answer.declined_themes = " ".join(str(theme) for theme in sorted(declined))
    session.add(answer)
    return True
