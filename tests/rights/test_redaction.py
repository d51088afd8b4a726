"""Contact details out of residents' words (bot.runtime.redaction): each realistic form goes,
the words around it stay, and dates, amounts, counts and the like come back untouched."""

from __future__ import annotations

import re

import pytest

from bot.runtime.redaction import (
    ADDRESS,
    EMAIL,
    KINDS,
    LABELS,
    PHONE,
    POSTCODE,
    Redaction,
    has_contact_details,
    redact,
)

#: (what a resident wrote, what must go, words that must stay, the kinds found)
FORMS: list[tuple[str, tuple[str, ...], tuple[str, ...], set[str]]] = [
    # phone numbers: mobiles
    ("07700 900123", ("07700 900123",), (), {PHONE}),
    ("07700900123", ("07700900123",), (), {PHONE}),
    ("call me on 07700 900 123 please", ("07700 900 123",), ("call me on", "please"), {PHONE}),
    ("+44 (0)7700-900-123", ("+44 (0)7700-900-123",), (), {PHONE}),
    ("+44 7700 900999 is my number, please ring me", ("+44 7700 900999",),
     ("is my number, please ring me",), {PHONE}),
    ("+447700900123 any time", ("+447700900123",), ("any time",), {PHONE}),
    ("0044 7700 900123 after six", ("0044 7700 900123",), ("after six",), {PHONE}),
    ("(+44) 7700 900123", ("(+44) 7700 900123",), (), {PHONE}),
    ("mob 07700-900123!", ("07700-900123",), ("mob", "!"), {PHONE}),
    ("text 07700.900.123 tonight", ("07700.900.123",), ("text", "tonight"), {PHONE}),
    ("my mobile is 0 7 7 0 0 9 0 0 1 2 3", ("0 7 7 0 0 9 0 0 1 2 3",), ("my mobile is",),
     {PHONE}),
    ("07700 900 1234 is the number", ("07700 900 1234",), ("is the number",), {PHONE}),
    ("tel:07700900123", ("07700900123",), ("tel:",), {PHONE}),
    # phone numbers: landlines and freephone
    ("029 2087 2087", ("029 2087 2087",), (), {PHONE}),
    ("ring (029) 2087 2087 in the day", ("(029) 2087 2087",), ("ring", "in the day"), {PHONE}),
    ("+44 (0)29-2087-2087", ("+44 (0)29-2087-2087",), (), {PHONE}),
    ("home 01234 567890", ("01234 567890",), ("home",), {PHONE}),
    ("(01234) 567890 is best", ("(01234) 567890",), ("is best",), {PHONE}),
    ("try 0800 123 4567 free", ("0800 123 4567",), ("try", "free"), {PHONE}),
    ("0300 123 1234 or 0117 496 0123", ("0300 123 1234", "0117 496 0123"), ("or",), {PHONE}),
    ("02920 872087 ext 22", ("02920 872087",), (), {PHONE}),
    # phone numbers: abroad
    ("my son in New York +1 212 555 0100", ("+1 212 555 0100",), ("my son in New York",),
     {PHONE}),
    ("Dublin +353 1 234 5678", ("+353 1 234 5678",), ("Dublin",), {PHONE}),
    # emails
    ("name@example.com", ("name@example.com",), (), {EMAIL}),
    ("email me: jo.bloggs+sgwrs@mail.example.co.uk.", ("jo.bloggs+sgwrs@mail.example.co.uk",),
     ("email me:",), {EMAIL}),
    ("MY EMAIL IS JOHN.SMITH@EXAMPLE.COM THANKS", ("JOHN.SMITH@EXAMPLE.COM",),
     ("MY EMAIL IS", "THANKS"), {EMAIL}),
    ("write to j_jones1990@example.org", ("j_jones1990@example.org",), ("write to",), {EMAIL}),
    # postcodes
    ("CF10 1AA", ("CF10 1AA",), (), {POSTCODE}),
    ("cf101aa", ("cf101aa",), (), {POSTCODE}),
    ("SW1A 1AA", ("SW1A 1AA",), (), {POSTCODE}),
    ("my postcode is sa1 8pp.", ("sa1 8pp",), ("my postcode is", "."), {POSTCODE}),
    ("Bangor LL57 2DG", ("LL57 2DG",), ("Bangor",), {POSTCODE}),
    ("np204ur", ("np204ur",), (), {POSTCODE}),
    ("M1 1AE is where I am", ("M1 1AE",), ("is where I am",), {POSTCODE}),
    # street addresses
    ("12 High St", ("12 High St",), (), {ADDRESS}),
    ("I live at 12 Church Rd.", ("12 Church Rd",), ("I live at",), {ADDRESS}),
    ("Flat 2, 14 Church Road", ("Flat 2", "14 Church Road"), (), {ADDRESS}),
    ("come to 14 church road any day", ("14 church road",), ("come to", "any day"), {ADDRESS}),
    ("10 Downing Street", ("10 Downing Street",), (), {ADDRESS}),
    ("I'm at 45b Cowbridge Road East", ("45b Cowbridge Road",), ("I'm at",), {ADDRESS}),
    ("Apartment 4, 2 Bute Terrace", ("Apartment 4", "2 Bute Terrace"), (), {ADDRESS}),
    ("9 St Mary's Close", ("9 St Mary's Close",), (), {ADDRESS}),
    ("14 Maple Avenue is ours", ("14 Maple Avenue",), ("is ours",), {ADDRESS}),
    ("12 Green Lane", ("12 Green Lane",), (), {ADDRESS}),
    ("8 The Parade, Penarth", ("8 The Parade",), (", Penarth",), {ADDRESS}),
    ("3 Oak Gardens", ("3 Oak Gardens",), (), {ADDRESS}),
    ("3a Heol y Frenhines", ("3a Heol y Frenhines",), (), {ADDRESS}),
    ("12 Stryd Fawr, Caerdydd", ("12 Stryd Fawr",), (", Caerdydd",), {ADDRESS}),
    ("7 Rhodfa'r Môr", ("7 Rhodfa'r Môr",), (), {ADDRESS}),
    ("22 Cilgant y Llyn", ("22 Cilgant y Llyn",), (), {ADDRESS}),
    ("3 Teras Alexandra", ("3 Teras Alexandra",), (), {ADDRESS}),
    ("5 Ffordd Churchill", ("5 Ffordd Churchill",), (), {ADDRESS}),
    ("11 Lôn Las", ("11 Lôn Las",), (), {ADDRESS}),
    ("dewch i 4 heol y parc", ("4 heol y parc",), ("dewch i",), {ADDRESS}),
    # sentences with more than one
    ("call me on +44 7700 900123 my name is John Jones, 12 High St",
     ("+44 7700 900123", "12 High St"), ("call me on", "my name is John Jones,"),
     {PHONE, ADDRESS}),
    ("12 high st cardiff cf10 1aa", ("12 high st", "cf10 1aa"), ("cardiff",),
     {ADDRESS, POSTCODE}),
    ("Tel: 029 2087 2087 / 07700 900123", ("029 2087 2087", "07700 900123"), ("Tel:", "/"),
     {PHONE}),
    # Welsh sentences around them
    ("ffoniwch fi ar 07700 900123 os gwelwch yn dda", ("07700 900123",),
     ("ffoniwch fi ar", "os gwelwch yn dda"), {PHONE}),
    ("Rwy'n byw yn 5 Heol y Parc, Caerdydd CF14 3AB", ("5 Heol y Parc", "CF14 3AB"),
     ("Rwy'n byw yn", ", Caerdydd"), {ADDRESS, POSTCODE}),
    ("Cysylltwch â fi ar siân.jones@enghraifft.cymru neu 07700 900 456",
     ("siân.jones@enghraifft.cymru", "07700 900 456"), ("Cysylltwch â fi ar", "neu"),
     {EMAIL, PHONE}),
    ("Dwi'n poeni am fy mesurydd. Rhif ffôn y tŷ yw 01970 123456, diolch",
     ("01970 123456",), ("Dwi'n poeni am fy mesurydd. Rhif ffôn y tŷ yw", ", diolch"), {PHONE}),
    ("Fflat 3, 18 Stryd y Castell, Abertawe SA1 1DP", ("Fflat 3", "18 Stryd y Castell", "SA1 1DP"),
     ("Abertawe",), {ADDRESS, POSTCODE}),
]  # fmt: skip

