"""Reading replies forgivingly: keywords, numbered options, yes and no, in both languages."""

from __future__ import annotations

import pytest

from bot.engine.matching import (
    Keyword,
    detect_keyword,
    match_option,
    question_after_keyword,
    read_yes_no,
)
from bot.flowspec.model import Option, Text


def option(value: str, en: str, cy: str, *aliases: str) -> Option:
    return Option(value=value, label=Text(cy=cy, en=en), aliases=aliases)


#: Like the energy-data `view` question: Yes / No / Not sure.
VIEW = (
    option("yes", "Yes", "Dylai", "yes", "y", "yeah", "ie", "ydw", "dylai"),
    option("no", "No", "Na ddylai", "no", "nope", "na", "na ddylai", "nac ydw"),
    option("not-sure", "Not sure", "Ddim yn siŵr", "not sure", "dunno", "ddim yn siwr", "efallai"),
)
#: Like the welcome `language` question: the labels are the language names.
LANGUAGE = (
    option("cy", "Cymraeg", "Cymraeg", "welsh"),
    option("en", "English", "Saesneg", "english"),
)


@pytest.mark.parametrize(
    ("text", "keyword"),
    [
        ("STOP", Keyword.STOP),
        ("stopall", Keyword.STOP),
        ("UNSUBSCRIBE", Keyword.STOP),
        ("STOPIO", Keyword.STOP),
        ("START", Keyword.START),
        ("unstop", Keyword.START),
        ("DECHRAU", Keyword.START),
        ("HELP", Keyword.HELP),
        ("CYMORTH", Keyword.HELP),
        ("REPEAT", Keyword.REPEAT),
        ("ETO", Keyword.REPEAT),
        ("LANGUAGE", Keyword.LANGUAGE),
        ("IAITH", Keyword.LANGUAGE),
        ("ASK", Keyword.ASK),
        ("GOFYN", Keyword.ASK),
        ("DELETE", Keyword.DELETE),
        ("DILEU", Keyword.DELETE),
        ("NEW", Keyword.NEW),
        ("NEWYDD", Keyword.NEW),
        ("NEXT", Keyword.NEXT),
        ("NESAF", Keyword.NEXT),
        ("SIMPLER", Keyword.SIMPLER),
        ("SYMLACH", Keyword.SIMPLER),
    ],
)
def test_every_keyword_in_both_languages(text: str, keyword: Keyword) -> None:
    assert detect_keyword(text) is keyword
    assert detect_keyword(text.lower()) is keyword
    assert detect_keyword(f"  {text.capitalize()}. ") is keyword


def test_every_keyword_has_words_in_both_languages() -> None:
    """The Welsh Language Standards list: no keyword works in one language only."""
    welsh = {"stopio", "dechrau", "cymorth", "eto", "iaith", "gofyn", "dileu", "newydd"}
    welsh |= {"nesaf", "symlach"}
    assert {detect_keyword(word) for word in welsh} == set(Keyword)


@pytest.mark.parametrize(
    "text",
    [
        "stop using my data",
        "Please don't stop",
        "help me understand",
        "next week",
        "new here",
        "asking for a friend",
        "Yes",
        "",
    ],
)
def test_a_keyword_inside_a_sentence_is_not_a_keyword(text: str) -> None:
    assert detect_keyword(text) is None


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("ASK Who will see my data?", "Who will see my data?"),
        ("ask: who decides?", "who decides?"),
        ("Ask - is it safe?", "is it safe?"),
        ("GOFYN Pwy fydd yn gweld fy nata?", "Pwy fydd yn gweld fy nata?"),
        ("gofyn, pryd?", "pryd?"),
        ("ASK", ""),
        ("Gofyn.", ""),
        ("  ask  ", ""),
    ],
)
def test_question_after_keyword(text: str, question: str) -> None:
    assert detect_keyword(text) is Keyword.ASK
    assert question_after_keyword(text) == question


