"""One export record per article, built in batches so memory stays flat however large the corpus.

Every format is written from these records, so offsets are computed (and checked) in one place. A
record is the article as Hamish JSON describes it: its text, its paragraphs with their boilerplate,
and the spans and stances of the chosen annotators, with offsets in the paragraph and in the article.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Func, TextField

from corpus.models import PARAGRAPH_SEPARATOR, Article, Paragraph

from ..models import BoilerplateMark, Span, Stance, StanceEvidence

BATCH_SIZE = 200  # articles per round of queries


class ExportError(Exception):
    """The export would be wrong (an offset that does not give its quoted text): it stops, loudly."""


@dataclass
class ExportQuery:
    """What to export: some articles, one annotator's work or everyone's, the whole text or the clean text."""

    articles: object  # an Article queryset
    annotator: object = None  # a user, or None for everyone
    clean: bool = False
    description: dict = field(default_factory=dict)  # how the articles were chosen, for the document

    def article_ids(self, batch_size=BATCH_SIZE):
        """Article ids in batches, by keyset pagination: never the whole id list in memory."""
        last = 0
        queryset = self.articles.order_by("pk").values_list("pk", flat=True)
        while True:
            batch = list(queryset.filter(pk__gt=last)[:batch_size])
            if not batch:
                return
            yield batch
            last = batch[-1]

    def count(self):
        return self.articles.count()


class IsoUtc(Func):
    """A datetime column as ISO 8601 text in UTC, made by the database: converting every row to a datetime
    and back took a third of an export's time. Matches datetime.isoformat() for aware UTC values."""

    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        # Django stores SQLite datetimes as UTC text, '2026-11-23 03:53:45.023167'.
        return self.as_sql(compiler, connection, template="(replace(%(expressions)s, ' ', 'T') || '+00:00')", **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        template = """to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')"""
        return self.as_sql(compiler, connection, template=template, **extra_context)


def check_quote(where, text, start, end, quote):
    if not (0 <= start < end <= len(text)) or text[start:end] != quote:
        raise ExportError(f"{where}: offsets {start}-{end} do not give the quoted text {quote!r}; the export was stopped.")


def _by_author(queryset, annotator, field_name="author"):
    return queryset.filter(**{field_name: annotator}) if annotator is not None else queryset


def article_records(query, *, batch_size=BATCH_SIZE, referenced=None):
    """Yield one record (a dict, Hamish JSON's article object) per article. `referenced`, if given, is a dict
    of sets that collects the entity and topic ids the records point to (the document lists them)."""
    usernames = dict(get_user_model().objects.values_list("pk", "username"))
    for ids in query.article_ids(batch_size):
        yield from _batch_records(query, ids, usernames, referenced)


def _batch_records(query, ids, usernames, referenced):
    articles = Article.objects.filter(pk__in=ids).select_related("source").order_by("pk")
    paragraphs = defaultdict(list)
    for paragraph in Paragraph.objects.filter(article_id__in=ids).order_by("article_id", "position").values_list(
        "pk", "article_id", "position", "text"
    ):
        paragraphs[paragraph[1]].append(paragraph)
    marks = defaultdict(list)
    for paragraph_id, category, author_id in (
        _by_author(BoilerplateMark.objects.filter(paragraph__article_id__in=ids), query.annotator)
        .order_by("paragraph_id", "pk")
        .values_list("paragraph_id", "category__name", "author_id")
    ):
        marks[paragraph_id].append({"category": category, "annotator": usernames[author_id]})
    spans = defaultdict(list)
    for row in (
        _by_author(Span.objects.filter(paragraph__article_id__in=ids), query.annotator)
        .order_by("paragraph_id", "start", "-end", "pk")
        .values_list("pk", "paragraph_id", "paragraph__article_id", "start", "end", "text", "label__name", "entity_id",
                     "author_id", IsoUtc("created_at"), IsoUtc("updated_at"), "note")
    ):
        spans[row[2]].append(row)
    stances = defaultdict(list)
    for row in (
        _by_author(Stance.objects.filter(article_id__in=ids), query.annotator)
        .order_by("article_id", "pk")
        .values_list("pk", "article_id", "holder_entity_id", "holder_span_id", "target_entity_id", "target_topic_id",
                     "polarity__name", "author_id", "note", IsoUtc("created_at"), IsoUtc("updated_at"))
    ):
        stances[row[1]].append(row)
    evidence = defaultdict(list)
    for row in (
        StanceEvidence.objects.filter(stance__in=[s[0] for rows in stances.values() for s in rows])
        .order_by("stance_id", "paragraph__position", "start", "pk")
        .values_list("pk", "stance_id", "paragraph_id", "start", "end", "text")
    ):
        evidence[row[1]].append(row)

    for article in articles:
        yield _record(article, paragraphs[article.pk], marks, spans[article.pk], stances[article.pk], evidence,
                      usernames, query, referenced)


def _record(article, paragraph_rows, marks, span_rows, stance_rows, evidence, usernames, query, referenced):
    # Paragraphs: their place in the article text (which, in a clean export, leaves out boilerplate).
    placed, texts, offset = {}, [], 0
    records = []
    for pk, _article_id, position, text in paragraph_rows:
        paragraph_marks = marks.get(pk, [])
        category = paragraph_marks[0]["category"] if paragraph_marks else None
        if query.clean and category:
            continue
        if texts:
            offset += len(PARAGRAPH_SEPARATOR)
        placed[pk] = (position, offset, text)
        records.append({"index": position, "start": offset, "end": offset + len(text), "text": text,
                        "boilerplate": category, "boilerplate_marks": paragraph_marks})
        texts.append(text)
        offset += len(text)
    full_text = PARAGRAPH_SEPARATOR.join(texts)

    def place(where, paragraph_id, start, end, quote):
        """Paragraph index and article offsets of a passage, checked against both texts."""
        position, base, text = placed[paragraph_id]
        check_quote(f"{where} in article {article.pk}, paragraph {position}", text, start, end, quote)
        check_quote(f"{where} in article {article.pk}", full_text, base + start, base + end, quote)
        return {"paragraph": position, "start": start, "end": end, "article_start": base + start, "article_end": base + end, "text": quote}

    span_records = []
    for pk, paragraph_id, _article_id, start, end, text, label, entity_id, author_id, created, updated, note in span_rows:
        if paragraph_id not in placed:
            continue  # in a boilerplate paragraph of a clean export
        span_records.append({
            "id": pk, **place(f"span {pk}", paragraph_id, start, end, text), "label": label, "entity": entity_id,
            "annotator": usernames[author_id], "created_at": created, "updated_at": updated, "note": note,
        })
        if entity_id and referenced is not None:
            referenced["entities"].add(entity_id)
    exported_spans = {record["id"] for record in span_records}

    stance_records = []
    for pk, _article_id, holder_entity, holder_span, target_entity, target_topic, polarity, author_id, note, created, updated in stance_rows:
        passages = [
            {"id": epk, **place(f"evidence {epk} of stance {pk}", paragraph_id, start, end, text)}
            for epk, _stance, paragraph_id, start, end, text in evidence.get(pk, [])
            if paragraph_id in placed
        ]
        if not passages:
            continue  # all its evidence is boilerplate, left out of a clean export
        stance_records.append({
            "id": pk,
            "holder": {"entity": holder_entity, "span": holder_span if holder_span in exported_spans else None},
            "target": {"entity": target_entity} if target_entity else {"topic": target_topic},
            "polarity": polarity, "evidence": passages, "annotator": usernames[author_id], "note": note,
            "created_at": created, "updated_at": updated,
        })
        if referenced is not None:
            referenced["entities"].add(holder_entity)
            if target_entity:
                referenced["entities"].add(target_entity)
            else:
                referenced["topics"].add(target_topic)

    return {
        "id": article.pk,
        "source": {"name": article.source.name, "url": article.source.url},
        "title": article.title,
        "url": article.url,
        "published_on": article.published_on.isoformat() if article.published_on else None,
        "language": article.language,
        "content_hash": article.content_hash,
        "original_filename": article.original_filename,
        "text": full_text,
        "paragraphs": records,
        "spans": span_records,
        "stances": stance_records,
    }
