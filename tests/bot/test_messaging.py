"""What a sender would notice: which alphabet a text needs, what it costs, how it is tidied."""

from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.sms import (
    GSM7_EXTENDED,
    MAX_BODY_CHARS,
    SegmentInfo,
    fits_twilio,
    is_gsm7,
    normalise,
    segment_info,
    split_segments,
)

WELSH_LETTERS = "âêîôûŵŷÂÊÎÔÛŴŶëïÿËÏŸáéíóúýẃẁỳÁÉÍÓÚÝẂẀỲ"


@pytest.mark.parametrize(
    ("text", "encoding", "segments"),
    [
        pytest.param("a" * 160, "GSM-7", 1, id="english-160"),
        pytest.param("a" * 161, "GSM-7", 2, id="english-161"),
        pytest.param("a" * 306, "GSM-7", 2, id="english-306"),
        pytest.param("a" * 307, "GSM-7", 3, id="english-307"),
        pytest.param("£5 top-up", "GSM-7", 1, id="pound-sign"),
        pytest.param("€" + "a" * 159, "GSM-7", 2, id="euro-makes-161-septets"),
        pytest.param("{" * 80, "GSM-7", 1, id="80-braces-160-septets"),
        pytest.param("{" * 81, "GSM-7", 2, id="81-braces-162-septets"),
        # 306 septets would fit in 2 x 153, but the euro cannot straddle the first boundary.
        pytest.param("a" * 152 + "€" + "a" * 152, "GSM-7", 3, id="euro-straddles-153"),
        pytest.param("Diolch am eich help", "GSM-7", 1, id="welsh-plain"),
        pytest.param("Rydym ni'n croesawu eich barn", "GSM-7", 1, id="welsh-no-accents"),
        pytest.param("Mae'r cyngor yn defnyddio data am dŷ", "UCS-2", 1, id="welsh-y-circumflex"),
        pytest.param("dŵr", "UCS-2", 1, id="welsh-w-circumflex"),
        pytest.param("â", "UCS-2", 1, id="welsh-a-circumflex"),
        pytest.param("ŵ" * 70, "UCS-2", 1, id="ucs2-70"),
        pytest.param("ŵ" * 71, "UCS-2", 2, id="ucs2-71"),
        pytest.param("ŵ" * 134, "UCS-2", 2, id="ucs2-134"),
        pytest.param("ŵ" * 135, "UCS-2", 3, id="ucs2-135"),
        # 134 units would fit in 2 x 67, but the emoji's surrogate pair cannot be split.
        pytest.param("ŵ" * 66 + "👍" + "ŵ" * 66, "UCS-2", 3, id="emoji-straddles-67"),
        pytest.param("café", "GSM-7", 1, id="e-acute"),
        pytest.param("Mädchen", "GSM-7", 1, id="a-umlaut"),
        pytest.param("ê", "UCS-2", 1, id="e-circumflex"),
        pytest.param("ë", "UCS-2", 1, id="e-diaeresis"),
    ],
)
def test_encoding_and_segments(text: str, encoding: str, segments: int) -> None:
    info = segment_info(text)
    assert (info.encoding, info.segments) == (encoding, segments)
    assert is_gsm7(text) == (encoding == "GSM-7")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Helo", SegmentInfo("GSM-7", 4, 4, 1, 160), id="short"),
        pytest.param("", SegmentInfo("GSM-7", 0, 0, 1, 160), id="empty-still-one-sms"),
        pytest.param("€" + "a" * 159, SegmentInfo("GSM-7", 160, 161, 2, 153), id="euro-2-septets"),
        pytest.param("👍", SegmentInfo("UCS-2", 1, 2, 1, 70), id="emoji-2-units"),
        pytest.param("ŵ" * 71, SegmentInfo("UCS-2", 71, 71, 2, 67), id="ucs2-multipart"),
    ],
)
def test_segment_info_fields(text: str, expected: SegmentInfo) -> None:
    assert segment_info(text) == expected


