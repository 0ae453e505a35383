"""Offsets: the browser counts UTF-16 code units, Hamish stores Unicode code points.

Every span offset in the database and in exports counts code points of the NFC
paragraph text (Python string indices). The browser's Selection and Range APIs
count UTF-16 code units, in which a character outside the Basic Multilingual
Plane (an emoji, say) takes two. Conversion happens here, at the boundary, and
nowhere else.
"""

import unicodedata

from django.utils.translation import gettext as _


class OffsetError(ValueError):
    """A span that cannot be stored; the message is shown to the analyst."""


def utf16_length(text):
    return len(text.encode("utf-16-le")) // 2


def utf16_to_code_point(text, utf16_offset):
    """The code point index at `utf16_offset`; OffsetError inside a surrogate pair or out of range."""
    if utf16_offset < 0:
        raise OffsetError(_("The selection starts before the paragraph."))
    units = 0
    for index, char in enumerate(text):
        if units == utf16_offset:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
        if units > utf16_offset:
            raise OffsetError(_("The selection splits a character that takes two UTF-16 units (an emoji, say)."))
    if units == utf16_offset:
        return len(text)
    raise OffsetError(_("The selection runs past the end of the paragraph."))


def code_point_to_utf16(text, index):
    return utf16_length(text[:index])


def _is_combining(char):
    return unicodedata.category(char) in ("Mn", "Me", "Mc") or char in "\u200d"


def check_span(text, start, end, quote):
    """Validate a span given in code points; return (start, end) trimmed of outer whitespace.

    Raises OffsetError when the offsets are out of range, empty, reversed, cut a
    combining mark (a haraka, say) from its base letter, or when `quote` is not
    the paragraph text at those offsets.
    """
    if not (0 <= start <= len(text) and 0 <= end <= len(text)):
        raise OffsetError(
            _("The offsets %(start)s-%(end)s are outside the paragraph (0-%(length)s).")
            % {"start": start, "end": end, "length": len(text)}
        )
    if start > end:
        raise OffsetError(_("The span ends before it starts."))
    if start == end:
        raise OffsetError(_("The span is empty."))
    if text[start:end] != quote:
        raise OffsetError(_("The selected text does not match the paragraph at those offsets; reload the page and try again."))
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        raise OffsetError(_("The selection holds only whitespace."))
    if _is_combining(text[start]):
        raise OffsetError(_("The span starts on a combining mark, cutting it from its letter."))
    if end < len(text) and _is_combining(text[end]):
        raise OffsetError(_("The span ends between a letter and its combining mark."))
    return start, end


def span_from_browser(text, utf16_start, utf16_end, quote):
    """(start, end) in code points for a selection the browser reported in UTF-16 units."""
    return check_span(text, utf16_to_code_point(text, utf16_start), utf16_to_code_point(text, utf16_end), quote)
