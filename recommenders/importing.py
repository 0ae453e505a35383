"""Importing other tools' predictions as suggestions: Hamish JSON, doccano JSONL or CoNLL, whole or not at all.

The files are parsed by the annotation interchange readers (annotations/interchange), so a prediction file is
checked as an annotation file is (offsets in code points, text[start:end] equal to the quoted text, no span
across paragraphs), then each article is placed on an article of the project:
- by content hash (the file holds the project's paragraphs exactly: an export, or a doccano round trip);
- else by its text without whitespace (a CoNLL file's sentences are tokens joined by spaces: the same letters
  in the same order as the stored paragraphs), each prediction moved to the stored paragraph's offsets.
Scores: a span's "score" in Hamish JSON, a fourth item in a doccano label ([start, end, "LABEL", 0.87]); CoNLL
has no place for one, and its predictions take the score the importer gives (1.0 by default).
Every problem is listed with its place, and a file with any problem stores nothing.
"""

import hashlib
import math
import unicodedata

from django.db import transaction
from django.utils.translation import gettext as _

from annotations.interchange import reading
from annotations.interchange.doccano import DoccanoError, doccano_to_document
from annotations.interchange.loading import (
    MAX_PROBLEMS,
    AnnotationImportError,
    check_articles,
    check_document,
    document_from_file,
)
from annotations.models import BoilerplateCategory, Label, Polarity
from corpus.models import Paragraph

from .models import Prediction, PredictionBatch

FORMATS = {"hamish": "Hamish JSON", "doccano": "doccano JSONL", "conll": "CoNLL / BIO"}
MODEL_NAME_MAX = 100
_IMPORTER = "predictions"  # the annotator name the readers want; predictions have no annotator


class PredictionImportError(Exception):
    """The file was refused; `problems` says why, one line each, with its place. Nothing was stored."""

    def __init__(self, problems):
        self.problems = list(problems)[:MAX_PROBLEMS]
        super().__init__("; ".join(self.problems))


def guess_format(filename):
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return {"json": "hamish", "jsonl": "doccano"}.get(suffix, "conll")


def _score_problem(value, where):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or not 0 <= value <= 1:
        return _("%(where)s: the score %(score)s is not a number from 0 to 1.") % {"where": where, "score": repr(value)[:40]}
    return None


def _decode(data):
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PredictionImportError(
            [_("The file is not UTF-8 text (byte %(byte)s cannot be read).") % {"byte": exc.start}]
        ) from None


def _hamish(data, default_score):
    """(document, scores): scores[article index][span index]; each span's "score" is taken out before the
    schema check (the annotation schema has no such field)."""
    text = _decode(data)
    try:
        document = reading.loads(text, limit=MAX_PROBLEMS)
    except reading.UnsafeJson as exc:
        raise PredictionImportError(exc.problems) from None
    except ValueError as exc:  # json.JSONDecodeError
        raise PredictionImportError(
            [
                _("The file is not valid JSON: %(problem)s at line %(line)s, column %(column)s.")
                % {"problem": exc.msg, "line": exc.lineno, "column": exc.colno}
            ]
        ) from None
    scores, problems = [], []
    articles = document.get("articles") if isinstance(document, dict) else None
    for a, article in enumerate(articles if isinstance(articles, list) else []):
        spans = article.get("spans") if isinstance(article, dict) else None
        row = []
        for s, span in enumerate(spans if isinstance(spans, list) else []):
            score = span.pop("score", default_score) if isinstance(span, dict) else default_score
            problem = _score_problem(score, f"articles/{a}/spans/{s}")
            if problem:
                problems.append(problem)
            row.append(score)
        scores.append(row)
    if problems:
        raise PredictionImportError(problems)
    try:
        check_document(document)
    except AnnotationImportError as exc:
        raise PredictionImportError(exc.problems) from None
    return document, scores


