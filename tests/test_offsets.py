"""UTF-16 (browser) to code points (storage), and every rule a span's offsets must meet."""

import pytest

from annotations.offsets import OffsetError, check_span, code_point_to_utf16, span_from_browser, utf16_to_code_point

EMOJI_TEXT = "🇮🇶 وصل الوزير 😀 ثم التقى لويد أوستن"


def utf16_offset(text, substring):
    return code_point_to_utf16(text, text.index(substring))


def test_it_converts_utf16_offsets_after_emoji_to_code_points():
    start = utf16_offset(EMOJI_TEXT, "لويد")
    end = start + len("لويد أوستن")
    assert start - EMOJI_TEXT.index("لويد") == 3  # the flag (2 astral chars) and 😀 each take 2 units
    assert span_from_browser(EMOJI_TEXT, start, end, "لويد أوستن") == (
        EMOJI_TEXT.index("لويد"),
        EMOJI_TEXT.index("لويد") + len("لويد أوستن"),
    )


def test_offsets_are_identical_for_bmp_only_text():
    text = "وزير الدفاع العراقي"
    assert [utf16_to_code_point(text, i) for i in range(len(text) + 1)] == list(range(len(text) + 1))


def test_it_refuses_an_offset_inside_a_surrogate_pair():
    with pytest.raises(OffsetError, match="splits a character"):
        utf16_to_code_point("a😀b", 2)


@pytest.mark.parametrize("offset", [-1, 100])
def test_it_refuses_offsets_out_of_range(offset):
    with pytest.raises(OffsetError):
        utf16_to_code_point("abc", offset)


@pytest.mark.parametrize(
    ("start", "end", "quote", "message"),
    [
        (3, 3, "", "empty"),
        (5, 2, "x", "ends before it starts"),
        (0, 50, "x", "outside the paragraph"),
        (0, 4, "وزيx", "does not match"),
        (4, 5, " ", "only whitespace"),
    ],
)
def test_it_refuses_bad_spans(start, end, quote, message):
    with pytest.raises(OffsetError, match=message):
        check_span("وزير الدفاع", start, end, quote)


def test_it_trims_outer_whitespace_including_nbsp():
    text = "قال\u00a0 أوستن  إن"
    start, end = text.index("\u00a0"), text.index("إن")
    assert check_span(text, start, end, text[start:end]) == (text.index("أوستن"), text.index("أوستن") + len("أوستن"))


def test_it_keeps_a_selection_inside_a_word():
    text = "والعراق"
    assert check_span(text, 1, 7, "العراق") == (1, 7)


def test_it_refuses_to_cut_a_haraka_from_its_letter():
    text = "مُحَمَّد"  # meem + damma + hah + fatha + meem + shadda + fatha + dal
    with pytest.raises(OffsetError, match="ends between a letter and its combining mark"):
        check_span(text, 0, 1, text[0:1])
    with pytest.raises(OffsetError, match="starts on a combining mark"):
        check_span(text, 1, 3, text[1:3])
    assert check_span(text, 0, 2, text[0:2]) == (0, 2)


def test_tatweel_is_a_letter_not_a_mark():
    text = "العـــراق"
    assert check_span(text, 3, 6, "ـــ") == (3, 6)
