"""Analysts' notes: Markdown (or the HTML older notes were written in), a little markup, nothing that runs.

A note is stored as its author wrote it, less any markup outside the allowlist (`clean_note_source`), and is
rendered on display: Markdown to HTML, then sanitised and linkified again (`render_note`)."""

import re
from urllib.parse import urlsplit

import bleach
from bleach.linkifier import Linker, build_url_re
from markdown_it import MarkdownIt

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
# <https://...> is a Markdown autolink, but an HTML sanitiser reads it as an unknown tag and drops it: keep
# the bare address, which the display linkifies.
AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^\s<>]+)>", re.IGNORECASE)
# CommonMark less what the allowlist would strip to bare text anyway (headings, code blocks, rules, images):
# "# 3" and an indented line stay as typed. Raw HTML passes through to the sanitiser, so older HTML notes
# render as before; a line break in the textarea is a line break in the note.
MARKDOWN = MarkdownIt("commonmark", {"html": True, "breaks": True}).disable(
    ["heading", "lheading", "code", "fence", "hr", "image", "blockquote"]
)


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


def clean_note_source(raw):
    """A note as stored: the author's Markdown, with any HTML in it cut to the allowlist (no script or style
    bodies, no event handlers) so that the stored text is safe wherever it goes; not yet rendered."""
    source = AUTOLINK.sub(r"\1", CODE_ELEMENTS.sub("", (raw or "").strip()))
    cleaned = bleach.clean(
        source, tags=NOTE_TAGS, attributes=NOTE_ATTRIBUTES, protocols=NOTE_PROTOCOLS, strip=True, strip_comments=True
    )
    return cleaned.strip()


def render_note(source):
    """The HTML a note is shown as: its Markdown rendered, then sanitised and linkified by `clean_note`."""
    if not source:
        return ""
    return clean_note(MARKDOWN.render(source))
