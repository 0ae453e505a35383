"""What an imported annotation file may hold beyond what its schema says: text, links and user names.

Text follows the article importer's rules (corpus/importing/text.py), refusing what that importer strips:
an annotation file is a copy of stored data, so anything it would have to change is refused with its place.
- Paragraphs: no line breaks of any kind (a paragraph holding "\\n" has the content hash of two paragraphs,
  and passes for another article), no bidi embeddings/overrides/isolates (U+202A-U+202E, U+2066-U+2069), no
  C0/C1 control characters (tab excepted, as in articles), and not zero-width characters only.
- One-line values (titles, outlet, entity, alias, topic, label and category names, cue phrases, user names):
  the same, and no tab.
- Notes and descriptions: the same, except that they may hold line feeds: the app's textareas write them and
  notes are HTML, where a line feed is a space. CR, NEL, VT, FF, U+2028 and U+2029 are refused.
Links (article and outlet URLs, shown as links) must be http(s) addresses.
User names that are not exactly an account here must be NFKC-stable, must not mix scripts (Latin with
Cyrillic, Arabic with Latin...; digits and punctuation go with any), and must not look like another name:
NFKC and case folded, they may not equal an existing account's name or another new name in the file.
"""

import re
import unicodedata

from confusable_homoglyphs import categories
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from corpus.importing.text import BIDI_CONTROLS, LINE_BREAKS, STRAY_CONTROLS, ZERO_WIDTH

from .reading import path_text

PARAGRAPH_REFUSED = re.compile("|".join(p.pattern for p in (BIDI_CONTROLS, STRAY_CONTROLS, LINE_BREAKS)))
LINE_REFUSED = re.compile(f"{PARAGRAPH_REFUSED.pattern}|\t")
MULTILINE_REFUSED = re.compile(f"{BIDI_CONTROLS.pattern}|{STRAY_CONTROLS.pattern}|\r|[\x85\u2028\u2029\x0b\x0c]")

_http_url = URLValidator(schemes=["http", "https"])


def _describe(char):
    name = unicodedata.name(char, "")  # C0 and C1 controls have no name in unicodedata
    return f"U+{ord(char):04X} ({name.lower()})" if name else f"U+{ord(char):04X}"


def text_problem(path, value, rule):
    """A readable problem if `value` breaks `rule` (one of the patterns above), else None."""
    if not isinstance(value, str):
        return None
    found = rule.search(value)
    if found:
        char = found.group()[0]
        if LINE_BREAKS.fullmatch(found.group()) or char == "\r":
            message = _("%(where)s: holds a line break, %(char)s, at character %(position)s; it cannot be imported.")
        elif BIDI_CONTROLS.match(char):
            message = _("%(where)s: holds a bidirectional control, %(char)s, at character %(position)s; it cannot be imported.")
        elif char == "\t":
            message = _("%(where)s: holds a tab, %(char)s, at character %(position)s; it cannot be imported.")
        else:
            message = _("%(where)s: holds a control character, %(char)s, at character %(position)s; it cannot be imported.")
        return message % {"where": path_text(path), "char": _describe(char), "position": found.start() + 1}
    if value and not value.strip(ZERO_WIDTH + " \t\u00a0"):
        return _("%(where)s: holds only zero-width characters or spaces.") % {"where": path_text(path)}
    return None


def _text_fields(document):
    """(path, value, rule) for every text the import stores."""
    line, multi = LINE_REFUSED, MULTILINE_REFUSED
    for i, label in enumerate(document["labels"]):
        yield ("labels", i, "display_name"), label.get("display_name"), line
        yield ("labels", i, "description"), label.get("description"), multi
    for i, polarity in enumerate(document["polarities"]):
        yield ("polarities", i, "display_name"), polarity.get("display_name"), line
    for i, category in enumerate(document["boilerplate_categories"]):
        yield ("boilerplate_categories", i, "display_name"), category.get("display_name"), line
        for j, cue in enumerate(category.get("cue_phrases", [])):
            yield ("boilerplate_categories", i, "cue_phrases", j), cue, line
    for i, entity in enumerate(document["entities"]):
        yield ("entities", i, "name"), entity["name"], line
        for j, alias in enumerate(entity["aliases"]):
            yield ("entities", i, "aliases", j), alias, line
    for i, topic in enumerate(document["topics"]):
        yield ("topics", i, "name"), topic["name"], line
        yield ("topics", i, "description"), topic.get("description"), multi
    for i, article in enumerate(document["articles"]):
        where = ("articles", i)
        for key in ("title", "language", "original_filename"):
            yield (*where, key), article.get(key), line
        yield (*where, "source", "name"), article["source"]["name"], line
        for j, paragraph in enumerate(article["paragraphs"]):
            yield (*where, "paragraphs", j, "text"), paragraph["text"], PARAGRAPH_REFUSED
        for kind in ("spans", "stances"):
            for j, item in enumerate(article[kind]):
                yield (*where, kind, j, "note"), item.get("note"), multi
    for path, name in annotator_names(document):
        yield path, name, line
    for path, item in annotations_of(document):
        yield (*path, "project"), item.get("project"), line


