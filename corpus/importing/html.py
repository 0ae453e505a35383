"""Readable paragraphs out of a saved web page.

libxml2 (through lxml's parser-target interface) does the tokenising and sends
us start, end and text events, like a SAX parser: no tree is built. It treats
<script> and <style> bodies as raw text (so we can drop them whole), drops
comments, decodes character references, and sends well-nested events (an end
for every start, unclosed elements closed for us). Its tokeniser works in time
linear in the input; Python's html.parser rescans an unclosed tag or attribute
on every later '<', quadratic on pages like '<p a="' repeated (60 KB took 20 s).
bleach is not used here because stripping tags with bleach keeps the text inside
<script> and <style>.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _
from lxml import etree

from . import news
from .errors import RejectedFile

# Elements whose content is never article text.
SKIPPED = {
    "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed",
    "canvas", "audio", "video", "head", "nav", "aside", "footer", "button", "select",
    "textarea", "option", "datalist", "dialog",
}  # fmt: skip
# Elements that end one paragraph and start the next.
BLOCKS = {
    "address", "article", "blockquote", "body", "br", "caption", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "ol",
    "p", "pre", "section", "summary", "table", "td", "th", "tr", "ul", "form", "fieldset", "legend",
}  # fmt: skip
# Containers that usually hold the story itself; if the page has them, prefer their text.
STORY_CONTAINERS = {"article", "main"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

COLLAPSIBLE_WHITESPACE = re.compile(r"[ \t\n\r\f]+")
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
MIN_STORY_CHARACTERS = 200
# libxml2 looks up a stray end tag (or a second <body>) in its stack of open elements, so its work is the
# input's size times the nesting depth: '<div>' * 100,000 then '</x>' * 100,000 took 17 s. Real pages nest a
# few dozen deep (a few hundred when tags are left open); past this depth a page is refused, which bounds
# the work to about 1.5 s for a 5 MB page of stray end tags.
MAX_NESTING_DEPTH = 1000
# The markup is fed in pieces so that a refusal stops the parser within one piece.
FEED_CHARACTERS = 64 * 1024


@dataclass
class HtmlDocument:
    paragraphs: list[str]
    title: str = ""
    url: str = ""
    published_on: date | None = None
    site_name: str = ""
    language: str = ""
    meta: dict = field(default_factory=dict)
    chrome: frozenset = frozenset()  # indexes of paragraphs kept as page chrome (not the story)
    author: str = ""
    extractor: str = ""  # "trafilatura" when it chose the story, "" for our parser alone


class _NestedTooDeeply(Exception):
    pass


class _ReadableText:
    """The target of lxml's parser: start(), end(), data() and close() are called as the page is read."""

    def __init__(self):
        # Open skipped elements, counted by tag (events are well nested, so counts are exact); text is dropped
        # while any is open. Counts rather than a stack: every event is O(1), however deep the page nests.
        self.skipped_open = Counter()
        self.skipped_depth = 0
        self.container_stack = []  # ids of open <article>/<main> elements
        self.next_container_id = 0
        self.depth = 0  # open elements, <html> and <body> included
        self.elements = 0  # read so far (the story extractor's cap)
        self.pre_depth = 0
        self.link_depth = 0  # open <a> elements
        self.buffer = []
        self.link_characters = 0  # of the buffer's text, inside <a>
        self.blocks = []  # (container id or None, text, share of its characters inside <a>)
        self.title_parts = []
        self.in_title = False
        self.h1_parts = None
        self.first_h1 = ""
        self.meta = {}
        self.canonical = ""
        self.language = ""
        self.first_time = ""

    # --- tags ---
    def start(self, tag, attributes):
        self.depth += 1
        self.elements += 1
        if self.depth > MAX_NESTING_DEPTH:
            raise _NestedTooDeeply
        tag = tag.lower()
        if tag == "html" and attributes.get("lang"):
            self.language = attributes["lang"].strip()
        elif tag == "meta":
            key = (attributes.get("property") or attributes.get("name") or "").lower().strip()
            if key and "content" in attributes:
                self.meta.setdefault(key, attributes["content"].strip())
        elif tag == "link" and "canonical" in attributes.get("rel", "").lower().split():
            self.canonical = self.canonical or attributes.get("href", "").strip()
        elif tag == "time" and not self.first_time:
            self.first_time = attributes.get("datetime", "").strip()
        if tag == "body" and self.skipped_open["head"]:
            # A page that never closes <head>: the body starts the text anyway.
            self.skipped_depth -= self.skipped_open.pop("head")
        if tag == "title" and not self.skipped_blocks_title():
            self.in_title = True
            return
        if tag in VOID:
            if tag == "br" and not self.skipped_depth:
                self.flush()
            return
        if tag in SKIPPED:
            self.skipped_open[tag] += 1
            self.skipped_depth += 1
            return
        if self.skipped_depth:
            return
        if tag in BLOCKS:
            self.flush()
        if tag in STORY_CONTAINERS:
            self.container_stack.append(self.next_container_id)
            self.next_container_id += 1
        if tag == "pre":
            self.pre_depth += 1
        if tag == "a":
            self.link_depth += 1
        if tag == "h1" and not self.first_h1:
            self.h1_parts = []

    def skipped_blocks_title(self):
        # <title> lives in <head>, which we skip for text; read it anyway, unless inside <svg>.
        return self.skipped_depth > self.skipped_open["head"]

    def end(self, tag):
        self.depth -= 1
        tag = tag.lower()
        if tag == "title":
            self.in_title = False
            return
        if self.skipped_depth:
            if tag in SKIPPED and self.skipped_open[tag]:
                self.skipped_open[tag] -= 1
                self.skipped_depth -= 1
            return
        if tag in BLOCKS:
            self.flush()
        if tag in STORY_CONTAINERS and self.container_stack:
            self.container_stack.pop()
        if tag == "pre" and self.pre_depth:
            self.pre_depth -= 1
        if tag == "a" and self.link_depth:
            self.link_depth -= 1
        if tag == "h1" and self.h1_parts is not None:
            self.first_h1 = COLLAPSIBLE_WHITESPACE.sub(" ", "".join(self.h1_parts)).strip()
            self.h1_parts = None

    # --- text ---
    def data(self, data):
        if self.in_title:
            self.title_parts.append(data)
            return
        if self.skipped_depth:
            return
        self.buffer.append(data)
        if self.link_depth:
            self.link_characters += len(data.strip())
        if self.h1_parts is not None:
            self.h1_parts.append(data)

    def flush(self):
        if not self.buffer:
            return
        text = "".join(self.buffer)
        links = self.link_characters / max(1, len(text.strip()))
        self.buffer, self.link_characters = [], 0
        container = self.container_stack[-1] if self.container_stack else None
        if self.pre_depth:
            for line in text.split("\n"):
                self.blocks.append((container, line, links))
        else:
            self.blocks.append((container, COLLAPSIBLE_WHITESPACE.sub(" ", text), links))

    def close(self):
        self.flush()
        return self