def _doccano(data, default_score):
    """Each line read by the doccano reader on its own, so that every bad line is reported (the reader stops
    at its first), with its own number."""
    text = _decode(data)
    articles, labels, scores, problems = [], {}, [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            document = doccano_to_document(raw.encode("utf-8"), annotator=_IMPORTER, source_name=_IMPORTER, first_line=number)
        except DoccanoError as exc:
            problems.append(str(exc))
            continue
        line = reading.loads(raw)
        items = line.get("label", line.get("labels", []))
        row = []
        for item in items:
            score = item[3] if len(item) >= 4 else default_score
            problem = _score_problem(
                score, _("Line %(number)s, label %(start)s-%(end)s") % {"number": number, "start": item[0], "end": item[1]}
            )
            if problem:
                problems.append(problem)
            row.append(score)
        articles.extend(document["articles"])
        labels.update((label["name"], label) for label in document["labels"])
        scores.append(row)
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise PredictionImportError(problems)
    if not articles:
        raise PredictionImportError([_("The file holds no lines of text.")])
    document = {**document, "articles": articles, "labels": sorted(labels.values(), key=lambda label: label["name"])}
    try:
        check_document(document)
    except AnnotationImportError as exc:
        raise PredictionImportError(exc.problems) from None
    return document, scores


def _conll(data, default_score):
    try:
        document = document_from_file(data, format="conll", annotator=_IMPORTER, source_name=_IMPORTER)
    except AnnotationImportError as exc:
        raise PredictionImportError(exc.problems) from None
    return document, [[default_score] * len(article["spans"]) for article in document["articles"]]


READERS = {"hamish": _hamish, "doccano": _doccano, "conll": _conll}


def _letters(texts):
    """The article's text without whitespace, and for each of its characters (paragraph index, offset)."""
    kept, places = [], []
    for index, text in enumerate(texts):
        for offset, ch in enumerate(text):
            if not ch.isspace():
                kept.append(ch)
                places.append((index, offset))
    return "".join(kept), places


def _digest(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _ProjectArticles:
    """The project's articles, by content hash and (looked up only when a file needs it) by their letters."""

    def __init__(self, project, hashes):
        self.project = project
        # Only the file's hashes are looked up: a project holding the whole corpus is not read whole.
        hashes, self.by_hash = sorted(hashes), {}
        for k in range(0, len(hashes), 900):  # under SQLite's limit of variables in one query
            rows = project.articles.filter(content_hash__in=hashes[k : k + 900]).values_list("content_hash", "pk")
            self.by_hash.update(rows)
        self._by_letters = None

    def by_letters(self, letters):
        if self._by_letters is None:
            # Streamed article by article, keeping only a digest of each: a large project's text never sits
            # in memory whole.
            self._by_letters, current, hasher = {}, None, None
            rows = (
                Paragraph.objects.filter(article__in=self.project.articles.all())
                .order_by("article_id", "position")
                .values_list("article_id", "text")
                .iterator(chunk_size=2000)
            )
            for article_id, text in rows:
                if article_id != current:
                    if hasher is not None:
                        self._by_letters.setdefault(hasher.hexdigest(), current)
                    current, hasher = article_id, hashlib.sha256()
                hasher.update("".join(text.split()).encode("utf-8"))
            if hasher is not None:
                self._by_letters.setdefault(hasher.hexdigest(), current)
        return self._by_letters.get(_digest(letters))


def read_predictions(data, *, project, format, default_score=1.0):
    """[(paragraph id, start, end, Label, score)] from a file's bytes, every one placed on an article of the
    project; PredictionImportError listing every problem otherwise."""
    if format not in READERS:
        raise PredictionImportError([_("Unknown format %(format)s.") % {"format": repr(format)}])
    problem = _score_problem(default_score, _("The default score"))
    if problem:
        raise PredictionImportError([problem])
    document, scores = READERS[format](data, default_score)
    labels = {label.name: label for label in (project.labels.all() if project.labels.exists() else Label.objects.all())}
    known = {
        "labels": labels,
        "polarities": {p.name: p for p in Polarity.objects.all()},
        "categories": {c.name: c for c in BoilerplateCategory.objects.all()},
    }
    problems = []
    for name in sorted({span["label"] for article in document["articles"] for span in article["spans"]} - labels.keys()):
        problems.append(
            _("The label %(label)s is not one of the project's labels (%(labels)s).")
            % {"label": repr(name), "labels": ", ".join(sorted(labels)) or "-"}
        )
    if problems:
        raise PredictionImportError(problems)
    problems = check_articles(document, known)
    if problems:
        raise PredictionImportError(problems)

    articles, result = _ProjectArticles(project, {article["content_hash"] for article in document["articles"]}), []
    places = {}
    for index, article in enumerate(document["articles"]):
        texts = [p["text"] for p in article["paragraphs"]]
        where = _("articles/%(index)s (%(title)s)") % {"index": index, "title": article["title"][:40]}
        article_id, mapping = articles.by_hash.get(article["content_hash"]), None
        if article_id is None:
            letters, file_places = _letters(texts)
            article_id = articles.by_letters(letters)
            if article_id is None:
                problems.append(
                    _(
                        "%(where)s: no article of the project %(project)s has this text; predictions go on the project's articles only."
                    )
                    % {"where": where, "project": project.name}
                )
                continue
            mapping = file_places
        stored = places.get(article_id)
        if stored is None:
            rows = list(Paragraph.objects.filter(article_id=article_id).order_by("position").values_list("pk", "text"))
            stored = places[article_id] = (rows, _letters([text for _pk, text in rows])[1] if mapping else None)
        rows, stored_places = stored
        if mapping:
            position = {place: k for k, place in enumerate(mapping)}
        for s, span in enumerate(article["spans"]):
            start, end = span["start"], span["end"]
            if mapping is None:
                paragraph_id, a, b = rows[span["paragraph"]][0], start, end
            else:
                text = texts[span["paragraph"]]
                first = next((k for k in range(start, end) if not text[k].isspace()), None)
                last = next((k for k in range(end - 1, start - 1, -1) if not text[k].isspace()), None)
                (pa, a), (pb, b) = (
                    stored_places[position[(span["paragraph"], first)]],
                    stored_places[position[(span["paragraph"], last)]],
                )
                if pa != pb:
                    problems.append(
                        _("%(where)s, span %(id)s: it crosses two of the stored article's paragraphs.")
                        % {"where": where, "id": span["id"]}
                    )
                    continue
                paragraph_id, b = rows[pa][0], b + 1
                stored_text = rows[pa][1]
                if "".join(stored_text[a:b].split()) != "".join(span["text"].split()):
                    problems.append(
                        _("%(where)s, span %(id)s: its text %(text)s is not what the stored article holds there.")
                        % {"where": where, "id": span["id"], "text": repr(span["text"][:40])}
                    )
                    continue
            result.append((paragraph_id, a, b, labels[span["label"]], float(scores[index][s])))
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise PredictionImportError(problems)
    return result


def check_model_name(model_name):
    model_name = " ".join((model_name or "").split())
    if not model_name or model_name == "-":  # "-" is the reading view's "no model"
        raise PredictionImportError([_("Name the model that made these predictions.")])
    if len(model_name) > MODEL_NAME_MAX or any(unicodedata.category(ch).startswith("C") for ch in model_name):
        raise PredictionImportError(
            [_("A model's name has at most %(max)s characters and no control characters.") % {"max": MODEL_NAME_MAX}]
        )
    return model_name


@transaction.atomic
def store(batch, predictions):
    Prediction.objects.bulk_create(
        (
            Prediction(
                project_id=batch.project_id,
                batch=batch,
                paragraph_id=paragraph_id,
                start=start,
                end=end,
                label=label,
                score=score,
                model_name=batch.model_name,
            )
            for paragraph_id, start, end, label, score in predictions
        ),
        batch_size=1000,
    )
    batch.count = len(predictions)
    batch.status = PredictionBatch.Status.DONE
    batch.payload = None
    batch.problems = []
    batch.save(update_fields=["count", "status", "payload", "problems"])
    return batch


def import_predictions(data, *, project, format, model_name, user, filename="", default_score=1.0):
    """Read and store a file's predictions as one batch; PredictionImportError (nothing stored) on any problem."""
    model_name = check_model_name(model_name)
    predictions = read_predictions(data, project=project, format=format, default_score=default_score)
    with transaction.atomic():
        batch = PredictionBatch.objects.create(
            project=project, model_name=model_name, format=format, filename=filename[:255], imported_by=user
        )
        return store(batch, predictions)


def run_batch(batch):
    """Import a queued batch's stored file (the worker's part); the batch records the outcome."""
    try:
        predictions = read_predictions(
            bytes(batch.payload or b""),
            project=batch.project,
            format=batch.format,
            default_score=batch.parameters.get("default_score", 1.0),
        )
    except PredictionImportError as exc:
        batch.status, batch.problems, batch.payload = PredictionBatch.Status.REFUSED, exc.problems, None
        batch.save(update_fields=["status", "problems", "payload"])
        return batch
    return store(batch, predictions)
