"""Analysts' notes: a little markup, nothing that runs."""

import re

import bleach

NOTE_TAGS = {"b", "strong", "i", "em", "u", "br", "p", "ul", "ol", "li", "a", "bdi", "q"}
NOTE_ATTRIBUTES = {"a": ["href", "title"]}
NOTE_PROTOCOLS = {"http", "https", "mailto"}
NOTE_MAX = 5000
# bleach strips disallowed tags but keeps their text; script and style bodies are code, not prose.
CODE_ELEMENTS = re.compile(r"<(script|style)\b[^>]*>.*?(</\1\s*>|$)", re.IGNORECASE | re.DOTALL)


def clean_note(raw):
    """Sanitise a note to the allowed inline markup; links get rel=nofollow."""
    cleaned = bleach.clean(
        CODE_ELEMENTS.sub("", (raw or "").strip()), tags=NOTE_TAGS, attributes=NOTE_ATTRIBUTES, protocols=NOTE_PROTOCOLS, strip=True, strip_comments=True
    )
    linked = bleach.linkify(cleaned, callbacks=[bleach.callbacks.nofollow, bleach.callbacks.target_blank], parse_email=False)
    return linked.strip()  # a stripped tag at either end leaves whitespace behind
