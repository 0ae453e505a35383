"""One export record per article, built in batches so memory stays flat however large the corpus.

Every format is written from these records, so offsets are computed (and checked) in one place. A
record is the article as Hamish JSON describes it: its text, its paragraphs with their boilerplate,
and the spans and stances of the chosen annotators, with offsets in the paragraph and in the article.

The rows come as plain tuples, a few queries per batch of articles whatever their number of spans;
`_layout` places the paragraphs and checks every quote; then `_record` makes the record (a dict, for
the other formats) or `_record_json` writes it straight as Hamish JSON text, the same characters
json.dumps would write for the record, without building the dict (most of an export's time otherwise).
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import groupby
from json.encoder import encode_basestring  # what json.dumps(..., ensure_ascii=False) writes a str with
from operator import itemgetter

from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import Func, TextField, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext as _

from corpus.models import PARAGRAPH_SEPARATOR, Paragraph

from ..models import BoilerplateCategory, BoilerplateMark, Label, Polarity, Span, Stance, StanceEvidence

# Articles are read in batches, a few queries each whatever their number of spans. The first batch has
# FIRST_BATCH articles; the next are sized to hold about ROWS_PER_BATCH paragraphs and spans (some 40 MB)
# by the rows per article seen so far, MAX_BATCH articles at most: fewer rounds of queries for small
# articles, memory flat for heavily annotated ones.
FIRST_BATCH = 200
MAX_BATCH = 1000
ROWS_PER_BATCH = 40_000
_SEPARATOR_LENGTH = len(PARAGRAPH_SEPARATOR)


class ExportError(Exception):
    """The export would be wrong (an offset that does not give its quoted text): it stops, loudly."""


@dataclass
class ExportQuery:
    """What to export: some articles, one annotator's work or everyone's, the whole text or the clean text."""

    articles: object  # an Article queryset
    annotator: object = None  # a user, or None for everyone
    clean: bool = False
    description: dict = field(default_factory=dict)  # how the articles were chosen, for the document

    def count(self):
        return self.articles.count()


class IsoUtc(Func):
    """A datetime column as ISO 8601 text in UTC, made by the database: converting every row to a datetime
    and back took a third of an export's time. The same text as datetime.isoformat() for aware UTC values,
    on both databases: microseconds only when there are some."""

    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        # Django stores SQLite datetimes as UTC text, str(datetime): '2026-11-23 03:53:45.023167', or
        # '2026-11-23 03:53:45' when the microseconds are 0, as isoformat() leaves them out.
        return self.as_sql(compiler, connection, template="(replace(%(expressions)s, ' ', 'T') || '+00:00')", **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        utc = "(%(expressions)s AT TIME ZONE 'UTC')"
        template = (
            f"""(to_char({utc}, 'YYYY-MM-DD"T"HH24:MI:SS') """
            f"""|| CASE WHEN to_char({utc}, 'US') = '000000' THEN '' ELSE to_char({utc}, '.US') END || '+00:00')"""
        )
        return self.as_sql(compiler, connection, template=template, **extra_context)


# Both times of a span in one column, as they stand in Hamish JSON between the quotes of "created_at":
# 2026-11-23T03:53:45.023167+00:00","updated_at":"2026-11-24T10:00:00+00:00 (ISO text needs no escaping).
_TIMES_BETWEEN = '","updated_at":"'
_TIMES = Concat(IsoUtc("created_at"), Value(_TIMES_BETWEEN), IsoUtc("updated_at"), output_field=TextField())


def _span_order(row):
    return row[2], -row[3], row[0]  # start, longest first, id


def check_quote(where, text, start, end, quote):
    if not (0 <= start < end <= len(text)) or text[start:end] != quote:
        raise ExportError(
            _("%(where)s: offsets %(start)s-%(end)s do not give the quoted text %(quote)s; the export was stopped.")
            % {"where": where, "start": start, "end": end, "quote": repr(quote)}
        )


def _check_both(where, article_id, position, text, full_text, base, start, end, quote):
    """The check of a passage in its paragraph and in the article text (the slow path, for its message)."""
    check_quote(
        _("%(where)s in article %(article)s, paragraph %(paragraph)s")
        % {"where": where, "article": article_id, "paragraph": position},
        text,
        start,
        end,
        quote,
    )
    check_quote(
        _("%(where)s in article %(article)s") % {"where": where, "article": article_id},
        full_text,
        base + start,
        base + end,
        quote,
    )
    raise AssertionError("unreachable: the fast check failed, so one of these must")


def _by_author(queryset, annotator, field_name="author"):
    return queryset.filter(**{field_name: annotator}) if annotator is not None else queryset


def _in_batch(lookup, ids):
    """A filter on the batch's article ids: a range when they follow each other (the usual case), else a list."""
    if ids[-1] - ids[0] + 1 == len(ids):
        return {f"{lookup}__gte": ids[0], f"{lookup}__lte": ids[-1]}
    return {f"{lookup}__in": ids}