#: Words that look a little like contact details and must come back exactly as written.
LOOKALIKES = [
    "I'll be free on 12/03/2026 after 10:30",
    "The meeting is on 2026-03-12",
    "On 01-02-2026 10 people came",
    "We spoke on 12 March about the meters",
    "The bill went up to £1,200 this year",
    "We use 1200 kWh a year",
    "A stamp costs 45p now",
    "About 20% of people",
    "1 in 5 homes are cold",
    "Since 2026 things changed",
    "Back in the 1990s",
    "I have 3 children",
    "There are 2 buses a day on the main road",
    "It's the 2nd time I've asked",
    "Step 3 was confusing",
    "Help should be there 24/7",
    "I'm out 9am-5pm Monday to Friday",
    "Between 10:00 and 12:00",
    "It's 5 minutes up the road",
    "I have 3 very close friends",
    "20 mph road outside",
    "Our account number is 12345678",
    "I pay £1,234,567 lol",
    "0.5 0.25 0.125 0.5 0.25",
    "I got a ps5 2nd hand",
    "ring me b4 9am",
    "I live in CF10",
    "I live on Heol y Frenhines",
    "The A470 road is busy",
    "Mae gen i 3 o blant",
    "Mae 3 ffordd o wneud hyn",
    "Mae 2 lôn ar gau",
    "Dwi'n talu £45.50 y mis",
    "Am 10:30 y bore ar 12 Mawrth",
    "Tua 1200 kWh y flwyddyn, 1 o bob 5",
]


