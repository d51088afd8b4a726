"""Searching residents' words while they stay sealed.

Answers, questions and the texts residents send are stored encrypted, so the database cannot
read them to search. Beside each sealed text is a `words` column: the language the text was
read in ("cy:" or "en:", the resident's chosen language, Welsh when they have not chosen),
then every distinct word of the text in its base form in that language (bot.runtime.words),
each replaced by its keyed hash (Vault.word_token), sorted, space-separated and padded with a
space at each end. The language is kept so that a key rotation can read the text again the
same way. A search word may be Welsh or English,
so it is reduced both ways and either form matches; the search asks for rows whose `words`
hold every word of it: a plain `LIKE` that both SQLite and PostgreSQL answer within one scan
of the filtered rows, decrypting nothing until the page of results is shown.

What it gives away: someone holding the database but not DATA_KEY sees how many distinct
words a text has and which texts share a word, not the words. Tokens are sorted, so word
order is not kept. During a key rotation a search tries each key's token
(Vault.word_tokens), and `sgwrs keys rotate` re-hashes the words with each re-sealed text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Table, or_, select, update
from sqlmodel import Session

from bot.runtime.crypto import Vault
from bot.runtime.words import base_form, raw_words, words_of
from bot.store.models import Answer, Message, Participant, Question

#: What an officer may type: longer searches are cut here, so a pasted page cannot make
#: a query of thousands of conditions.
MOST_SEARCH_WORDS = 8


#: Rows indexed per transaction when texts written before search existed are indexed.
REINDEX_BATCH = 500


#: What a text is read as when its resident has not chosen a language (Welsh first).
DEFAULT_LANGUAGE = "cy"


def index_words(vault: Vault, text: str, language: str | None) -> str:
    """The `words` value stored beside a sealed text, read as `language` (the resident's);
    a text with no words still says it was indexed (None is a row written before search)."""
    read_as = language if language in ("cy", "en") else DEFAULT_LANGUAGE
    tokens = sorted({vault.word_token(word) for word in words_of(text, read_as)})
    return f" {read_as}: {' '.join(tokens)} "


def indexed_language(words: str) -> str:
    """The language a stored `words` value was read in."""
    first = words.split(maxsplit=1)[0] if words.strip() else ""
    return first[:-1] if first in ("cy:", "en:") else DEFAULT_LANGUAGE


def search_words(query: str) -> list[set[str]]:
    """Each distinct word of an officer's search, in the order typed, as its base forms read
    as Welsh and as English (one search word, either form found)."""
    words = list(dict.fromkeys(raw_words(query)))[:MOST_SEARCH_WORDS]
    found = []
    for word in words:
        forms = {base_form(word, "cy"), base_form(word, "en")}
        found.append({form for form in forms if len(form) > 1} or {word})
    return found


@dataclass(frozen=True)
class Search:
    """What an officer typed in a search box, and the tokens a matching text's `words` hold:
    for each word, any one of its tokens (its Welsh and English forms, under every key)."""

    typed: str = ""
    tokens: tuple[tuple[str, ...], ...] = ()

    @classmethod
    def of(cls, vault: Vault, typed: str) -> Search:
        typed = typed.strip()
        tokens = tuple(
            tuple(token for form in sorted(forms) for token in vault.word_tokens(form))
            for forms in search_words(typed)
        )
        return cls(typed, tokens)

    def __bool__(self) -> bool:
        return bool(self.tokens)


#: No search: every text matches.
NO_SEARCH = Search()


def words_match(column: Any, search: Search) -> list[ColumnElement[bool]]:
    """Conditions that hold where the text behind `column` has every word of the search, in
    any form ("fysiau" finds "bysiau"); none for a search with no words."""
    return [or_(*(column.like(f"% {token} %") for token in word)) for word in search.tokens]


#: Each searched table's sealed text, whose words its `words` column holds.
SEARCHED_TEXT = {
    "answers": "text_encrypted",
    "questions": "text_encrypted",
    "messages": "body_encrypted",
}


def _searched() -> list[tuple[Table, Any, list[Any]]]:
    """Each searched table, its sealed text and which of its rows are searched (a resident's
    texts, not the bot's)."""
    messages = Message.__table__  # type: ignore[attr-defined]
    tables = (Answer.__table__, Question.__table__, messages)  # type: ignore[attr-defined]
    return [
        (
            table,
            table.c[SEARCHED_TEXT[table.name]],
            [messages.c.direction == "in"] if table is messages else [],
        )
        for table in tables
    ]


def index_unindexed_words(session: Session, vault: Vault) -> int:
    """Index up to REINDEX_BATCH rows written before search existed; how many were done.
    Each write is guarded by `words IS NULL`, so two runs at once index a row once."""
    done = 0
    for table, sealed, scope in _searched():
        statement = (
            select(table.c.id, sealed, Participant.language)
            .join(Participant, Participant.id == table.c.participant_id)
            .where(table.c.words.is_(None), *scope)
        )
        for row_id, token, language in session.execute(statement.limit(REINDEX_BATCH - done)):
            words = index_words(vault, vault.open(token), language)
            guard = (table.c.id == row_id, table.c.words.is_(None))
            done += session.execute(update(table).where(*guard).values(words=words)).rowcount
        if done >= REINDEX_BATCH:
            break
    return done
