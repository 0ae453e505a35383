"""Readable paragraphs out of a saved web page.

Python's HTML parser does the tokenising: it treats <script> and <style> bodies
as raw text (so we can drop them whole), reports comments separately and
decodes character references. bleach is not used here because stripping tags
with bleach keeps the text inside <script> and <style>.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser

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


@dataclass
class HtmlDocument:
    paragraphs: list[str]
    title: str = ""
    url: str = ""
    published_on: date | None = None
    site_name: str = ""
    language: str = ""
    meta: dict = field(default_factory=dict)


class _ReadableTextParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.skip_stack = []  # open skipped elements; text is dropped while non-empty
        self.container_stack = []  # ids of open <article>/<main> elements
        self.next_container_id = 0
        self.pre_depth = 0
        self.buffer = []
        self.blocks = []  # (container id or None, text)
        self.title_parts = []
        self.in_title = False
        self.h1_parts = None
        self.first_h1 = ""
        self.meta = {}
        self.canonical = ""
        self.language = ""
        self.first_time = ""

    # --- tags ---
    def handle_starttag(self, tag, attrs):
        attributes = {name.lower(): (value or "") for name, value in attrs}
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
        if tag == "body" and "head" in self.skip_stack:
            # A page that never closes <head>: the body starts the text anyway.
            self.skip_stack = [open_tag for open_tag in self.skip_stack if open_tag != "head"]
        if tag == "title" and not self.skip_stack_blocks_title():
            self.in_title = True
            return
        if tag in VOID:
            if tag == "br" and not self.skip_stack:
                self.flush()
            return
        if tag in SKIPPED:
            self.skip_stack.append(tag)
            return
        if self.skip_stack:
            return
        if tag in BLOCKS:
            self.flush()
        if tag in STORY_CONTAINERS:
            self.container_stack.append(self.next_container_id)
            self.next_container_id += 1
        if tag == "pre":
            self.pre_depth += 1
        if tag == "h1" and not self.first_h1:
            self.h1_parts = []

    def skip_stack_blocks_title(self):
        # <title> lives in <head>, which we skip for text; read it anyway, unless inside <svg>.
        return any(tag != "head" for tag in self.skip_stack)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
            return
        if self.skip_stack:
            if tag in SKIPPED and tag in self.skip_stack:
                while self.skip_stack and self.skip_stack.pop() != tag:
                    pass
            return
        if tag in BLOCKS:
            self.flush()
        if tag in STORY_CONTAINERS and self.container_stack:
            self.container_stack.pop()
        if tag == "pre" and self.pre_depth:
            self.pre_depth -= 1
        if tag == "h1" and self.h1_parts is not None:
            self.first_h1 = COLLAPSIBLE_WHITESPACE.sub(" ", "".join(self.h1_parts)).strip()
            self.h1_parts = None

    # --- text ---
    def handle_data(self, data):
        if self.in_title:
            self.title_parts.append(data)
            return
        if self.skip_stack:
            return
        self.buffer.append(data)
        if self.h1_parts is not None:
            self.h1_parts.append(data)

    def flush(self):
        if not self.buffer:
            return
        text = "".join(self.buffer)
        self.buffer = []
        container = self.container_stack[-1] if self.container_stack else None
        if self.pre_depth:
            for line in text.split("\n"):
                self.blocks.append((container, line))
        else:
            self.blocks.append((container, COLLAPSIBLE_WHITESPACE.sub(" ", text)))

    def close(self):
        super().close()
        self.flush()


def _story_blocks(blocks):
    """Prefer the <article>/<main> holding the most text, when it holds a story's worth."""
    sizes = {}
    for container, text in blocks:
        if container is not None:
            sizes[container] = sizes.get(container, 0) + len(text.strip())
    if sizes:
        best = max(sizes, key=sizes.get)
        if sizes[best] >= MIN_STORY_CHARACTERS:
            return [text for container, text in blocks if container == best]
    return [text for _, text in blocks]


def _parse_date(value):
    match = ISO_DATE.match(value or "")
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def extract_html(markup):
    parser = _ReadableTextParser()
    parser.feed(markup)
    parser.close()
    meta = parser.meta
    title = meta.get("og:title") or parser.first_h1 or "".join(parser.title_parts)
    return HtmlDocument(
        paragraphs=_story_blocks(parser.blocks),
        title=COLLAPSIBLE_WHITESPACE.sub(" ", title).strip(),
        url=meta.get("og:url") or parser.canonical,
        published_on=_parse_date(
            meta.get("article:published_time") or meta.get("date") or meta.get("dc.date") or parser.first_time
        ),
        site_name=meta.get("og:site_name", ""),
        language=parser.language,
        meta=meta,
    )


def looks_like_html(text):
    head = text[:2048].lstrip().lower()
    return head.startswith(("<!doctype html", "<html", "<head", "<body", "<meta", "<div", "<p>", "<article"))
