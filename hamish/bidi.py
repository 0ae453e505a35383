"""Keeping user data (titles, file and outlet names) in its own direction inside an interface sentence.

Messages made in Python and stored as plain text (an import report's lines, a job's error) wrap such data in
Unicode's isolates, FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE: the plain-text equivalent of <bdi>, so
that an Arabic title inside an English sentence (or a Latin file name inside an Arabic one) keeps its quotes and
neighbours where they belong. Pages turn them into <bdi> elements (the `bidi_isolates` filter); a terminal,
which shows isolates as nothing or as boxes, gets them stripped (`strip_isolates`)."""

import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

FSI, PDI = "\u2068", "\u2069"
_ISOLATED = re.compile(f"{FSI}([^{FSI}{PDI}]*){PDI}")


def isolate(text):
    return f"{FSI}{text}{PDI}"


def strip_isolates(text):
    return str(text).replace(FSI, "").replace(PDI, "")


def isolates_to_bdi(text):
    """HTML for `text` (escaped), its isolated runs as <bdi> elements; stray isolate marks are dropped."""
    html = _ISOLATED.sub(lambda match: f"<bdi>{match.group(1)}</bdi>", escape(str(text)))
    return mark_safe(strip_isolates(html))
