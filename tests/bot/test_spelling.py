"""Spelling as a flow writer meets it: real Welsh and English dictionaries through aspell."""

from __future__ import annotations

import pytest

from bot.core.spelling import misspellings


def _wrong(text: str, language: str, accepted: tuple[str, ...] = ()) -> list[str]:
    return [miss.word for miss in misspellings(text, language, accepted)]  # type: ignore[arg-type]


def test_a_welsh_typo_is_found_with_suggestions() -> None:
    found = misspellings("Mae'r cyngor yn defnyddo data am ynni.", "cy")
    assert [miss.word for miss in found] == ["defnyddo"]
    assert "defnyddio" in found[0].suggestions


def test_welsh_clitics_and_mutations_are_not_misspellings() -> None:
    assert _wrong("Mae'r cyngor am ei ddefnyddio i'w helpu yn Gymraeg.", "cy") == []


def test_reply_words_and_the_product_name_are_right_but_a_misspelt_keyword_is_not() -> None:
    assert _wrong("Atebwch NESAF neu STOP. Diolch gan Sgwrs.", "cy") == []
    assert _wrong("Reply NEXT or STOP. Thanks from Sgwrs.", "en") == []
    assert _wrong("Reply NXET to go on.", "en") == ["NXET"]


def test_addresses_numbers_and_placeholders_are_skipped() -> None:
    text = "See www.example.gov.uk/data or email data@example.gov.uk, ring 07700 900123, {name}."
    assert _wrong(text, "en") == []


def test_english_keeps_its_apostrophes_and_accepted_words_count_in_any_case() -> None:
    assert _wrong("The council's plan isn't final.", "en") == []
    assert _wrong("Ask Ynnibot about it.", "en") == ["Ynnibot"]
    assert _wrong("Ask Ynnibot about it.", "en", accepted=("ynnibot",)) == []


@pytest.mark.parametrize("language", ["cy", "en"])
def test_each_unknown_word_is_reported_once(language: str) -> None:
    assert _wrong("zzqx zzqx zzqx", language) == ["zzqx"]
