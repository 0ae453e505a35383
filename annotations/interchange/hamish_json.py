"""Hamish JSON: the export format. Streamed article by article; the schema lives next to this file.

Layout (see hamish-annotations-1.0.schema.json and the README):
  {"format": "hamish-annotations", "version": "1.0", "exported_at", "exported_by", "offsets", "filter",
   "labels", "polarities", "boilerplate_categories", "articles": [...], "entities": [...], "topics": [...]}
Entities and topics come after the articles: a streamed export learns which ones it needs as it goes.
"""

import json
import re
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker, validators

from corpus.models import PARAGRAPH_SEPARATOR

from ..models import BoilerplateCategory, Entity, Label, Polarity, Topic
from .records import article_json

FORMAT = "hamish-annotations"
VERSION = "1.0"
SCHEMA_PATH = Path(__file__).with_name("hamish-annotations-1.0.schema.json")
OFFSETS = {
    "unit": "unicode-code-point",
    "normalization": "NFC",
    "end": "exclusive",
    "paragraph_separator": PARAGRAPH_SEPARATOR,
    "note": "text[start:end] equals the quoted text, for paragraph offsets in paragraph.text and article offsets in article.text.",
}


def dumps(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def label_records():
    return [
        {
            "name": label.name,
            "display_name": label.display_name,
            "colour": label.colour,
            "shortcut": label.shortcut,
            "description": label.description,
            "is_active": label.is_active,
        }
        for label in Label.objects.order_by("position", "name")
    ]


def polarity_records():
    return [
        {"name": p.name, "display_name": p.display_name, "colour": p.colour, "is_active": p.is_active}
        for p in Polarity.objects.order_by("position", "name")
    ]


def category_records():
    return [
        {"name": c.name, "display_name": c.display_name, "cue_phrases": c.cues, "is_active": c.is_active}
        for c in BoilerplateCategory.objects.order_by("position", "name")
    ]


def entity_records(ids=None, chunk=2000):
    """Entities (all, or those with these ids) with their aliases, a chunk at a time."""
    queryset = Entity.objects.select_related("label").order_by("pk")
    if ids is not None:
        ids = sorted(ids)
        chunks = (ids[i : i + chunk] for i in range(0, len(ids), chunk))
        batches = (queryset.filter(pk__in=part).prefetch_related("aliases") for part in chunks)
    else:
        batches = _keyset(queryset.prefetch_related("aliases"), chunk)
    for batch in batches:
        for entity in batch:
            yield {
                "id": entity.pk,
                "name": entity.name,
                "label": entity.label.name,
                "aliases": sorted(alias.name for alias in entity.aliases.all()),
            }


def topic_records(ids=None):
    topics = Topic.objects.order_by("pk")
    if ids is not None:
        topics = topics.filter(pk__in=ids)
    for topic in topics.iterator(chunk_size=2000):
        yield {"id": topic.pk, "name": topic.name, "description": topic.description}


def _keyset(queryset, chunk):
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last)[:chunk])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def document_head(query, *, exported_by=None, exported_at=None):
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": (exported_at or timezone.now()).isoformat(),
        "exported_by": exported_by.get_username() if exported_by else None,
        "offsets": OFFSETS,
        "filter": {
            **query.description,
            "annotator": query.annotator.get_username() if query.annotator else None,
            "clean": query.clean,
        },
        "labels": label_records(),
        "polarities": polarity_records(),
        "boilerplate_categories": category_records(),
    }


def stream_hamish_json(query, *, exported_by=None, on_article=None):
    """The document as a sequence of str chunks (one per article, roughly), for a file or an HTTP stream.

    A whole-corpus export of everyone's work lists every entity and topic (it is also the backup);
    narrower exports list those their spans and stances point to.
    """
    head = dumps(document_head(query, exported_by=exported_by))
    yield head[:-1] + ',"articles":[\n'
    everything = query.description.get("articles") == "corpus" and query.annotator is None
    referenced = {"entities": set(), "topics": set()}
    articles = 0
    for article_id, text in article_json(query, referenced=referenced, separator=",\n"):
        yield text
        articles += 1
        if on_article:
            on_article(article_id)
    yield ('\n],"entities":[' if articles else '],"entities":[')
    for index, entity in enumerate(entity_records(None if everything else referenced["entities"])):
        yield ("," if index else "") + "\n" + dumps(entity)
    yield '\n],"topics":['
    for index, topic in enumerate(topic_records(None if everything else referenced["topics"])):
        yield ("," if index else "") + "\n" + dumps(topic)
    yield "\n]}\n"


