"""Analysts' notes: a little markup, nothing that runs."""

import re
from urllib.parse import urlsplit

import bleach
from bleach.linkifier import Linker, build_url_re

NOTE_TAGS = {"b", "strong", "i", "em", "u", "br", "p", "ul", "ol", "li", "a", "bdi", "q"}
NOTE_ATTRIBUTES = {"a": ["href", "title"]}
NOTE_PROTOCOLS = {"http", "https", "mailto"}
NOTE_MAX = 5000
# bleach strips disallowed tags but keeps their text; script and style bodies are code, not prose.
CODE_ELEMENTS = re.compile(r"<(script|style)\b[^>]*>.*?(</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
# linkify's own default turns ftp:, ssh:, data:, irc: ... text into links; only ours become links.
NOTE_URL_RE = build_url_re(protocols=NOTE_PROTOCOLS)
# The opened page must not reach back through window.opener (noopener), learn where the reader came
# from (noreferrer), or gain ranking from us (nofollow).
NOTE_LINK_REL = "noopener noreferrer nofollow"


def _link_attributes(attrs, new=False):
    """bleach.linkify callback for every link, old or new: None (the link becomes its text) unless the
    href is an absolute http(s) or mailto URL; else a fixed rel, and a new tab for web pages."""
    href = attrs.get((None, "href"), "").strip()
    scheme = urlsplit(href).scheme.lower() if href else ""
    if scheme not in NOTE_PROTOCOLS or (scheme != "mailto" and not urlsplit(href).netloc):
        return None
    attrs[(None, "rel")] = NOTE_LINK_REL
    if scheme == "mailto":
        attrs.pop((None, "target"), None)
    else:
        attrs[(None, "target")] = "_blank"
    return attrs


def clean_note(raw):
    """Sanitise a note to the allowed inline markup; links only to http(s) or mailto, opening safely."""
    cleaned = bleach.clean(
        CODE_ELEMENTS.sub("", (raw or "").strip()),
        tags=NOTE_TAGS,
        attributes=NOTE_ATTRIBUTES,
        protocols=NOTE_PROTOCOLS,
        strip=True,
        strip_comments=True,
    )
    # A Linker per call: its HTML parser keeps state and is not thread-safe.
    linked = Linker(callbacks=[_link_attributes], url_re=NOTE_URL_RE, parse_email=False).linkify(cleaned)
    return linked.strip()  # a stripped tag at either end leaves whitespace behind