def _story_blocks(blocks):
    """Prefer the <article>/<main> holding the most text, when it holds a story's worth."""
    sizes = {}
    for container, text, _links in blocks:
        if container is not None:
            sizes[container] = sizes.get(container, 0) + len(text.strip())
    if sizes:
        best = max(sizes, key=sizes.get)
        if sizes[best] >= MIN_STORY_CHARACTERS:
            return [text for container, text, _links in blocks if container == best]
    return [text for _container, text, _links in blocks]


def _parse_date(value):
    match = ISO_DATE.match(value or "")
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def extract_html(markup, *, story_extractor=True):
    """The readable text and metadata of `markup` (a str), or RejectedFile if libxml2 cannot read it at all.
    With `story_extractor`, trafilatura chooses the story among our blocks (corpus.importing.news); without it,
    or when it rejects the page, the <article>/<main> holding the most text, else the whole page."""
    # no_network: never fetch a DTD or anything else a page points to. Default limits (no huge_tree): a text
    # node or name larger than libxml2 allows is cut, never read without bound.
    lxml_parser = etree.HTMLParser(target=_ReadableText(), no_network=True, remove_comments=True, remove_pis=True)
    try:
        for start in range(0, len(markup), FEED_CHARACTERS):
            lxml_parser.feed(markup[start : start + FEED_CHARACTERS])
        parser = lxml_parser.close()
    except _NestedTooDeeply:
        raise RejectedFile(
            _("The page nests elements more than %(depth)s deep (tags left open?); Hamish does not read such pages.")
            % {"depth": f"{MAX_NESTING_DEPTH:,}"}
        ) from None
    except (etree.LxmlError, UnicodeError, ValueError):
        raise RejectedFile(_("This HTML page could not be read.")) from None
    meta = parser.meta
    extracted = news.run_trafilatura(markup, parser.elements) if story_extractor else None
    paragraphs, chrome, title, extractor = _story_blocks(parser.blocks), set(), "", ""
    if extracted is not None:
        reading = _extractor_reading(parser.blocks, extracted)
        if reading is not None:
            paragraphs, chrome = reading
            extractor = "trafilatura"
            title = _story_title(meta, parser, extracted, markup, paragraphs)
    title = title or meta.get("og:title") or parser.first_h1 or "".join(parser.title_parts)
    published_on = _parse_date(meta.get("article:published_time") or meta.get("date") or meta.get("dc.date") or parser.first_time)
    return HtmlDocument(
        paragraphs=paragraphs,
        chrome=frozenset(chrome),
        title=COLLAPSIBLE_WHITESPACE.sub(" ", title).strip(),
        url=meta.get("og:url") or parser.canonical,
        published_on=published_on
        or (news.dateline_date(paragraphs, chrome) if extractor else None)
        or (extracted.published_on if extracted else None),
        site_name=meta.get("og:site_name", ""),
        language=parser.language,
        author=extracted.author if extracted else "",
        extractor=extractor,
        meta=meta,
    )