def test_split_segments_keeps_extension_char_whole() -> None:
    pieces = split_segments("a" * 152 + "€" + "a" * 152)
    assert pieces == ["a" * 152, "€" + "a" * 151, "a"]


def test_single_segment_text_is_not_split() -> None:
    assert split_segments("Diolch") == ["Diolch"]
    assert split_segments("") == [""]


def test_fits_twilio_at_the_limit() -> None:
    assert fits_twilio("a" * MAX_BODY_CHARS)
    assert not fits_twilio("a" * (MAX_BODY_CHARS + 1))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("‘single’ ‚low‛", "'single' 'low'", id="curly-single-quotes"),
        pytest.param("“double” „low‟", '"double" "low"', id="curly-double-quotes"),
        pytest.param("5′ 6″", "5' 6\"", id="primes"),
        pytest.param("9–5 — ― − ‐ ‑", "9-5 - - - - -", id="dashes"),
        pytest.param("Aros…", "Aros...", id="ellipsis"),
        pytest.param("£5\u00a0top-up", "£5 top-up", id="nbsp"),
        pytest.param("a\u2009b\u202fc\u205fd\u3000e", "a b c d e", id="unusual-spaces"),
        pytest.param("\ufeffdi\u200bol\u200c\u200dch\u2060", "diolch", id="zero-width"),
        pytest.param("line one\r\nline two", "line one\nline two", id="windows-newlines"),
        pytest.param("  Helo \n\t", "Helo", id="outer-whitespace"),
        pytest.param("line  \nnext", "line  \nnext", id="inner-whitespace-kept"),
        pytest.param("d" + "w\u0302" + "r", "dŵr", id="decomposed-w-circumflex"),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_normalise_leaves_welsh_letters_alone() -> None:
    assert normalise(WELSH_LETTERS) == WELSH_LETTERS
    assert normalise("Mae'r dŵr yn y tŷ") == "Mae'r dŵr yn y tŷ"


def test_normalising_curly_english_makes_it_cheaper() -> None:
    pasted = "Thanks – we’ll be in touch about “your data” soon. Reply STOP to opt out…"
    before, after = segment_info(pasted), segment_info(normalise(pasted))
    assert (before.encoding, before.segments) == ("UCS-2", 2)
    assert (after.encoding, after.segments) == ("GSM-7", 1)


def test_normalising_does_not_rescue_real_welsh() -> None:
    assert segment_info(normalise("Faint o ddŵr?")).encoding == "UCS-2"


def _units(piece: str, encoding: str) -> int:
    if encoding == "GSM-7":
        return len(piece) + sum(ch in GSM7_EXTENDED for ch in piece)
    return len(piece.encode("utf-16-le")) // 2


_GSM_ALPHABET = st.sampled_from([*"aZ09 .,'\n£@é", *sorted(GSM7_EXTENDED)])
_MIXED_ALPHABET = st.one_of(
    _GSM_ALPHABET, st.sampled_from([*WELSH_LETTERS, "👍", "😀", "🏴"]), st.characters()
)


@st.composite
def _messages(draw: st.DrawFn, alphabet: st.SearchStrategy[str]) -> str:
    """Random text around a run of one character, so multi-segment boundaries land anywhere."""
    padding = draw(alphabet) * draw(st.integers(0, 400))
    return draw(st.text(alphabet)) + padding + draw(st.text(alphabet))


@settings(max_examples=200, deadline=None)  # a busy CI box must not fail a correct text
@given(st.one_of(_messages(_GSM_ALPHABET), _messages(_MIXED_ALPHABET)))
def test_split_agrees_with_segment_info(text: str) -> None:
    info = segment_info(text)
    pieces = split_segments(text)
    assert len(pieces) == info.segments
    assert "".join(pieces) == text
    assert info.characters == len(text)
    assert info.units == _units(text, info.encoding)
    assert all(_units(piece, info.encoding) <= info.per_segment for piece in pieces)
    # Greedy packing: a segment only ends when the next character would not have fitted.
    for piece, following in pairwise(pieces):
        assert _units(piece + following[0], info.encoding) > info.per_segment
