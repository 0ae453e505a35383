"""Text to paragraphs, the rules every format shares.

A paragraph is one non-empty line. Lines are trimmed at both ends (whitespace,
U+00A0 included) and otherwise kept exactly: internal double spaces, quotes and
punctuation stay. Text is normalised to NFC, because annotation offsets count
code points of the stored text and must mean the same thing on every machine.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

# Explicit bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069):
# in a file they can reorder what a reader sees (the "Trojan Source" trick).
# Implicit marks (LRM, RLM, ALM) are harmless and kept.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")

# C0/C1 control characters other than tab and line breaks never belong in an article.
STRAY_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")

# Every line break a file may use: CRLF, CR, LF, NEL, LS, PS, VT, FF.
LINE_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029\x0b\x0c]")


@dataclass
class CleanText:
    paragraphs: list[str]
    notes: list[str] = field(default_factory=list)


def clean_lines(lines):
    """Normalise each line; drop lines that hold nothing but whitespace."""
    paragraphs = []
    removed_bidi = 0
    removed_controls = 0
    for line in lines:
        line, count = BIDI_CONTROLS.subn("", line)
        removed_bidi += count
        line, count = STRAY_CONTROLS.subn("", line)
        removed_controls += count
        line = unicodedata.normalize("NFC", line).strip()
        # str.strip() and isspace() know U+00A0 and the other Unicode spaces;
        # a line of zero-width characters only is empty too.
        if line and not line.strip("\u200b\u200c\u200d\u2060\ufeff"):
            continue
        if line:
            paragraphs.append(line)
    notes = []
    if removed_bidi:
        notes.append(
            _("Removed %(count)s bidirectional control character(s) (U+202A-U+202E, U+2066-U+2069).") % {"count": removed_bidi}
        )
    if removed_controls:
        notes.append(_("Removed %(count)s stray control character(s).") % {"count": removed_controls})
    return CleanText(paragraphs, notes)


def split_lines(text):
    return LINE_BREAKS.split(text)


# Any character clean_lines would remove (line breaks VT and NEL included, which sends such texts the slow way).
ANY_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"


def paragraphs_from_plain_text(text):
    if ANY_CONTROL.search(text):
        return clean_lines(split_lines(text))
    # Nothing to remove: normalise the whole text at once (NFC never joins across a line break), then trim the
    # lines; the same paragraphs as clean_lines gives, without its per-line work. str.splitlines breaks lines
    # where LINE_BREAKS does, and also at U+001C-U+001E, which ANY_CONTROL has ruled out here.
    lines = unicodedata.normalize("NFC", text).splitlines()
    return CleanText([line for line in map(str.strip, lines) if line.strip(ZERO_WIDTH)])