def test_question_after_keyword_keeps_lines_and_ignores_other_words() -> None:
    assert question_after_keyword("ASK first line\nsecond line") == "first line\nsecond line"
    assert question_after_keyword("asking for a friend") == ""


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # Numbers, with the punctuation basic phones and habits add.
        ("1", "yes"),
        ("2", "no"),
        ("3", "not-sure"),
        ("2.", "no"),
        ("3)", "not-sure"),
        (" 1 ", "yes"),
        ("2 no thanks", "no"),
        # Number words in English and Welsh.
        ("one", "yes"),
        ("Two", "no"),
        ("three", "not-sure"),
        ("first", "yes"),
        ("un", "yes"),
        ("dau", "no"),
        ("dwy", "no"),
        ("tri", "not-sure"),
        ("tair", "not-sure"),
        ("ail", "no"),
        # Labels in either language, any case, accents optional.
        ("YES", "yes"),
        ("Dylai", "yes"),
        ("na ddylai", "no"),
        ("Not sure", "not-sure"),
        ("Ddim yn siŵr", "not-sure"),
        ("ddim yn siwr", "not-sure"),
        # Aliases.
        ("y", "yes"),
        ("ie", "yes"),
        ("nope", "no"),
        ("nac ydw", "no"),
        ("dunno", "not-sure"),
        ("efallai", "not-sure"),
        # Typos.
        ("yse", "yes"),
        ("yess", "yes"),
        ("nto sure", "not-sure"),
        ("Dylia", "yes"),
        # Phrases around a known word or phrase.
        ("Yes please", "yes"),
        ("Yes!", "yes"),
        ("I'm not sure", "not-sure"),
        ("No, I don't think so", "no"),
    ],
)
def test_match_option(text: str, value: str) -> None:
    found = match_option(VIEW, text)
    assert found is not None, text
    assert found.value == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1", "cy"),
        ("2", "en"),
        ("Cymraeg", "cy"),
        ("English", "en"),
        ("Saesneg", "en"),
        ("welsh", "cy"),
        ("Englsh", "en"),
        ("Cymrag", "cy"),
        ("English please", "en"),
    ],
)
def test_match_option_on_language_names(text: str, value: str) -> None:
    found = match_option(LANGUAGE, text)
    assert found is not None, text
    assert found.value == value


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "?",
        "hello",
        "4",
        "0",
        "12",
        "yes and no",
        "yes or no",
        "ie neu na",
        "1 or 2",
        "Whatever is best",
    ],
)
def test_ambiguous_or_unknown_replies_pick_nothing(text: str) -> None:
    assert match_option(VIEW, text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # English yes.
        ("yes", True),
        ("YES", True),
        ("Yes please", True),
        ("y", True),
        ("yeah", True),
        ("ok", True),
        ("I agree", True),
        ("of course", True),
        ("yse", True),
        # English no.
        ("no", False),
        ("NO", False),
        ("N", False),
        ("nope", False),
        ("no thanks", False),
        ("No thank you", False),
        ("not really", False),
        ("nah", False),
        # Welsh yes.
        ("ie", True),
        ("IE", True),
        ("ydw", True),
        ("iawn", True),
        ("cytuno", True),
        ("wrth gwrs", True),
        ("caiff", True),
        ("cewch", True),
        ("oedd", True),
        ("oes", True),
        ("ia", True),  # North Wales
        ("aye", True),
        ("👍", True),
        # Welsh no.
        ("na", False),
        ("NA", False),
        ("nage", False),
        ("dim diolch", False),
        ("na chaiff", False),
        ("na chewch", False),
        ("nac ydw", False),
        ("nag oedd", False),
        ("nac oes", False),
        # Unclear: ask again.
        ("", None),
        ("maybe", None),
        ("yes no", None),
        ("ie na", None),
        ("not sure", None),
        ("ddim yn siŵr", None),
        ("3", None),
        ("what does this mean", None),
    ],
)
def test_read_yes_no(text: str, expected: bool | None) -> None:
    assert read_yes_no(text) is expected


@pytest.mark.parametrize(
    ("text", "numbered", "expected"),
    [
        ("1", True, True),
        ("2", True, False),
        ("1", False, None),
        ("2", False, None),
        ("dau", False, None),
    ],
)
def test_numbers_count_only_where_they_were_shown(
    text: str, numbered: bool, expected: bool | None
) -> None:
    """'Did that answer it? 1 Yes 2 No' shows numbers; 'Reply YES or NO' does not, so a '2'
    there is no answer at all (a resident was once recorded as declining for it)."""
    assert read_yes_no(text, numbered=numbered) is expected


@pytest.mark.parametrize(
    "text",
    [
        "I don't agree",
        "I do not agree",
        "Of course not",
        "not ok",
        "ddim yn cytuno",
        "dw i ddim yn cytuno",
    ],
)
def test_a_negated_yes_is_never_read_as_yes(text: str) -> None:
    """Consent and erasure hang on this: 'I don't agree' must not keep anyone's answers."""
    assert read_yes_no(text) is not True