def annotations_of(document):
    """(path, annotation) for every boilerplate mark, span and stance in the file."""
    for i, article in enumerate(document["articles"]):
        for j, paragraph in enumerate(article["paragraphs"]):
            for k, mark in enumerate(paragraph.get("boilerplate_marks", [])):
                yield ("articles", i, "paragraphs", j, "boilerplate_marks", k), mark
        for kind in ("spans", "stances"):
            for j, item in enumerate(article[kind]):
                yield ("articles", i, kind, j), item


def is_curated(item):
    """An annotation of a project's curated layer: it goes to that project's layer here, whoever its annotator
    account was where it was exported."""
    return item.get("layer") == "curated"


def annotator_names(document):
    """(path, user name) for every annotator the file names (not the curated layers' accounts: see is_curated)."""
    for path, item in annotations_of(document):
        if not is_curated(item):
            yield (*path, "annotator"), item["annotator"]


def layer_projects(document):
    """(path, project name) for every annotation of a curated layer."""
    for path, item in annotations_of(document):
        if is_curated(item):
            yield (*path, "project"), item["project"]


def _url_fields(document):
    for i, article in enumerate(document["articles"]):
        yield ("articles", i, "url"), article.get("url")
        yield ("articles", i, "source", "url"), article["source"].get("url")


def content_problems(document, limit):
    """Problems with the texts and links of a schema-valid document; nothing here reads the database."""
    problems = []
    for path, value, rule in _text_fields(document):
        problem = text_problem(path, value, rule)
        if problem:
            problems.append(problem)
            if len(problems) >= limit:
                return problems
    for path, url in _url_fields(document):
        if url:
            try:
                _http_url(url)
            except ValidationError:
                problems.append(
                    _("%(where)s: %(url)s is not an http(s) address; only those are imported as links.")
                    % {"where": path_text(path), "url": repr(url[:80])}
                )
    return problems[:limit]


def fold(name):
    """What a user name looks like: NFKC, case folded."""
    return unicodedata.normalize("NFKC", name).casefold()


def _scripts(name):
    found = []
    for char in name:
        alias = categories.alias(char)
        if alias not in ("COMMON", "INHERITED") and alias not in found:
            found.append(alias)
    return found


def new_name_problems(first_paths, existing_names):
    """Problems with the user names in the file that are not exactly an account here. `first_paths`:
    {name: path of its first use}; `existing_names`: every account's user name."""
    existing = {fold(name): name for name in existing_names}
    new = {name: path for name, path in first_paths.items() if name not in existing_names}
    problems, by_look = [], {}
    for name, path in sorted(new.items()):
        where = path_text(path)
        if fold(name) in existing:
            problems.append(
                _("%(where)s: the user name %(name)s looks like the existing user %(existing)s but is not that name.")
                % {"where": where, "name": repr(name), "existing": repr(existing[fold(name)])}
            )
        elif unicodedata.normalize("NFKC", name) != name:
            problems.append(
                _("%(where)s: the user name %(name)s is not in NFKC form (it reads as %(nfkc)s).")
                % {"where": where, "name": repr(name), "nfkc": repr(unicodedata.normalize("NFKC", name))}
            )
        elif len(_scripts(name)) > 1:
            problems.append(
                _("%(where)s: the user name %(name)s mixes scripts (%(scripts)s).")
                % {"where": where, "name": repr(name), "scripts": _(" and ").join(script.title() for script in _scripts(name))}
            )
        else:
            by_look.setdefault(fold(name), []).append(name)
    for names in by_look.values():
        if len(names) > 1:
            problems.append(
                _("The user names %(names)s look alike; a file may not name two such accounts.")
                % {"names": ", ".join(map(repr, names))}
            )
    return problems
