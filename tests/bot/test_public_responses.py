"""The public response in the store and the core, on SQLite and PostgreSQL: a draft saved as
written, publishing that refuses what is half-written and copies the rest, quotes that are
kept as ids and always shown redacted, an erased resident's quote gone, the figures taken at
publishing, and the text message drafted within a broadcast's budget."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from bot.channels.sms import MOST_SEGMENTS, segment_info
from bot.core.broadcast_text import broadcast_text, resident_text
from bot.core.response_text import SHORTENED, draft_text_message
from bot.core.responses import (
    MAX_QUOTES,
    Problem,
    ResponseProblemsError,
    publish,
    read_published,
    read_workbench,
    save_draft,
)
from bot.runtime.container import Container
from bot.store.answer_list import AnswerFilter, list_open_answers
from bot.store.responses import DRAFT, PUBLISHED, Bilingual, ThemeWords, get_response
from bot.store.themes import add_theme, set_answer_themes
from tests.admin.conftest import TO_HOPES, talk

FLOW = "energy-data"
NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)
ENGLISH_HOPE = "Warm homes, ring me on 07700 900123 to talk"
#: How the answers page lists it: the number redacted.
LISTED_HOPE = "Warm homes, ring me on [phone number] to talk"
WELSH_HOPE = "Cartrefi cynnes i bawb"
FEARS = ("Being watched", "Cael fy ngwylio")
WELSH_ROUTE = ("helo", "1", *["nesaf"] * 7, "ie", "1")
ADDRESSES = {
    "cy": "https://sgwrs.example.test/responses/energy-data",
    "en": "https://sgwrs.example.test/responses/energy-data?lang=en",
}
#: A theme's three parts, written in both languages.
WRITTEN = ThemeWords(
    heard=Bilingual("Clywson ni am gartrefi oer.", "We heard about cold homes."),
    decision=Bilingual("Byddwn yn rhannu data gyda'r tîm ynni.", "We will share data."),
    reasoning=Bilingual("Mae'n helpu i dargedu cymorth.", "It helps target help."),
)
SUMMARY = Bilingual("Diolch am ddweud wrthym.", "Thank you for telling us.")


@pytest.fixture
def pilot(services: Container) -> dict[str, int]:
    """An English and a Welsh resident, their hopes tagged "Warm homes" and fears "Privacy"."""
    talk(services, "+447700900301", *TO_HOPES, ENGLISH_HOPE, FEARS[0], "More help", "no", "1")
    talk(services, "+447700900302", *WELSH_ROUTE, WELSH_HOPE, FEARS[1], "Dim", "na", "1")
    with services.db.session() as session:
        listed = list_open_answers(
            session, services.vault, AnswerFilter(flow_id=FLOW), limit=50, offset=0
        )
        ids = {answer.text: answer.id for answer in listed.answers}
        warm, privacy = add_theme(session, "Warm homes"), add_theme(session, "Privacy")
        for hope in (LISTED_HOPE, WELSH_HOPE):
            set_answer_themes(session, ids[hope], [warm.id or 0])
        for fear in FEARS:
            set_answer_themes(session, ids[fear], [privacy.id or 0])
    return {
        "warm": warm.id or 0,
        "privacy": privacy.id or 0,
        "english_hope": ids[LISTED_HOPE],
        "welsh_hope": ids[WELSH_HOPE],
        "fear": ids[FEARS[0]],
    }


def _save(services: Container, themes: dict[int, ThemeWords], summary: Bilingual = SUMMARY):
    with services.db.session() as session:
        return save_draft(session, FLOW, summary, themes, user_id=None, now=NOW)


def _publish(services: Container):
    with services.db.session() as session:
        return publish(session, FLOW, user_id=None, now=NOW)


def _public(services: Container, language: str = "cy"):
    with services.db.session() as session:
        return read_published(session, services.vault, FLOW, language)


def test_a_draft_keeps_what_was_written_and_only_quotes_tagged_with_the_theme(
    services: Container, pilot: dict[str, int]
) -> None:
    warm = ThemeWords(
        heard=Bilingual("", "We heard about cold homes."),
        quotes=(pilot["english_hope"], pilot["fear"], pilot["welsh_hope"]),
    )
    _save(services, {pilot["warm"]: warm, pilot["privacy"]: ThemeWords()})

    with services.db.session() as session:
        draft = get_response(session, FLOW, DRAFT)
        assert get_response(session, FLOW, PUBLISHED) is None
    assert draft is not None
    assert draft.summary == SUMMARY
    # The fear is not tagged "Warm homes", so it is not quoted there; a blank theme is not kept.
    assert draft.themes == {
        pilot["warm"]: ThemeWords(
            heard=warm.heard, quotes=(pilot["english_hope"], pilot["welsh_hope"])
        )
    }
    assert _public(services) is None  # nothing is public until published


def test_too_many_quotes_or_too_long_a_part_is_refused_with_its_place(
    services: Container, pilot: dict[str, int]
) -> None:
    many = ThemeWords(quotes=tuple(range(1, MAX_QUOTES + 2)))
    long = ThemeWords(decision=Bilingual("", "x" * 3001))
    with pytest.raises(ResponseProblemsError) as refused:
        _save(services, {pilot["warm"]: many, pilot["privacy"]: long})
    assert set(refused.value.problems) == {
        Problem(pilot["warm"], "quotes", "too_many", limit=MAX_QUOTES, length=MAX_QUOTES + 1),
        Problem(pilot["privacy"], "decision", "too_long", "en", limit=3000, length=3001),
    }
    with services.db.session() as session:
        assert get_response(session, FLOW, DRAFT) is None


def test_publishing_refuses_a_half_written_response_and_names_every_gap(
    services: Container, pilot: dict[str, int]
) -> None:
    begun = ThemeWords(heard=Bilingual("Clywson ni.", "We heard."))
    _save(services, {pilot["warm"]: begun}, summary=Bilingual("", "Thank you."))

    with pytest.raises(ResponseProblemsError) as refused:
        _publish(services)

    assert {(p.theme_id, p.part, p.language) for p in refused.value.problems} == {
        (None, "summary", "cy"),
        *(
            (pilot["warm"], part, lang)
            for part in ("decision", "reasoning")
            for lang in ("cy", "en")
        ),
    }
    assert _public(services) is None


def test_the_published_version_stays_while_the_draft_changes_until_published_again(
    services: Container, pilot: dict[str, int]
) -> None:
    _save(services, {pilot["warm"]: WRITTEN})
    _publish(services)
    changed = ThemeWords(
        heard=WRITTEN.heard,
        decision=Bilingual("Ni fyddwn yn rhannu.", "We will not share."),
        reasoning=WRITTEN.reasoning,
    )
    _save(services, {pilot["warm"]: changed})

    page = _public(services, "en")
    assert page is not None
    assert [section.words.decision.en for section in page.sections] == ["We will share data."]
    with services.db.session() as session:
        bench = read_workbench(session, services.vault, FLOW, "en")
    assert bench.changed_since_publishing

    _publish(services)
    page = _public(services, "en")
    assert page is not None
    assert [section.words.decision.en for section in page.sections] == ["We will not share."]


def test_the_figures_are_taken_at_publishing_by_language_and_by_hopes_and_fears(
    services: Container, pilot: dict[str, int]
) -> None:
    _save(services, {pilot["warm"]: WRITTEN, pilot["privacy"]: WRITTEN})
    _publish(services)
    talk(services, "+447700900303", *TO_HOPES, "Cheaper bills", "Nothing", "No", "no", "1")

    page = _public(services)
    assert page is not None
    assert page.figures.residents == {"cy": 1, "en": 1, "unknown": 0}
    assert page.figures.took_part == 2  # the third resident came after publishing
    counts = {
        s.figure.names.name: (s.figure.answers, s.figure.hopes, s.figure.fears)
        for s in page.sections
    }
    assert counts == {"Warm homes": (2, 2, 0), "Privacy": (2, 0, 2)}


def test_quotes_are_stored_as_ids_and_shown_redacted_in_the_readers_language(
    services: Container, pilot: dict[str, int]
) -> None:
    quoted = ThemeWords(
        heard=WRITTEN.heard,
        decision=WRITTEN.decision,
        reasoning=WRITTEN.reasoning,
        quotes=(pilot["english_hope"], pilot["welsh_hope"]),
    )
    _save(services, {pilot["warm"]: quoted})
    _publish(services)

    welsh, english = _public(services, "cy"), _public(services, "en")
    assert welsh is not None
    assert english is not None
    assert [(q.text, q.language) for q in welsh.sections[0].quotes] == [
        ("Warm homes, ring me on [rhif ffôn] to talk", "en"),
        (WELSH_HOPE, "cy"),
    ]
    assert english.sections[0].quotes[0].text == LISTED_HOPE
    with services.db.engine.connect() as connection:
        for table in ("public_responses", "public_response_themes", "public_response_quotes"):
            rows = connection.execute(text(f"SELECT * FROM {table}")).all()
            assert "900123" not in repr(rows)
            assert "Warm homes, ring" not in repr(rows)


def test_an_erased_residents_quote_is_gone_and_the_rest_stands(
    services: Container, pilot: dict[str, int]
) -> None:
    quoted = ThemeWords(
        heard=WRITTEN.heard,
        decision=WRITTEN.decision,
        reasoning=WRITTEN.reasoning,
        quotes=(pilot["english_hope"], pilot["welsh_hope"]),
    )
    _save(services, {pilot["warm"]: quoted})
    _publish(services)

    services.rights.erase_number("+447700900301", user_id=None, reason="asked_by_phone")

    page = _public(services)
    assert page is not None
    assert [q.text for q in page.sections[0].quotes] == [WELSH_HOPE]
    with services.db.session() as session:
        bench = read_workbench(session, services.vault, FLOW, "cy")
        published = get_response(session, FLOW, PUBLISHED)
    assert [q.answer_id for q in bench.choices[pilot["warm"]]] == [pilot["welsh_hope"]]
    assert published is not None
    assert published.themes[pilot["warm"]].quotes == (pilot["welsh_hope"],)


@pytest.mark.parametrize(
    ("summary", "shortened"),
    [
        (SUMMARY, False),
        (Bilingual("Clywsom chi. " * 40, "We heard you. " * 40), True),
        (Bilingual("Diolch yn fawr iawn i bawb a ŵ " * 10, "Thank you all " * 3), True),
    ],
)
def test_the_text_message_fits_a_broadcast_and_says_when_it_was_shortened(
    summary: Bilingual, shortened: bool
) -> None:
    message = draft_text_message(summary, ADDRESSES)

    assert message.shortened is shortened
    assert message.cy.endswith(f"Rhagor: {ADDRESSES['cy']}")
    assert message.en.endswith(f"More: {ADDRESSES['en']}")
    assert (SHORTENED in message.cy + message.en) is shortened
    text = broadcast_text(message.cy, message.en)  # the broadcast form takes it as it is
    for language in ("cy", "en", None):  # as each resident gets it, with how to stop
        assert segment_info(resident_text(text, language)).segments <= MOST_SEGMENTS
    if not shortened:
        assert message.cy.startswith(summary.cy)
        assert message.en.startswith(summary.en)
