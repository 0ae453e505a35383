"""Importing Hamish JSON: articles (matched by content hash), entities, topics, spans, stances, boilerplate.

The whole document is checked before anything is written, and written in one transaction: a file
with any problem changes nothing and gets every problem listed (up to a limit). Importing the same
file twice adds nothing the second time. CoNLL and doccano imports are converted to this document
first, so they share the checks and the writer.
"""

import json
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from corpus import search
from corpus.models import PARAGRAPH_SEPARATOR, Article, Paragraph, Source, content_hash

from ..history import snapshot
from ..models import (
    BoilerplateCategory,
    BoilerplateMark,
    Entity,
    EntityAlias,
    Label,
    Polarity,
    Span,
    Stance,
    StanceEvidence,
    Topic,
)
from ..notes import clean_note_source
from . import reading
from .audit import ImportTrail
from .content_rules import annotator_names, content_problems, is_curated, layer_projects, new_name_problems
from .hamish_json import FORMAT, VERSION, schema_errors
from .reading import path_text

MAX_PROBLEMS = 30


class AnnotationImportError(Exception):
    """The file cannot be imported; `problems` says why, one readable line each. Nothing was changed."""

    def __init__(self, problems):
        self.problems = list(problems)[:MAX_PROBLEMS]
        super().__init__("; ".join(self.problems))


@dataclass
class ImportOptions:
    create_missing: bool = False  # create unknown labels, polarities and categories from the file's definitions
    unknown_users: str = "create"  # "create": inactive accounts with no password; "map": attribute to map_to
    map_to: object = None


@dataclass
class AnnotationImportReport:
    """What an import did; `counts` also has "events" (the audit events written)."""

    counts: Counter = field(default_factory=Counter)
    notes: list = field(default_factory=list)  # what the reader of the file has to say (CoNLL: what it detected)
    new_spans: dict = field(default_factory=dict)  # article id: spans made there (the recommenders' retrain trigger)

    def summary(self):
        c = self.counts
        # Counts beside their nouns in English; the Arabic names each count (no plural agreement to get wrong).
        parts = [
            _("%(created)s articles created, %(matched)s matched by content hash")
            % {"created": c["articles created"], "matched": c["articles matched"]},
            _("%(created)s spans created (%(existing)s already there)")
            % {"created": c["spans created"], "existing": c["spans existing"]},
            _("%(created)s stances created (%(existing)s already there)")
            % {"created": c["stances created"], "existing": c["stances existing"]},
            _("%(created)s boilerplate marks created (%(existing)s already there)")
            % {"created": c["marks created"], "existing": c["marks existing"]},
            _("%(entities)s entities and %(topics)s topics created")
            % {"entities": c["entities created"], "topics": c["topics created"]},
        ]
        if c["users created"]:
            parts.append(_("%(count)s inactive accounts created for unknown annotators") % {"count": c["users created"]})
        if c["definitions created"]:
            parts.append(_("%(count)s labels, polarities or categories created") % {"count": c["definitions created"]})
        if c["events"]:
            parts.append(_("%(count)s audit events written") % {"count": c["events"]})
        return _("%(parts)s.") % {"parts": _("; ").join(parts)}


