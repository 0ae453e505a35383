"""Keeping user data (titles, file and outlet names) in its own direction inside an interface sentence.

Messages made in Python and stored as plain text (an import report's lines, a job's error) wrap such data in
Unicode's isolates, FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE: the plain-text equivalent of <bdi>, so
that an Arabic title inside an English sentence (or a Latin file name inside an Arabic one) keeps its quotes and
neighbours where they belong. A translation may also hold LEFT-TO-RIGHT ISOLATE ... PDI around a technical token
such as '.pdf' inside Arabic. Pages turn them into <bdi> elements (the `bidi_isolates` filter); a terminal,
which shows isolates as nothing or as boxes, gets them stripped (`strip_isolates`)."""

import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"
ISOLATE_MARKS = LRI + RLI + FSI + PDI
_ISOLATED = re.compile(f"([{LRI}{RLI}{FSI}])([^{ISOLATE_MARKS}]*){PDI}")
_BDI = {FSI: "<bdi>", LRI: '<bdi dir="ltr">', RLI: '<bdi dir="rtl">'}


def isolate(text):
    return f"{FSI}{text}{PDI}"


def strip_isolates(text):
    return str(text).translate({ord(mark): None for mark in ISOLATE_MARKS})


def isolates_to_bdi(text):
    """HTML for `text` (escaped), its isolated runs as <bdi> elements; stray isolate marks are dropped."""
    html = _ISOLATED.sub(lambda match: f"{_BDI[match.group(1)]}{match.group(2)}</bdi>", escape(str(text)))
    return mark_safe(strip_isolates(html))