def _removed(text: str, gone: tuple[str, ...]) -> None:
    for part in gone:
        assert part not in text, f"{part!r} survived in {text!r}"


@pytest.mark.parametrize(("text", "gone", "kept", "kinds"), FORMS)
def test_contact_details_are_replaced_and_the_words_around_them_stay(
    text: str, gone: tuple[str, ...], kept: tuple[str, ...], kinds: set[str]
) -> None:
    redaction = redact(text)
    _removed(redaction.text, gone)
    for words in kept:
        assert words in redaction.text, f"{words!r} was lost from {redaction.text!r}"
    for kind in kinds:
        assert LABELS["en"][kind] in redaction.text
    assert redaction.found == kinds
    assert redaction.contact_details
    assert has_contact_details(text)


@pytest.mark.parametrize(("text", "gone", "kept", "kinds"), FORMS)
def test_welsh_readers_get_welsh_labels(
    text: str, gone: tuple[str, ...], kept: tuple[str, ...], kinds: set[str]
) -> None:
    redaction = redact(text, "cy")
    _removed(redaction.text, gone)
    assert {kind for kind in KINDS if LABELS["cy"][kind] in redaction.text} == kinds
    assert not any(label in redaction.text for label in LABELS["en"].values())


@pytest.mark.parametrize(("text", "gone", "kept", "kinds"), [f for f in FORMS if PHONE in f[3]])
def test_no_digit_run_of_a_phone_number_survives(
    text: str, gone: tuple[str, ...], kept: tuple[str, ...], kinds: set[str]
) -> None:
    """Not "[phone number] 123": every run of digits of the number went with it."""
    redacted = redact(text).text
    for number in gone:
        for run in re.findall(r"\d+", number):
            assert not re.search(rf"(?<!\d){run}(?!\d)", redacted), (run, redacted)
    assert not re.search(r"\d{3}", redacted)


@pytest.mark.parametrize("text", LOOKALIKES)
def test_lookalikes_come_back_unchanged(text: str) -> None:
    assert redact(text) == Redaction(text, frozenset())
    assert redact(text, "cy").text == text
    assert not has_contact_details(text)


@pytest.mark.parametrize(("text", "gone", "kept", "kinds"), FORMS)
def test_redacting_twice_changes_nothing_more(
    text: str, gone: tuple[str, ...], kept: tuple[str, ...], kinds: set[str]
) -> None:
    """Labels are never taken for contact details, in either language."""
    for language in ("en", "cy"):
        once = redact(text, language).text
        assert redact(once, language) == Redaction(once, frozenset())


def test_an_unknown_language_reads_english_labels() -> None:
    assert redact("07700 900123", "fr").text == "[phone number]"


def test_empty_and_plain_texts_have_no_contact_details() -> None:
    assert redact("") == Redaction("", frozenset())
    assert not redact("Warm homes for all").contact_details