def _extractor_reading(blocks, extracted):
    """(paragraphs, indexes of those kept as page chrome) from our blocks, as trafilatura's reading sorts them
    (corpus.importing.news), or None when its text is not ours to align (the fallback: _story_blocks)."""
    texts = [text for _container, text, _links in blocks]
    keys = [news.key(text) for text in texts]
    story, coverage = news.align(keys, extracted.lines)
    if coverage < news.MIN_COVERAGE or not any(story):
        return None
    kinds = news.classify(keys, [links for _container, _text, links in blocks], story)
    paragraphs, chrome = [], set()
    for text, kind in zip(texts, kinds, strict=True):
        if kind == news.NOISE:
            continue
        if kind == news.CHROME:
            chrome.add(len(paragraphs))
        paragraphs.append(text)
    return paragraphs, chrome


TITLE_SEPARATORS = re.compile(r"\s+(?:[|\-–—:«»/]|::)\s+")


def _story_title(meta, parser, extracted, markup, story):
    """The headline: the first candidate (og:title, JSON-LD headline, trafilatura's title, the first <h1>, the
    <title>) that is, whole or on one side of a separator (« | », « - »), one of the paragraphs kept (the
    story's or the chrome's: the outlet's name alone is noise, dropped); else "", and the caller takes og:title,
    the <h1> or the <title> as before."""
    lines = {news.key(text) for text in story}
    candidates = [
        meta.get("og:title", ""),
        news.json_ld_headline(markup),
        extracted.title,
        parser.first_h1,
        "".join(parser.title_parts),
    ]
    for candidate in map(news.key, candidates):
        if not candidate:
            continue
        if candidate in lines:
            return candidate
        # The outlet's name before or after a separator: the text on either side of each one (a headline may
        # hold a separator of its own: « شقيق الشهيد لـ”عين اليوم” : أخي … »).
        for separator in TITLE_SEPARATORS.finditer(candidate):
            for part in (candidate[: separator.start()], candidate[separator.end() :]):
                if news.key(part) in lines and news.words(part) >= 2:
                    return news.key(part)
    return ""


def looks_like_html(text):
    head = text[:2048].lstrip().lower()
    return head.startswith(("<!doctype html", "<html", "<head", "<body", "<meta", "<div", "<p>", "<article"))
