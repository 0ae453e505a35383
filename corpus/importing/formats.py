"""One incoming file to one ArticleDraft: plain text, HTML or Hamish article JSON.

A draft is everything needed to save an article, validated, but not yet in the
database; nothing here touches the database.
"""

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hamish.bidi import isolate

from ..models import content_hash
from .decoding import decode_text
from .errors import RejectedFile
from .html import extract_html, looks_like_html
from .text import BIDI_CONTROLS, STRAY_CONTROLS, clean_lines, paragraphs_from_plain_text, split_lines

TEXT_SUFFIXES = {".txt", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSON_SUFFIXES = {".json"}
SUPPORTED = ", ".join(sorted(TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES | {".zip"}))

TITLE_MAX = 1000
TITLE_FROM_PARAGRAPH_MAX = 300
SOURCE_NAME_MAX = 200
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
JSON_FIELDS = {"title", "source", "url", "published_on", "language", "paragraphs", "text"}
# An article file is an object of strings and one list: nothing in it is a number, so a number of more digits
# than this is refused by name (int() of 5,000 digits raises ValueError, which used to end the whole import).
MAX_JSON_NUMBER_CHARACTERS = 100

_validate_url = URLValidator(schemes=["http", "https"])


@dataclass
class ArticleDraft:
    original_filename: str
    paragraphs: list[str]
    title: str
    source_name: str = ""
    url: str = ""
    published_on: date | None = None
    language: str = "ar"
    notes: list[str] = field(default_factory=list)
    # Positions of paragraphs kept as page chrome, not the story (an HTML page's, corpus.importing.news): the
    # import marks them as boilerplate, so the reading view folds them away and an analyst can unmark one.
    chrome: frozenset = frozenset()

    @cached_property  # the import asks several times; paragraphs never change once the draft is made
    def content_hash(self):
        return content_hash(self.paragraphs)


# What _clean_inline notes when it removes characters, per field.
REMOVED_CONTROLS = {
    "title": gettext_lazy("Removed %(count)s control character(s) from the title."),
    "source name": gettext_lazy("Removed %(count)s control character(s) from the source name."),
}


def _clean_inline(value, what, notes):
    """A one-line value (title, source name): NFC, no bidi or other control characters, every run of
    whitespace and line or paragraph separators (U+2028, U+2029) made one space. Removals are noted."""
    value, bidi = BIDI_CONTROLS.subn("", unicodedata.normalize("NFC", value))
    value, controls = STRAY_CONTROLS.subn("", value)
    if bidi or controls:
        notes.append(str(REMOVED_CONTROLS[what]) % {"count": bidi + controls})
    return " ".join(value.split())


def title_from_paragraph(paragraph):
    if len(paragraph) <= TITLE_FROM_PARAGRAPH_MAX:
        return paragraph
    cut = paragraph[:TITLE_FROM_PARAGRAPH_MAX].rsplit(" ", 1)[0]
    return cut + "…"


def _checked_url(value):
    if not value:
        return ""
    try:
        _validate_url(value)
    except ValidationError:
        raise RejectedFile(_("The URL %(url)s is not a valid http(s) address.") % {"url": isolate(repr(value[:200]))}) from None
    if len(value) > 2000:
        raise RejectedFile(_("The URL is longer than 2,000 characters."))
    return value


def _checked_language(value):
    value = (value or "ar").strip()
    if not LANGUAGE_TAG.match(value) or len(value) > 16:
        raise RejectedFile(
            _("The language %(value)s is not a language tag such as 'ar' or 'en'.") % {"value": isolate(repr(value[:40]))}
        )
    return value


def _draft(name, cleaned, *, title="", source_name="", url="", published_on=None, language="ar", notes=(), chrome=frozenset()):
    if not cleaned.paragraphs:
        raise RejectedFile(_("The file holds no text: every line is empty or whitespace."))
    notes = list(notes)
    title = _clean_inline(title, "title", notes)[:TITLE_MAX] or title_from_paragraph(cleaned.paragraphs[0])
    source_name = _clean_inline(source_name, "source name", notes)
    if len(source_name) > SOURCE_NAME_MAX:
        raise RejectedFile(_("The source name is longer than %(limit)s characters.") % {"limit": SOURCE_NAME_MAX})
    return ArticleDraft(
        original_filename=name[-500:],
        paragraphs=cleaned.paragraphs,
        title=title,
        source_name=source_name,
        url=url,
        published_on=published_on,
        language=language,
        notes=[*notes, *cleaned.notes],
        chrome=chrome,
    )


def _from_html(name, text, encoding_note):
    document = extract_html(text)
    # A line or paragraph separator (U+2028, U+2029) or a lone CR inside a block splits it, as in plain text.
    lines = [
        (line, index in document.chrome) for index, paragraph in enumerate(document.paragraphs) for line in split_lines(paragraph)
    ]
    cleaned = clean_lines(line for line, _chrome in lines)
    # clean_lines keeps or drops each line on its own: the lines it keeps, in order, carry their block's flag.
    flags = [chrome for line, chrome in lines if clean_lines([line]).paragraphs] if document.chrome else []
    if not cleaned.paragraphs:
        raise RejectedFile(_("No readable paragraphs were found in this HTML page."))
    notes = list(encoding_note)
    try:
        url = _checked_url(document.url)
    except RejectedFile as exc:
        # A page's own metadata is advisory and written by its site, not by the person importing it: a URL
        # that is not http(s) (javascript:, data:, ...) is dropped and the article kept.
        url = ""
        notes.append(_("%(reason)s It was dropped; the article has no URL.") % {"reason": exc.reason})
    try:
        language = _checked_language(document.language.split("-")[0] if document.language else "ar")
    except RejectedFile:
        language = "ar"
    return _draft(
        name,
        cleaned,
        title=document.title,
        source_name=document.site_name,
        url=url,
        published_on=document.published_on,
        language=language,
        notes=notes,
        chrome=frozenset(position for position, chrome in enumerate(flags) if chrome),
    )


def _checked_number(convert):
    def parse(text):
        if len(text) > MAX_JSON_NUMBER_CHARACTERS:
            raise RejectedFile(
                _("The JSON holds a number too long (%(count)s characters); an article file has no numbers.")
                % {"count": f"{len(text):,}"}
            )
        return convert(text)  # a number where a string belongs is refused below as for any other value

    return parse


def _from_json(name, text, encoding_note):
    try:
        document = json.loads(text, parse_int=_checked_number(int), parse_float=_checked_number(float))
    except json.JSONDecodeError as exc:
        raise RejectedFile(
            _("Not valid JSON: %(problem)s at line %(line)s, column %(column)s.")
            % {"problem": exc.msg, "line": exc.lineno, "column": exc.colno}
        ) from None
    except RecursionError:
        # The decoder recurses once per level and stops at the interpreter's recursion limit (about 1,000
        # levels) at once, without reading further; an article file needs two levels.
        raise RejectedFile(_("The JSON is nested too deeply; an article file is one object holding a list of strings.")) from None
    if not isinstance(document, dict):
        raise RejectedFile(_("The JSON must be one object describing one article (see README, 'Article JSON')."))
    if "format" in document and "articles" in document:
        raise RejectedFile(_("This is a Hamish annotation export, not an article file; import it with import_annotations."))
    unknown = sorted(set(document) - JSON_FIELDS)
    if unknown:
        raise RejectedFile(
            _("Unknown field(s) %(unknown)s; allowed: %(allowed)s.")
            % {"unknown": ", ".join(map(repr, unknown)), "allowed": ", ".join(sorted(JSON_FIELDS))}
        )
    for key in ("title", "source", "url", "published_on", "language", "text"):
        if key in document and document[key] is not None and not isinstance(document[key], str):
            raise RejectedFile(_("The field %(field)s must be a string.") % {"field": repr(key)})
    if ("paragraphs" in document) == ("text" in document):
        raise RejectedFile(_("Give the article's text as either 'paragraphs' (a list of strings) or 'text'."))
    if "paragraphs" in document:
        paragraphs = document["paragraphs"]
        if not isinstance(paragraphs, list) or not all(isinstance(p, str) for p in paragraphs):
            raise RejectedFile(_("'paragraphs' must be a list of strings."))
        cleaned = clean_lines(line for paragraph in paragraphs for line in split_lines(paragraph))
    else:
        cleaned = paragraphs_from_plain_text(document["text"] or "")
    published_on = None
    if document.get("published_on"):
        try:
            published_on = date.fromisoformat(document["published_on"])
        except ValueError:
            raise RejectedFile(
                _("'published_on' must be a date as YYYY-MM-DD (got %(value)s).")
                % {"value": isolate(repr(document["published_on"][:40]))}
            ) from None
    return _draft(
        name,
        cleaned,
        title=document.get("title") or "",
        source_name=document.get("source") or "",
        url=_checked_url((document.get("url") or "").strip()),
        published_on=published_on,
        language=_checked_language(document.get("language")),
        notes=encoding_note,
    )


def draft_from_file(incoming):
    """Turn one IncomingFile into an ArticleDraft, or raise RejectedFile."""
    if incoming.error:
        raise RejectedFile(incoming.error)
    suffix = PurePosixPath(incoming.name).suffix.lower()
    if suffix and suffix not in TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES:
        raise RejectedFile(
            _("Unsupported file type %(suffix)s; Hamish imports %(supported)s files.")
            % {"suffix": f"'{suffix[:20]}'", "supported": SUPPORTED}
        )
    text, encoding = decode_text(incoming.data)
    if not text.strip():
        raise RejectedFile(_("The file holds only whitespace."))
    encoding_note = [_("Decoded from %(encoding)s.") % {"encoding": encoding}] if encoding not in ("UTF-8",) else []
    if suffix in HTML_SUFFIXES or (not suffix and looks_like_html(text)):
        return _from_html(incoming.name, text, encoding_note)
    if suffix in JSON_SUFFIXES or (not suffix and text.lstrip().startswith("{")):
        return _from_json(incoming.name, text, encoding_note)
    return _draft(incoming.name, paragraphs_from_plain_text(text), notes=encoding_note)