def read_document(data):
    """Bytes of a Hamish JSON file -> the document, or AnnotationImportError saying what is wrong."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AnnotationImportError(
            [_("The file is not UTF-8 text (byte %(byte)s cannot be read).") % {"byte": exc.start}]
        ) from None
    try:
        document = reading.loads(text, limit=MAX_PROBLEMS)
    except json.JSONDecodeError as exc:
        raise AnnotationImportError(
            [
                _("The file is not valid JSON: %(problem)s at line %(line)s, column %(column)s.")
                % {"problem": exc.msg, "line": exc.lineno, "column": exc.colno}
            ]
        ) from None
    except reading.UnsafeJson as exc:
        raise AnnotationImportError(exc.problems) from None
    check_document(document)
    return document


def check_document(document):
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise AnnotationImportError(
            [_('This is not a Hamish annotations export (its "format" should be "%(format)s").') % {"format": FORMAT}]
        )
    if document.get("version") != VERSION:
        raise AnnotationImportError(
            [
                _("This export is version %(version)s; this Hamish reads version %(supported)s.")
                % {"version": repr(document.get("version")), "supported": VERSION}
            ]
        )
    problems = schema_errors(document, limit=MAX_PROBLEMS)
    if problems:
        raise AnnotationImportError([_("The file does not follow the Hamish JSON schema:"), *problems])
    if document["filter"]["clean"]:
        raise AnnotationImportError(
            [
                _(
                    "This is a clean export: boilerplate paragraphs were left out, so its articles cannot be restored. "
                    "Import a full export."
                )
            ]
        )
    problems = content_problems(document, limit=MAX_PROBLEMS)
    if problems:
        raise AnnotationImportError(problems)


def _where(index, article):
    title = article.get("title", "")
    return _("Article %(number)s (%(title)s)") % {"number": index + 1, "title": title[:40] + ("…" if len(title) > 40 else "")}


def _check_passage(problems, where, paragraphs, passage):
    paragraph = paragraphs.get(passage["paragraph"])
    if paragraph is None:
        problems.append(
            _("%(where)s: there is no paragraph %(paragraph)s.") % {"where": where, "paragraph": passage["paragraph"]}
        )
        return False
    start, end = passage["start"], passage["end"]
    if not (start < end <= len(paragraph["text"])) or paragraph["text"][start:end] != passage["text"]:
        problems.append(
            _("%(where)s: offsets %(start)s-%(end)s do not give its text %(text)s in paragraph %(paragraph)s.")
            % {"where": where, "start": start, "end": end, "text": repr(passage["text"][:40]), "paragraph": passage["paragraph"]}
        )
        return False
    if (passage["article_start"], passage["article_end"]) != (paragraph["start"] + start, paragraph["start"] + end):
        problems.append(_("%(where)s: its article offsets do not match its paragraph offsets.") % {"where": where})
        return False
    return True


def check_articles(document, known):
    """Every consistency rule the schema cannot express; returns the problems found."""
    problems = []
    entity_labels = {entity["id"]: entity["label"] for entity in document["entities"]}
    entity_ids = entity_labels.keys()
    topic_ids = {topic["id"] for topic in document["topics"]}
    for entity in document["entities"]:
        if entity["label"] not in known["labels"]:
            problems.append(
                _("Entity %(name)s has the unknown label %(label)s.") % {"name": repr(entity["name"]), "label": entity["label"]}
            )
    for index, article in enumerate(document["articles"]):
        where = _where(index, article)
        paragraphs = article["paragraphs"]
        texts = [p["text"] for p in paragraphs]
        if [p["index"] for p in paragraphs] != list(range(len(paragraphs))) or not paragraphs:
            problems.append(_("%(where)s: its paragraphs must be numbered 0, 1, 2, ... without gaps.") % {"where": where})
            continue
        if article["text"] != PARAGRAPH_SEPARATOR.join(texts):
            problems.append(_("%(where)s: its text is not its paragraphs joined by a newline.") % {"where": where})
        if content_hash(texts) != article["content_hash"]:
            problems.append(_("%(where)s: its content hash does not match its paragraphs.") % {"where": where})
        offset = 0
        for paragraph in paragraphs:
            if (paragraph["start"], paragraph["end"]) != (offset, offset + len(paragraph["text"])):
                problems.append(
                    _("%(where)s: paragraph %(paragraph)s has wrong start/end offsets.")
                    % {"where": where, "paragraph": paragraph["index"]}
                )
                break
            if not unicodedata.is_normalized("NFC", paragraph["text"]) or paragraph["text"] != paragraph["text"].strip():
                problems.append(
                    _("%(where)s: paragraph %(paragraph)s is not NFC text without surrounding whitespace.")
                    % {"where": where, "paragraph": paragraph["index"]}
                )
            for mark in paragraph.get("boilerplate_marks", []):
                if mark["category"] not in known["categories"]:
                    problems.append(
                        _("%(where)s: unknown boilerplate category %(category)s.")
                        % {"where": where, "category": repr(mark["category"])}
                    )
            offset += len(paragraph["text"]) + len(PARAGRAPH_SEPARATOR)
        by_index = {p["index"]: p for p in paragraphs}
        span_ids = set()
        for span in article["spans"]:
            span_where = _("%(where)s, span %(id)s") % {"where": where, "id": span["id"]}
            _check_passage(problems, span_where, by_index, span)
            if span["label"] not in known["labels"]:
                problems.append(_("%(where)s: unknown label %(label)s.") % {"where": span_where, "label": repr(span["label"])})
            if span["entity"] is not None and span["entity"] not in entity_ids:
                problems.append(
                    _("%(where)s: its entity %(entity)s is not in the file's entity list.")
                    % {"where": span_where, "entity": span["entity"]}
                )
            elif span["entity"] is not None and entity_labels[span["entity"]] != span["label"]:
                problems.append(
                    _("%(where)s: it is a %(label)s but its entity is a %(entity_label)s.")
                    % {"where": span_where, "label": span["label"], "entity_label": entity_labels[span["entity"]]}
                )
            span_ids.add(span["id"])
        for stance in article["stances"]:
            stance_where = _("%(where)s, stance %(id)s") % {"where": where, "id": stance["id"]}
            if stance["holder"]["entity"] not in entity_ids:
                problems.append(_("%(where)s: its holder entity is not in the file's entity list.") % {"where": stance_where})
            if stance["holder"].get("span") not in (None, *span_ids):
                problems.append(_("%(where)s: its holder's span is not a span of this article.") % {"where": stance_where})
            target = stance["target"]
            if ("entity" in target and target["entity"] not in entity_ids) or (
                "topic" in target and target["topic"] not in topic_ids
            ):
                problems.append(_("%(where)s: its target is not in the file's entity or topic list.") % {"where": stance_where})
            if stance["polarity"] not in known["polarities"]:
                problems.append(
                    _("%(where)s: unknown polarity %(polarity)s.") % {"where": stance_where, "polarity": repr(stance["polarity"])}
                )
            for passage in stance["evidence"]:
                _check_passage(
                    problems, _("%(where)s, evidence %(id)s") % {"where": stance_where, "id": passage["id"]}, by_index, passage
                )
        if len(problems) >= MAX_PROBLEMS:
            break
    return problems


def _definitions(document, options, report):
    """Labels, polarities and categories by name; unknown ones are created if allowed, else reported."""
    known, problems = {}, []
    kinds = [
        ("labels", Label, document["labels"], ["display_name", "colour", "description"]),
        ("polarities", Polarity, document["polarities"], ["display_name", "colour"]),
        ("categories", BoilerplateCategory, document["boilerplate_categories"], ["display_name"]),
    ]
    used = _used_names(document)
    for key, model, records, fields in kinds:
        existing = {obj.name: obj for obj in model.objects.all()}
        defined = {record["name"]: record for record in records}
        missing = sorted(used[key] - existing.keys())
        if missing and not options.create_missing:
            message = {
                "labels": _("Unknown labels: %(names)s. Create them first, or import with 'create missing labels' on."),
                "polarities": _("Unknown polarities: %(names)s. Create them first, or import with 'create missing labels' on."),
                "categories": _(
                    "Unknown boilerplate categories: %(names)s. Create them first, or import with 'create missing labels' on."
                ),
            }[key]
            problems.append(message % {"names": ", ".join(missing)})
        elif missing:
            for name in missing:
                record = defined.get(name, {})
                values = {f: record[f] for f in fields if record.get(f) is not None}
                values.setdefault("display_name", name)
                if key == "categories" and record.get("cue_phrases"):
                    values["cue_phrases"] = "\n".join(record["cue_phrases"])
                obj = model(name=name, **values)
                try:
                    obj.full_clean()
                except ValidationError as exc:
                    message = {
                        "labels": _("The label %(name)s cannot be created: %(problem)s"),
                        "polarities": _("The polarity %(name)s cannot be created: %(problem)s"),
                        "categories": _("The boilerplate category %(name)s cannot be created: %(problem)s"),
                    }[key]
                    problems.append(message % {"name": repr(name), "problem": " ".join(exc.messages)})
                    continue
                obj.save()
                existing[name] = obj
                report.counts["definitions created"] += 1
        known[key] = existing
    return known, problems


def _used_names(document):
    used = {"labels": set(), "polarities": set(), "categories": set()}
    used["labels"].update(entity["label"] for entity in document["entities"])
    for article in document["articles"]:
        used["labels"].update(span["label"] for span in article["spans"])
        used["polarities"].update(stance["polarity"] for stance in article["stances"])
        for paragraph in article["paragraphs"]:
            used["categories"].update(mark["category"] for mark in paragraph.get("boilerplate_marks", []))
    return used


def _users(document, options, report):
    """Accounts by the file's annotator names; names not exactly an account here are checked (see
    content_rules) before any is created or mapped."""
    first_paths = {}
    for path, name in annotator_names(document):
        first_paths.setdefault(name, path)
    names = first_paths.keys()
    User = get_user_model()
    users = {user.get_username(): user for user in User.objects.filter(**{f"{User.USERNAME_FIELD}__in": names})}
    if names - users.keys():
        problems = new_name_problems(first_paths, set(User.objects.values_list(User.USERNAME_FIELD, flat=True)))
        if problems:
            return users, problems
    problems = []
    for name in sorted(names - users.keys()):
        if options.unknown_users == "map":
            if options.map_to is None:
                problems.append(_("Choose the account that unknown annotators' work is attributed to."))
                break
            users[name] = options.map_to
            continue
        try:
            UnicodeUsernameValidator()(name)
        except ValidationError:
            problems.append(_("The annotator name %(name)s is not a valid user name.") % {"name": repr(name)})
            continue
        user = User(**{User.USERNAME_FIELD: name}, is_active=False)
        user.set_unusable_password()
        user.save()
        users[name] = user
        report.counts["users created"] += 1
    return users, problems


def _layers(document):
    """{project name: its curated layer's account} for the curated annotations in the file; a project that is
    not here is a problem (its layer has nowhere to go), never created."""
    from projects.curation_layer import layer_identity  # here: projects build on annotations
    from projects.models import Project

    first_paths = {}
    for path, name in layer_projects(document):
        first_paths.setdefault(name, path)
    found = {project.name: project for project in Project.objects.filter(name__in=list(first_paths))}
    problems = [
        _(
            "%(where)s: this annotation belongs to the curated layer of the project %(project)s, and there is no "
            "project of that name here. Create it first (same name), or leave the curated layer out of the file."
        )
        % {"where": path_text(path), "project": repr(name)}
        for name, path in first_paths.items()
        if name not in found
    ]
    if problems:
        return {}, problems
    return {name: layer_identity(project) for name, project in found.items()}, []


def _author(item, users, layers):
    return layers[item["project"]] if is_curated(item) else users[item["annotator"]]


def _timestamp(value):
    return datetime.fromisoformat(value) if value else None


def _stored_paragraphs(document, chunk=500):
    """{content hash: [paragraph texts]} of the file's articles that are already here."""
    hashes = [article["content_hash"] for article in document["articles"]]
    stored = {}
    for i in range(0, len(hashes), chunk):
        rows = (
            Paragraph.objects.filter(article__content_hash__in=hashes[i : i + chunk])
            .order_by("article_id", "position")
            .values_list("article__content_hash", "text")
        )
        for content, text in rows:
            stored.setdefault(content, []).append(text)
    return stored


def check_landing(document):
    """An article matched by content hash takes the file's annotations at the file's offsets: its stored
    paragraphs must be the file's, text for text, or every span and passage in it would be checked against
    one text (the file's) and land in another. With them equal, text[start:end] == quote, checked against
    the file's paragraphs, holds in the paragraphs written to."""
    stored, problems = _stored_paragraphs(document), []
    for index, article in enumerate(document["articles"]):
        texts = stored.get(article["content_hash"])
        if texts is not None and texts != [p["text"] for p in article["paragraphs"]]:
            problems.append(
                _(
                    "articles/%(index)s: the article already here with its content hash has other paragraphs "
                    "(%(stored)s stored, %(in_file)s in the file, or different text); its annotations cannot be placed."
                )
                % {"index": index, "stored": len(texts), "in_file": len(article["paragraphs"])}
            )
    return problems


class ImportedDocument(dict):
    """A checked document that remembers the name of the file it came from (for the audit trail)."""

    filename = ""
    write_more = None  # called with the report once the articles are written (CoNLL: the token layouts)


@transaction.atomic
def import_document(document, *, user, options=None, filename=None):
    """Write a checked document (see read_document) as `user`, the importing account (the actor of the audit
    events); raise AnnotationImportError, changing nothing, on any problem. `filename` defaults to the one
    document_from_file recorded."""
    if user is None:
        raise AnnotationImportError([_("Name the account that imports this file: its audit events need an actor.")])
    options = options or ImportOptions()
    report = AnnotationImportReport()
    known, problems = _definitions(document, options, report)
    if not problems:
        problems = check_articles(document, known) or check_landing(document)
    if not problems:
        users, problems = _users(document, options, report)
    if not problems:
        layers, problems = _layers(document)
    if problems:
        transaction.set_rollback(True)
        raise AnnotationImportError(problems)

    trail = ImportTrail(user, getattr(document, "filename", "") if filename is None else filename)
    entities = _write_entities(document["entities"], known["labels"], user, report)
    topics = _write_topics(document["topics"], user, report)
    for article in document["articles"]:
        _write_article(article, known, users, layers, entities, topics, user, report, trail)
        report.counts["events"] += trail.write()
    if getattr(document, "write_more", None):
        document.write_more(report)
    if report.new_spans:  # bulk-created spans send no signal: the retrain trigger counts them in one UPDATE
        from recommenders.runs import count_imported_spans

        transaction.on_commit(partial(count_imported_spans, dict(report.new_spans)))
    return report


def _write_entities(records, labels, user, report):
    result = {}
    for record in records:
        entity, created = Entity.objects.get_or_create(
            name=record["name"], label=labels[record["label"]], defaults={"created_by": user}
        )
        report.counts["entities created"] += created
        for alias in record["aliases"]:
            EntityAlias.objects.get_or_create(entity=entity, name=alias)
        result[record["id"]] = entity
    return result


def _write_topics(records, user, report):
    result = {}
    for record in records:
        topic, created = Topic.objects.get_or_create(
            name=record["name"], defaults={"description": record.get("description", ""), "created_by": user}
        )
        report.counts["topics created"] += created
        result[record["id"]] = topic
    return result


def _article(record, user, report):
    existing = Article.objects.filter(content_hash=record["content_hash"]).first()
    if existing is not None:
        report.counts["articles matched"] += 1
        return existing
    source, _ = Source.objects.get_or_create(name=record["source"]["name"], defaults={"url": record["source"].get("url", "")})
    published = record.get("published_on")
    article = Article.objects.create(
        source=source,
        title=record["title"],
        url=record.get("url", ""),
        published_on=date.fromisoformat(published) if published else None,
        language=record.get("language") or "ar",
        content_hash=record["content_hash"],
        original_filename=record.get("original_filename", "")[:255],
        imported_by=user,
    )
    paragraphs = Paragraph.objects.bulk_create(
        Paragraph(article=article, position=p["index"], text=p["text"]) for p in record["paragraphs"]
    )
    search.index_paragraphs(paragraphs)
    report.counts["articles created"] += 1
    return article


def _write_article(record, known, users, layers, entities, topics, user, report, trail):
    article = _article(record, user, report)
    paragraphs = dict(Paragraph.objects.filter(article=article).values_list("position", "pk"))

    # Boilerplate marks: one per paragraph and annotator; the file's category wins.
    marks = {(m.paragraph_id, m.author_id): m for m in BoilerplateMark.objects.filter(paragraph__article=article)}
    for paragraph in record["paragraphs"]:
        for mark in paragraph.get("boilerplate_marks", []):
            key = (paragraphs[paragraph["index"]], _author(mark, users, layers).pk)
            category = known["categories"][mark["category"]]
            if key in marks:
                report.counts["marks existing"] += 1
                if marks[key].category_id != category.pk:
                    before = snapshot(marks[key])
                    marks[key].category = category
                    marks[key].version += 1  # a card showing the old category may no longer change it
                    marks[key].save(update_fields=["category", "version", "updated_at"])
                    trail.mark(marks[key], before)
            else:
                marks[key] = BoilerplateMark.objects.create(paragraph_id=key[0], author_id=key[1], category=category)
                trail.mark(marks[key])
                report.counts["marks created"] += 1

    # Spans, unless the same annotator already has the same span; times as in the file.
    existing = {
        (s.paragraph_id, s.start, s.end, s.label_id, s.author_id): s for s in Span.objects.filter(paragraph__article=article)
    }
    span_ids, new = {}, []
    for span in record["spans"]:
        label = known["labels"][span["label"]]
        key = (paragraphs[span["paragraph"]], span["start"], span["end"], label.pk, _author(span, users, layers).pk)
        if key in existing:
            span_ids[span["id"]] = existing[key]
            report.counts["spans existing"] += 1
            continue
        obj = Span(
            paragraph_id=key[0],
            start=span["start"],
            end=span["end"],
            text=span["text"],
            label=label,
            entity=entities.get(span["entity"]),
            author_id=key[4],
            note=clean_note_source(span["note"]) if span.get("note") else "",  # bleach on "" took a third of a CoNLL import
        )
        obj.file_times = (_timestamp(span.get("created_at")), _timestamp(span.get("updated_at")))
        existing[key] = span_ids[span["id"]] = obj
        new.append(obj)
    Span.objects.bulk_create(new)
    _restore_times(Span, new)
    for obj in new:
        trail.span(obj)
    report.counts["spans created"] += len(new)
    if new:
        report.new_spans[article.pk] = report.new_spans.get(article.pk, 0) + len(new)

    # Stances: the same annotator, holder, target, polarity and evidence is the same stance.
    def stance_key(author_id, holder_id, target_entity_id, target_topic_id, polarity_id, passages):
        return (author_id, holder_id, target_entity_id, target_topic_id, polarity_id, frozenset(passages))

    current = {}
    for stance in Stance.objects.filter(article=article).prefetch_related("evidence"):
        passages = [(e.paragraph_id, e.start, e.end) for e in stance.evidence.all()]
        current[
            stance_key(
                stance.author_id,
                stance.holder_entity_id,
                stance.target_entity_id,
                stance.target_topic_id,
                stance.polarity_id,
                passages,
            )
        ] = stance
    new_stances = []
    for stance in record["stances"]:
        passages = [(paragraphs[p["paragraph"]], p["start"], p["end"], p["text"]) for p in stance["evidence"]]
        target_entity = entities.get(stance["target"].get("entity"))
        target_topic = topics.get(stance["target"].get("topic"))
        key = stance_key(
            _author(stance, users, layers).pk,
            entities[stance["holder"]["entity"]].pk,
            getattr(target_entity, "pk", None),
            getattr(target_topic, "pk", None),
            known["polarities"][stance["polarity"]].pk,
            [p[:3] for p in passages],
        )
        if key in current:
            report.counts["stances existing"] += 1
            continue
        holder_span = span_ids.get(stance["holder"].get("span"))
        obj = Stance(
            article=article,
            holder_entity=entities[stance["holder"]["entity"]],
            holder_span=holder_span,
            target_entity=target_entity,
            target_topic=target_topic,
            polarity=known["polarities"][stance["polarity"]],
            author=_author(stance, users, layers),
            note=clean_note_source(stance.get("note", "")),
        )
        obj.file_times = (_timestamp(stance.get("created_at")), _timestamp(stance.get("updated_at")))
        obj.passages = passages
        current[key] = obj
        new_stances.append(obj)
    Stance.objects.bulk_create(new_stances)
    StanceEvidence.objects.bulk_create(
        StanceEvidence(stance=s, paragraph_id=p, start=a, end=b, text=t) for s in new_stances for p, a, b, t in s.passages
    )
    _restore_times(Stance, new_stances)
    for obj in new_stances:
        trail.stance(obj, obj.passages)
    report.counts["stances created"] += len(new_stances)


def _restore_times(model, objects):
    """auto_now fields take the current time on insert; put back the times the file records."""
    dated = []
    for obj in objects:
        created, updated = obj.file_times
        if created or updated:
            obj.created_at = created or obj.created_at
            obj.updated_at = updated or obj.updated_at
            dated.append(obj)
    if dated:
        model.objects.bulk_update(dated, ["created_at", "updated_at"], batch_size=500)


IMPORT_FORMATS = {
    "hamish": "Hamish JSON export",
    "conll": "CoNLL / BIO (also ANERcorp tags)",
    "doccano": "doccano JSONL",
}


def guess_format(filename):
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return {"json": "hamish", "jsonl": "doccano"}.get(suffix, "conll")


def document_from_file(data, *, format, annotator, source_name="", filename="", bad_lines="refuse"):
    """A checked Hamish JSON document from a file's bytes in any import format; AnnotationImportError if not.
    `bad_lines` (CoNLL): "refuse" the file on any bad line, "repair" or "skip" them (see conll/reader.py)."""
    from .conll import ConllError
    from .doccano import DoccanoError, doccano_to_document

    if format == "hamish":
        return _named(read_document(data), filename)
    if format == "conll":
        return _conll_document(data, annotator=annotator, source_name=source_name, filename=filename, bad_lines=bad_lines)
    try:
        if format == "doccano":
            document = doccano_to_document(
                data, annotator=annotator, source_name=source_name or "doccano import", filename=filename
            )
        else:
            raise AnnotationImportError([_("Unknown import format %(format)s.") % {"format": repr(format)}])
    except (ConllError, DoccanoError) as exc:
        raise AnnotationImportError([str(exc)]) from None
    try:
        check_document(document)
    except AnnotationImportError as exc:
        if format == "conll":
            where = _(
                "(Places below are in the converted file: articles/2 is the file's third document (-DOCSTART-), "
                "paragraphs/0 its first sentence.)"
            )
        else:
            where = _("(Places below are in the converted file: articles/2 is the file's third line with text.)")
        raise AnnotationImportError([where, *exc.problems]) from None
    return _named(document, filename)


def _conll_document(data, *, annotator, source_name, filename, bad_lines):
    """The CoNLL branch of document_from_file: the document carries its token layouts and the reader's notes."""
    from django.utils.translation import gettext as _

    from .conll import ConllError, conll_to_document, read_conll
    from .conll.layouts import layout_writer

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AnnotationImportError(
            [_("The file is not UTF-8 text (byte %(byte)s cannot be read).") % {"byte": f"{exc.start:,}"}]
        ) from None
    try:
        reading = read_conll(text, bad_lines=bad_lines)
    except ConllError as exc:
        raise AnnotationImportError(exc.problems) from None
    if not reading.tokens():
        raise AnnotationImportError([reading.detected(), _("The file holds no tokens.")])
    document, layouts = conll_to_document(
        reading, annotator=annotator, source_name=source_name or "CoNLL import", filename=filename
    )
    try:
        check_document(_sample(document))
        problems = content_problems(document, limit=MAX_PROBLEMS)
        if problems:
            raise AnnotationImportError(problems)
    except AnnotationImportError as exc:
        where = _(
            "(Places below are in the converted file: articles/2 is the file's third document (-DOCSTART-), "
            "paragraphs/0 its first sentence.)"
        )
        raise AnnotationImportError([reading.detected(), where, *exc.problems]) from None
    document = _named(document, filename)
    document.write_more = layout_writer(document, layouts, reading.notes())
    return document


def _sample(document, keep=3):
    """The converted document with only the first paragraphs and spans of each article, for the schema check:
    conll_to_document makes every paragraph and span alike (the label names, which the schema constrains, are
    all in "labels", kept whole), and checking 150,000 tokens' worth of them took 5 s of a 15 s import. Every
    paragraph and span still has its content checked (content_problems) and its offsets (check_articles)."""
    articles = [{**a, "paragraphs": a["paragraphs"][:keep], "spans": a["spans"][:keep]} for a in document["articles"]]
    return {**document, "articles": articles}


def _named(document, filename):
    document = ImportedDocument(document)
    document.filename = filename
    return document
