"""Calls on the same flows: how long each text takes to say, what a caller cannot follow by ear,
and choices that must fit the keypad (bot.core.spoken, run by `sgwrs flows check`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core.flow_check import CheckReport, check_flows
from bot.core.spoken import (
    MOST_KEYPAD_OPTIONS,
    WORDS_PER_MINUTE,
    spoken_seconds,
    spoken_words,
    unspeakable,
)
from tests.conftest import FIXTURE_FLOWS, PRODUCT_FLOWS


def test_words_are_said_at_150_a_minute() -> None:
    assert WORDS_PER_MINUTE == 150
    assert spoken_words("Byddai'r Cyngor yn cynnig help.") == 5  # "Byddai'r" is one word
    assert spoken_words("1 Dylai\n2 Na ddylai | 3") == 6  # the numbers are said, "|" is not
    assert spoken_seconds("") == 0
    assert spoken_seconds("un dau tri") == pytest.approx(1.2)  # 3 words at 0.4 s each
    assert spoken_seconds(" ".join(["gair"] * 150)) == pytest.approx(60)


def test_web_and_email_addresses_and_tables_cannot_be_followed_by_ear() -> None:
    found = unspeakable(
        "Gweler www.enghraifft.cymru/ynni, neu https://example.gov.uk/energy. "
        "Ebostiwch ynni@enghraifft.cymru neu ewch i enghraifft.gov.uk"
    )

    assert [(part.template.split(" (")[0], part.found) for part in found] == [
        ("an email address", "ynni@enghraifft.cymru"),
        ("a web address", "www.enghraifft.cymru/ynni"),
        ("a web address", "https://example.gov.uk/energy"),
        ("a web address", "enghraifft.gov.uk"),
    ]
    assert [part.template.split(" (")[0] for part in unspeakable("Band | Cost\nA | £1")] == [
        "a table"
    ]
    assert [part.found for part in unspeakable("Name\tCost")] == [""]


@pytest.mark.parametrize(
    "text",
    [
        "Atebwch NESAF am fwy. Reply NEXT for more",  # the renderer words it per channel
        "Ffoniwch 01632 960123 am help.",  # a number can be said, slowly
        "Mae 80% o gartrefi'n oer. Dr. Jones: 1 Ie / 2 Na",
        "Send HELP for help, or STOP to stop, at any time.",
    ],
)
def test_what_a_voice_can_say_is_not_flagged(text: str) -> None:
    assert unspeakable(text) == []


def _edit(path: Path, old: str, new: str) -> None:
    original = path.read_text(encoding="utf-8")
    assert original.count(old) == 1, old
    path.write_text(original.replace(old, new), encoding="utf-8")


_NINE_OPTIONS = "".join(
    f"      - value: extra-{n}\n        label:\n          cy: Arall {n}\n          en: Other {n}\n"
    for n in range(1, 7)
)


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> CheckReport:
    """The fixture flows with a nine-option choice, a web address, an email address and a table."""
    flows = tmp_path_factory.mktemp("spoken") / "flows"
    shutil.copytree(FIXTURE_FLOWS, flows)
    energy = flows / "energy-data.yaml"
    _edit(energy, "  # People who said No are asked", f"{_NINE_OPTIONS}\n  # People who said No")
    _edit(
        energy,
        "en: Do you think the council should do this?",
        "en: Do you think the council should do this? See www.example.gov.uk/energy",
    )
    _edit(
        energy,
        "Does dim rhaid i chi ei ddarllen.",
        "Does dim rhaid i chi ei ddarllen. Ebostiwch ynni@enghraifft.cymru",
    )
    _edit(
        energy,
        "en: A gas or electric meter that sends your energy use",
        "en: |-\n        Meter | Sends\n        A gas or electric meter that sends your energy use",
    )
    return check_flows(flows, "energy-data")


def _found(report: CheckReport, start: str) -> list[tuple[str, str, str]]:
    return [
        (finding.level, finding.where, finding.message)
        for finding in report.findings
        if finding.message.startswith(start)
    ]


def test_a_choice_beyond_the_keypad_is_an_error(broken: CheckReport) -> None:
    assert MOST_KEYPAD_OPTIONS == 8
    assert _found(broken, "the choice has") == [
        (
            "error",
            "energy-data/view",
            "the choice has 9 options; a phone keypad can offer at most 8 (keys 1 to 8; 0, 9 "
            "and * are kept for hearing the options, repeating and changing language)",
        )
    ]


def test_text_that_relies_on_reading_is_a_warning_in_its_language(broken: CheckReport) -> None:
    web = _found(broken, "a web address")
    assert [(level, where) for level, where, _ in web] == [("warning", "energy-data/view en")]
    assert "(www.example.gov.uk/energy)" in web[0][2]
    assert "offer to send it by text" in web[0][2]
    email = _found(broken, "an email address")
    assert [(level, where) for level, where, _ in email] == [
        ("warning", "energy-data/faq smart-meter cy")
    ]
    table = _found(broken, "a table")
    assert [(level, where) for level, where, _ in table] == [
        ("warning", "energy-data/faq smart-meter en")
    ]


def test_the_shipped_flows_can_all_be_spoken_and_are_timed() -> None:
    report = check_flows(PRODUCT_FLOWS, "energy-data")

    spoken = [
        f for f in report.findings if "relies on reading" in f.message or "keypad" in f.message
    ]
    assert spoken == []
    whole = report.spoken[""]
    # The main route as a caller hears it, the greeting in both languages and the keys to
    # press included: under four minutes a call, and the same in Welsh as in English.
    assert 150 < whole["cy"] < 240, whole
    assert 150 < whole["en"] < 240, whole
    assert whole["cy"] == pytest.approx(whole["en"], rel=0.25)
    for language in ("cy", "en"):  # each text counts in the flow it was sent in
        parts = report.spoken["energy-data"][language] + report.spoken["welcome"][language]
        assert whole[language] == pytest.approx(parts)
    name, seconds = report.longest["energy-data"]["cy"]
    assert name == "what-we-keep"
    assert 10 < seconds < 25