class _Names:
    """Names of users, labels, categories and polarities by id, read once: the rows carry ids, not joins."""

    def __init__(self):
        self.users = dict(get_user_model().objects.values_list("pk", "username"))
        self.labels = dict(Label.objects.values_list("pk", "name"))
        self.categories = dict(BoilerplateCategory.objects.values_list("pk", "name"))
        self.polarities = dict(Polarity.objects.values_list("pk", "name"))
        # The same names as JSON strings, for _record_json.
        self.users_json = {pk: encode_basestring(name) for pk, name in self.users.items()}
        self.labels_json = {pk: encode_basestring(name) for pk, name in self.labels.items()}
        # Authors that are a project's curated layer (projects.curation_layer): their annotations say so, with
        # the project's name, which is what an import on another instance finds the layer by.
        from projects.models import Project  # here: projects build on annotations, not the other way round

        self.layers = dict(Project.objects.exclude(curated_identity=None).values_list("curated_identity_id", "name"))
        self.layers_json = {pk: f',"layer":"curated","project":{encode_basestring(name)}' for pk, name in self.layers.items()}

    def layer_fields(self, author_id):
        """The "layer" (and for the curated layer "project") fields of an annotation by this author."""
        project = self.layers.get(author_id)
        return {"layer": "annotator"} if project is None else {"layer": "curated", "project": project}


@dataclass
class _Batch:
    """The rows of a batch of articles, grouped: paragraphs and stances by article, marks and spans by
    paragraph, evidence by stance."""

    articles: list
    paragraphs: dict
    marks: dict
    spans: dict
    stances: dict
    evidence: dict
    rows: int  # paragraphs and spans: what the batch weighs


