"""The figures a public response shows: counts only, never a person.

How many residents took part, by the language they chose (Welsh, English, or never chose), as
the overview counts them: conversations started in the flow, test ones left out, and the totals
kept for residents erased at the end of the retention period added in, so a figure does not
fall when the purge runs. And each theme's answers in the flow, with how many of them were
hopes and how many fears. Publishing keeps them as they stand that moment (`as_json`), with
the theme's names then, so the public page stays as published whatever the codebook does later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.core.reports import LANGUAGES
from bot.store.answer_list import AnswerFilter, count_answer_themes
from bot.store.counts import count_conversation_groups
from bot.store.db import UnitOfWork
from bot.store.models import ThemeNames
from bot.store.retention import get_retained_totals


@dataclass(frozen=True)
class ThemeFigure:
    """A theme's counts in one flow: its answers, and of them the hopes and the fears."""

    theme_id: int
    names: ThemeNames
    answers: int
    hopes: int
    fears: int


@dataclass(frozen=True)
class ResponseFigures:
    """Counts only: residents who took part by language (cy, en, unknown), and each theme's."""

    residents: dict[str, int]
    #: By theme id, most answers first.
    themes: dict[int, ThemeFigure]

    @property
    def took_part(self) -> int:
        return sum(self.residents.values())

    def as_json(self, theme_ids: set[int]) -> dict[str, Any]:
        """What is kept at publishing: the residents, and only the response's own themes."""
        themes = [
            {
                "id": figure.theme_id,
                "name": figure.names.name,
                "name_cy": figure.names.name_cy,
                "answers": figure.answers,
                "hopes": figure.hopes,
                "fears": figure.fears,
            }
            for figure in self.themes.values()
            if figure.theme_id in theme_ids
        ]
        return {"residents": self.residents, "themes": themes}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ResponseFigures:
        themes = {
            int(item["id"]): ThemeFigure(
                int(item["id"]),
                ThemeNames(item["name"], item.get("name_cy")),
                int(item["answers"]),
                int(item["hopes"]),
                int(item["fears"]),
            )
            for item in data.get("themes", [])
        }
        return cls({key: int(n) for key, n in data.get("residents", {}).items()}, themes)


def figures_now(session: UnitOfWork, flow_id: str) -> ResponseFigures:
    """The flow's figures as they stand: residents as the overview counts them (conversations
    started, by language, test ones left out, erased residents' kept totals in), and every
    theme's answers, hopes and fears in this flow."""
    residents = dict.fromkeys(LANGUAGES, 0)
    retained = get_retained_totals(session).tally.conversations
    for row in [*count_conversation_groups(session), *retained]:
        if row.flow_id == flow_id:
            language = row.language or "unknown"
            residents[language] = residents.get(language, 0) + row.count
    by_kind = {
        kind: {
            count.theme_id: count
            for count in count_answer_themes(session, AnswerFilter(kind=kind, flow_id=flow_id))
        }
        for kind in (None, "hope", "fear")
    }
    themes = {
        theme_id: ThemeFigure(
            theme_id,
            count.names,
            count.answers,
            by_kind["hope"][theme_id].answers if theme_id in by_kind["hope"] else 0,
            by_kind["fear"][theme_id].answers if theme_id in by_kind["fear"] else 0,
        )
        for theme_id, count in by_kind[None].items()
    }
    return ResponseFigures(residents, themes)