def load_schema():
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


# The schema's "format" keywords are checked, not just noted: "date" by jsonschema's own check (YYYY-MM-DD
# that exists), "date-time" here as RFC 3339 with an offset that datetime.fromisoformat reads and that stays
# within years 1-9999 in UTC: exactly what the importer then parses and stores. No other format is used.
FORMAT_CHECKER = FormatChecker(formats=("date",))
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


@FORMAT_CHECKER.checks("date-time", raises=(ValueError, OverflowError))
def is_date_time(value):
    if not isinstance(value, str):
        return True
    if not _DATE_TIME.fullmatch(value):
        return False
    datetime.fromisoformat(value).astimezone(UTC)
    return True


def _is_integer(_checker, value):
    # jsonschema counts 5.0 as an integer; an offset of 5.0 then broke slicing. Only JSON integers are.
    return isinstance(value, int) and not isinstance(value, bool)


_Validator = validators.extend(
    Draft202012Validator, type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer)
)


@cache
def _validator():
    return _Validator(load_schema(), format_checker=FORMAT_CHECKER)


def schema_errors(document, limit=10):
    """Up to `limit` readable schema violations ("articles/0/spans/3/start: -1 is less than the minimum of 0")."""
    errors = []
    for error in sorted(_validator().iter_errors(document), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(part) for part in error.absolute_path) or "(the document)"
        message = error.message if len(error.message) <= 200 else error.message[:200] + "…"
        errors.append(f"{where}: {message}")
        if len(errors) >= limit:
            break
    return errors


def spans_document(articles, *, annotator):
    """A Hamish JSON document (for loading.import_document) of new articles carrying spans only, what CoNLL and
    doccano files hold. `articles`: dicts with texts (the paragraphs), spans [(paragraph index, start, end,
    label)] in code points of the paragraph, source_name, and optionally title, url, filename."""
    from corpus.importing.formats import title_from_paragraph
    from corpus.models import content_hash

    records, labels, span_id = [], set(), 0
    for number, article in enumerate(articles, start=1):
        texts, paragraphs, offset = article["texts"], [], 0
        for index, text in enumerate(texts):
            paragraphs.append({"index": index, "start": offset, "end": offset + len(text), "text": text, "boilerplate": None})
            offset += len(text) + len(PARAGRAPH_SEPARATOR)
        spans = []
        for index, start, end, label in article["spans"]:
            span_id += 1
            base = paragraphs[index]["start"]
            spans.append(
                {
                    "id": span_id,
                    "paragraph": index,
                    "start": start,
                    "end": end,
                    "article_start": base + start,
                    "article_end": base + end,
                    "text": texts[index][start:end],
                    "label": label,
                    "entity": None,
                    "annotator": annotator,
                }
            )
            labels.add(label)
        records.append(
            {
                "id": number,
                "source": {"name": article["source_name"]},
                "title": article.get("title") or title_from_paragraph(texts[0]),
                "url": article.get("url", ""),
                "content_hash": content_hash(texts),
                "original_filename": article.get("filename", ""),
                "text": PARAGRAPH_SEPARATOR.join(texts),
                "paragraphs": paragraphs,
                "spans": spans,
                "stances": [],
            }
        )
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": "1970-01-01T00:00:00+00:00",
        "offsets": OFFSETS,
        "filter": {"articles": "corpus", "annotator": annotator, "clean": False},
        "labels": [{"name": name, "display_name": name, "colour": "#7f7f7f"} for name in sorted(labels)],
        "polarities": [],
        "boilerplate_categories": [],
        "articles": records,
        "entities": [],
        "topics": [],
    }