def _batches(query, names, batch_size=None):
    """Batches of articles by keyset pagination (never the whole id list in memory); `batch_size` fixes the
    number of articles in each, else it follows ROWS_PER_BATCH."""
    article_rows = query.articles.order_by("pk").values_list(
        "pk", "source__name", "source__url", "title", "url", "published_on", "language", "content_hash", "original_filename"
    )
    last, size, articles_seen, rows_seen = 0, batch_size or FIRST_BATCH, 0, 0
    while True:
        articles = list(article_rows.filter(pk__gt=last)[:size])
        if not articles:
            return
        last = articles[-1][0]
        batch = _batch(query, names, articles)
        yield batch
        rows_seen += batch.rows
        batch = None  # not held while the next is read (nor by the callers: see their `del batch`)
        if not batch_size:
            articles_seen += len(articles)
            size = max(1, min(MAX_BATCH, ROWS_PER_BATCH * articles_seen // max(rows_seen, 1)))


def _rows(queryset):
    """A values_list queryset's rows straight from the cursor: its columns (ids, text) need no conversion."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _batch(query, names, articles):
    ids = [row[0] for row in articles]
    annotator = query.annotator
    paragraph_rows = _rows(
        Paragraph.objects.filter(**_in_batch("article_id", ids))
        .order_by("article_id", "position")
        .values_list("pk", "article_id", "position", "text")
    )
    paragraphs = {article_id: list(rows) for article_id, rows in groupby(paragraph_rows, itemgetter(1))}
    marks, spans, span_rows = defaultdict(list), {}, ()
    if paragraph_rows:
        # An article's paragraphs are made together, so a batch's paragraph ids are (nearly) a range: filtering
        # on it spares a join per span. Rows of paragraphs outside the batch, if any, are never looked up.
        first, last = min(map(itemgetter(0), paragraph_rows)), max(map(itemgetter(0), paragraph_rows))
        if last - first < 2 * len(paragraph_rows):
            in_paragraphs = {"paragraph_id__gte": first, "paragraph_id__lte": last}
        else:
            in_paragraphs = _in_batch("paragraph__article_id", ids)
        for paragraph_id, category_id, author_id in (
            _by_author(BoilerplateMark.objects.filter(**in_paragraphs), annotator)
            .order_by("paragraph_id", "pk")
            .values_list("paragraph_id", "category_id", "author_id")
        ):
            marks[paragraph_id].append((names.categories[category_id], names.users[author_id], author_id))
        # Sorted as the unique index (paragraph, start, end, ...) is, which spares the database a sort; spans
        # that start together are put in the export's order (longest first, then by id) in _layout.
        span_rows = _rows(
            _by_author(Span.objects.filter(**in_paragraphs), annotator)
            .order_by("paragraph_id", "start", "end")
            .values_list("pk", "paragraph_id", "start", "end", "text", "label_id", "entity_id", "author_id", _TIMES, "note")
        )
        spans = {paragraph_id: list(rows) for paragraph_id, rows in groupby(span_rows, itemgetter(1))}
    stances = defaultdict(list)
    for row in (
        _by_author(Stance.objects.filter(**_in_batch("article_id", ids)), annotator)
        .order_by("article_id", "pk")
        .values_list(
            "pk",
            "article_id",
            "holder_entity_id",
            "holder_span_id",
            "target_entity_id",
            "target_topic_id",
            "polarity_id",
            "author_id",
            "note",
            IsoUtc("created_at"),
            IsoUtc("updated_at"),
        )
    ):
        stances[row[1]].append(row)
    evidence = defaultdict(list)
    if stances:
        for row in (
            _by_author(StanceEvidence.objects.filter(**_in_batch("stance__article_id", ids)), annotator, "stance__author")
            .order_by("stance_id", "paragraph__position", "start", "pk")
            .values_list("pk", "stance_id", "paragraph_id", "start", "end", "text")
        ):
            evidence[row[1]].append(row)
    return _Batch(articles, paragraphs, marks, spans, stances, evidence, len(paragraph_rows) + len(span_rows))


def _layout(article_id, batch, clean, referenced):
    """The article text and where everything is in it, every quote checked against both texts.

    Returns (text, paragraphs, spans, stances): paragraphs as (index, start, text, marks), spans as
    (row, paragraph index, paragraph start), stances as (row, holder span, [(evidence row, index, start)]).
    A clean export leaves out boilerplate paragraphs, and the spans and passages in them.
    """
    marks, spans_of = batch.marks, batch.spans
    placed, paragraphs, texts, offset = {}, [], [], 0
    for pk, _article, position, text in batch.paragraphs.get(article_id, ()):
        paragraph_marks = marks.get(pk, ()) if marks else ()
        if clean and paragraph_marks:
            continue
        placed[pk] = (position, offset, text)
        paragraphs.append((position, offset, text, paragraph_marks))
        texts.append(text)
        offset += len(text) + _SEPARATOR_LENGTH
    full_text = PARAGRAPH_SEPARATOR.join(texts)

    spans = []
    for pk in sorted(placed):  # spans in paragraph id order, as the query sorted them
        rows = spans_of.get(pk)
        if rows is None:
            continue
        position, base, text = placed[pk]
        if len(rows) > 1 and len({row[2] for row in rows}) < len(rows):
            rows = sorted(rows, key=_span_order)  # some start together: longest first, then by id
        for row in rows:
            start, end, quote = row[2], row[3], row[4]
            # The guarantee: text[start:end] is the quoted text, in the paragraph and in the article.
            if not (0 <= start < end <= len(text)) or text[start:end] != quote or full_text[base + start : base + end] != quote:
                _check_both(_("span %(id)s") % {"id": row[0]}, article_id, position, text, full_text, base, start, end, quote)
            spans.append((row, position, base))
            if row[6] and referenced is not None:
                referenced["entities"].add(row[6])

    stances = []
    stance_rows = batch.stances.get(article_id)
    if stance_rows:
        exported_spans = {row[0] for row, _layer, _entity in spans}
        for row in stance_rows:
            passages = []
            for passage in batch.evidence.get(row[0], ()):
                where = placed.get(passage[2])
                if where is None:
                    continue
                position, base, text = where
                start, end, quote = passage[3], passage[4], passage[5]
                if (
                    not (0 <= start < end <= len(text))
                    or text[start:end] != quote
                    or full_text[base + start : base + end] != quote
                ):
                    _check_both(
                        _("evidence %(evidence)s of stance %(stance)s") % {"evidence": passage[0], "stance": row[0]},
                        article_id,
                        position,
                        text,
                        full_text,
                        base,
                        start,
                        end,
                        quote,
                    )
                passages.append((passage, position, base))
            if not passages:
                continue  # all its evidence is boilerplate, left out of a clean export
            stances.append((row, row[3] if row[3] in exported_spans else None, passages))
            if referenced is not None:
                referenced["entities"].add(row[2])
                if row[4]:
                    referenced["entities"].add(row[4])
                else:
                    referenced["topics"].add(row[5])
    return full_text, paragraphs, spans, stances


def article_records(query, *, batch_size=None, referenced=None):
    """Yield one record (a dict, Hamish JSON's article object) per article. `referenced`, if given, is a dict
    of sets that collects the entity and topic ids the records point to (the document lists them)."""
    names = _Names()
    for batch in _batches(query, names, batch_size):
        for article in batch.articles:
            yield _record(article, _layout(article[0], batch, query.clean, referenced), names)
        del batch  # one batch in memory at a time


def article_json(query, *, batch_size=None, referenced=None, separator=""):
    """Yield (article id, the record as Hamish JSON text) per article: json.dumps(record) with the separators
    and ensure_ascii=False of hamish_json.dumps, written without building the record. Every text but the
    first begins with `separator`, what goes between them in the document, at no extra copy."""
    names, lead = _Names(), ""
    for batch in _batches(query, names, batch_size):
        for article in batch.articles:
            yield article[0], _record_json(article, _layout(article[0], batch, query.clean, referenced), names, lead)
            lead = separator
        del batch  # one batch in memory at a time


def _mark_records(marks, names):
    return [
        {"category": category, "annotator": annotator, **names.layer_fields(author_id)}
        for category, annotator, author_id in marks
    ]


def _paragraph_records(paragraphs, names):
    return [
        {
            "index": position,
            "start": start,
            "end": start + len(text),
            "text": text,
            "boilerplate": marks[0][0] if marks else None,
            "boilerplate_marks": _mark_records(marks, names),
        }
        for position, start, text, marks in paragraphs
    ]


def _stance_records(stances, names):
    return [
        {
            "id": row[0],
            "holder": {"entity": row[2], "span": holder_span},
            "target": {"entity": row[4]} if row[4] else {"topic": row[5]},
            "polarity": names.polarities[row[6]],
            "evidence": [
                {
                    "id": passage[0],
                    "paragraph": position,
                    "start": passage[3],
                    "end": passage[4],
                    "article_start": base + passage[3],
                    "article_end": base + passage[4],
                    "text": passage[5],
                }
                for passage, position, base in passages
            ],
            "annotator": names.users[row[7]],
            **names.layer_fields(row[7]),
            "note": row[8],
            "created_at": row[9],
            "updated_at": row[10],
        }
        for row, holder_span, passages in stances
    ]


def _span_record(row, position, base, names):
    pk, _, start, end, text, label_id, entity_id, author_id, times, note = row
    created_at, updated_at = times.split(_TIMES_BETWEEN)
    return {
        "id": pk,
        "paragraph": position,
        "start": start,
        "end": end,
        "article_start": base + start,
        "article_end": base + end,
        "text": text,
        "label": names.labels[label_id],
        "entity": entity_id,
        "annotator": names.users[author_id],
        **names.layer_fields(author_id),
        "created_at": created_at,
        "updated_at": updated_at,
        "note": note,
    }


def _record(article, layout, names):
    pk, source_name, source_url, title, url, published_on, language, content_hash, original_filename = article
    full_text, paragraphs, spans, stances = layout
    return {
        "id": pk,
        "source": {"name": source_name, "url": source_url},
        "title": title,
        "url": url,
        "published_on": published_on.isoformat() if published_on else None,
        "language": language,
        "content_hash": content_hash,
        "original_filename": original_filename,
        "text": full_text,
        "paragraphs": _paragraph_records(paragraphs, names),
        "spans": [_span_record(row, position, base, names) for row, position, base in spans],
        "stances": _stance_records(stances, names),
    }


def _dumps(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _escaped(text):
    """A str as it is inside a JSON string: most paragraphs need no escaping at all, and checking is quicker."""
    if text.isprintable() and '"' not in text and "\\" not in text:
        return text
    return encode_basestring(text)[1:-1]


_SEPARATOR_ESCAPED = _escaped(PARAGRAPH_SEPARATOR)
_EMPTY_STRING = encode_basestring("")
_ANNOTATOR_LAYER = ',"layer":"annotator"'


def _json_value(value):
    """A str (the usual case, quickest) or None as json.dumps writes it."""
    return encode_basestring(value) if value.__class__ is str else _dumps(value)


def _record_json(article, layout, names, lead=""):
    """lead + _dumps(_record(article, layout, names)), made directly, copying the text as little as can be;
    the rare parts (boilerplate marks, stances) go through _dumps."""
    pk, source_name, source_url, title, url, published_on, language, content_hash, original_filename = article
    full_text, paragraphs, spans, stances = layout
    enc, value = encode_basestring, _json_value
    texts = [text for _, _, text, _ in paragraphs]
    if all(map(str.isprintable, texts)) and '"' not in full_text and "\\" not in full_text:
        escaped = texts  # the usual case: nothing to escape in the whole article
    else:
        escaped = [_escaped(text) for text in texts]
    parts = [
        (
            f'{lead}{{"id":{_dumps(pk)},"source":{{"name":{value(source_name)},"url":{value(source_url)}}},"title":{value(title)},'
            f'"url":{value(url)},"published_on":{_dumps(published_on.isoformat() if published_on else None)},'
            f'"language":{value(language)},"content_hash":{value(content_hash)},"original_filename":{value(original_filename)},"text":"'
        )
    ]
    # The article text is its paragraphs', escaped character by character: joined, not escaped again.
    for text_json in escaped:
        parts += (text_json, _SEPARATOR_ESCAPED)
    if escaped:
        parts.pop()
    parts.append('","paragraphs":[')
    parts += [
        f',{{"index":{position},"start":{start},"end":{start + len(text)},"text":"{text_json}","boilerplate":'
        + (
            f'{enc(marks[0][0])},"boilerplate_marks":{_dumps(_mark_records(marks, names))}}}'
            if marks
            else 'null,"boilerplate_marks":[]}'
        )
        for (position, start, text, marks), text_json in zip(paragraphs, escaped)
    ]
    if paragraphs:
        parts[-len(paragraphs)] = parts[-len(paragraphs)][1:]  # no comma before the first
    labels, users, layers = names.labels_json, names.users_json, names.layers_json
    # Spans: the times column is already the JSON between the quotes of "created_at" (see _TIMES).
    parts.append('],"spans":[')
    parts.append(
        ",".join(
            [
                f'{{"id":{row[0]},"paragraph":{position},"start":{row[2]},"end":{row[3]},"article_start":{base + row[2]},'
                f'"article_end":{base + row[3]},"text":{enc(row[4])},"label":{labels[row[5]]},'
                f'"entity":{"null" if row[6] is None else row[6]},"annotator":{users[row[7]]}{layers.get(row[7], _ANNOTATOR_LAYER)},"created_at":"{row[8]}",'
                f'"note":{enc(row[9]) if row[9] else _EMPTY_STRING}}}'
                for row, position, base in spans
            ]
        )
    )
    parts.append(f'],"stances":{_dumps(_stance_records(stances, names)) if stances else "[]"}}}')
    return "".join(parts)
