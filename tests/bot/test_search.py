"""Searching residents' sealed words: in any form, in either language, on SQLite and
PostgreSQL, through a key rotation, and for rows stored before search existed."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update
from sqlmodel import select

from bot.runtime.container import Container
from bot.runtime.crypto import Vault
from bot.runtime.words import words_of
from bot.store.answer_list import AnswerFilter, list_open_answers
from bot.store.answers import save_question
from bot.store.messages import save_conversation_message
from bot.store.models import Answer, Message, Question
from bot.store.participants import create_participant
from bot.store.rekey import list_sealed_tables, rekey_rows
from bot.store.search import Search, index_unindexed_words, index_words, search_words
from tests.helpers import add_written_answer

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
TEXTS = [
    "Dwi'n poeni am fy mil trydan y gaeaf 'ma",
    "The buses are never on time and the boiler is broken",
    "Fysiau ddim yn dod i'r pentref",
    "Worried they will be WATCHING my smart meter",
    "Mae preifatrwydd yn bwysig i mi, dwi'n siŵr",
]


def seed(services: Container, texts: list[str] = TEXTS) -> dict[str, int]:
    """Each text from a resident of its own, who chose the language it is written in."""
    with services.db.session() as session:
        return {
            text: add_written_answer(services, session, text, language=_language(text), now=NOW)
            for text in texts
        }


def _language(text: str) -> str:
    return "en" if text.split()[0].lower() in ("the", "worried", "my", "will", "i") else "cy"


def found(services: Container, query: str) -> set[str]:
    """The texts a search for `query` lists."""
    with services.db.session() as session:
        page = list_open_answers(
            session,
            services.vault,
            AnswerFilter(search=Search.of(services.vault, query)),
            limit=50,
            offset=0,
        )
    return {answer.text for answer in page.answers}


def test_words_are_reduced_to_one_form_in_both_languages() -> None:
    assert words_of("Fysiau", "cy") == words_of("bysiau", "cy") == ["bws"]
    assert words_of("WATCHED", "en") == words_of("watching", "en") == ["watch"]
    assert words_of("siŵr", "cy") == words_of("Siwr", "cy")
    assert words_of("a i y", "en") == []  # single letters find nothing
    # Read as Welsh, English "town" would be a mutated "toi": texts are read in their
    # resident's language.
    assert words_of("the bus to town", "en") == ["the", "bus", "to", "town"]
    assert words_of("the bus to town", "cy")[-1] == "toi"


def test_a_search_word_matches_in_either_language(services: Container) -> None:
    seed(services, ["the bus to town is late", "Mae'r bws i'r dref yn hwyr", "I went to the shop"])
    # Read as English (its resident's language), "to" is not a mutated "town".
    assert found(services, "town") == {"the bus to town is late"}
    assert found(services, "tref") == {"Mae'r bws i'r dref yn hwyr"}


def test_a_search_finds_every_form_of_its_words(services: Container) -> None:
    seed(services)
    assert found(services, "bysiau") == {TEXTS[2]}
    assert found(services, "bus") == {TEXTS[1]}
    assert found(services, "watched") == {TEXTS[3]}
    assert found(services, "biliau") == {TEXTS[0]}
    assert found(services, "siwr") == {TEXTS[4]}


def test_every_word_of_a_search_must_be_there(services: Container) -> None:
    seed(services)
    assert found(services, "boiler buses") == {TEXTS[1]}
    assert found(services, "boiler smart") == set()
    assert found(services, "!!") == set(TEXTS)  # no words: no search


def test_no_word_is_stored_in_clear(services: Container) -> None:
    seed(services)
    with services.db.session() as session:
        stored = " ".join(row or "" for row in session.exec(select(Answer.words)))
    for word in ("bws", "boiler", "preifatrwydd", "watch"):
        assert word not in stored
    assert stored.count(" ") > 10


def test_a_residents_texts_are_indexed_and_the_bots_are_not(services: Container) -> None:
    with services.db.session() as session:
        resident = create_participant(
            session, number_hash="h", number_encrypted="x", channel="sms", now=NOW
        )
        for direction, body in (("in", "my boiler broke"), ("out", "Reply NEXT for more")):
            save_conversation_message(
                session,
                services.vault,
                participant_id=resident.id or 0,
                direction=direction,
                channel="sms",
                body=body,
                status="received",
                now=NOW,
            )
    with services.db.session() as session:
        rows = dict(session.exec(select(Message.direction, Message.words)).all())
    assert rows["in"] == index_words(services.vault, "my boiler broke", None)
    assert rows["out"] is None


def test_rows_stored_before_search_existed_are_indexed_once(services: Container) -> None:
    seed(services)
    with services.db.session() as session:
        resident = session.exec(select(Answer.participant_id)).first() or 0
        save_question(
            session,
            services.vault,
            participant_id=resident,
            flow_id="energy-data",
            step_id="hopes",
            text="Will the boiler man come?",
            now=NOW,
        )
        for model in (Answer, Question):
            session.execute(update(model).values(words=None))
    assert found(services, "boiler") == set()
    with services.db.session() as session:
        assert index_unindexed_words(session, services.vault) == len(TEXTS) + 1
    with services.db.session() as session:
        assert index_unindexed_words(session, services.vault) == 0
        question_words = session.exec(select(Question.words)).one()
    assert found(services, "boiler") == {TEXTS[1]}
    assert question_words == index_words(services.vault, "Will the boiler man come?", None)


def test_search_works_during_and_after_a_key_rotation(services: Container) -> None:
    seed(services)
    old_key = "old-key-0123456789abcdef"
    # What the rows hold was written under the container's key; rotate onto a new one.
    during = Vault("new-key-0123456789abcdef", [services.settings.data_key, old_key])
    with services.db.session() as session:
        page = list_open_answers(
            session, during, AnswerFilter(search=Search.of(during, "bysiau")), limit=5, offset=0
        )
    assert [answer.text for answer in page.answers] == [TEXTS[2]]
    answers = next(spec for spec in list_sealed_tables() if spec.name == "answers")
    with services.db.session() as session:
        ids = list(session.exec(select(Answer.id)))
        rekey_rows(session, during, answers, ids)
    after = Vault("new-key-0123456789abcdef")
    with services.db.session() as session:
        page = list_open_answers(
            session, after, AnswerFilter(search=Search.of(after, "fysiau")), limit=5, offset=0
        )
        stored = session.exec(select(Answer.words).where(Answer.id == ids[2])).one()
    assert [answer.text for answer in page.answers] == [TEXTS[2]]
    assert stored == index_words(after, TEXTS[2], "cy")


def test_a_long_pasted_search_is_cut_to_a_few_words() -> None:
    assert len(search_words(" ".join(f"word{n}" for n in range(100)))) == 8
