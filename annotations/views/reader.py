"""The reading view: an article's paragraphs with the analyst's annotations, and its side panel."""

import json
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.db.models.functions import Length
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from corpus import word_diff
from corpus.duplicates import VERSIONS_LISTED, matches_of, version_total, versions_of
from corpus.models import Article, Paragraph
from hamish.ids import parse_id
from projects.scope import allowed_in, current_project

from .. import vocabulary
from ..boilerplate import boilerplate_hints, clean_paragraphs
from ..lookups import get_article_for_reader, get_paragraph_for_reader
from ..models import BoilerplateMark, Entity, Label, Span, Stance, StanceEvidence
from ..rendering import paragraph_html
from ..suggestions import suggestions_for

SPAN_SCOPES = ("mine", "all")


def span_scope(request):
    """'mine' (default) or 'all'; ?spans=... on the article page changes it for the session."""
    requested = request.GET.get("spans")
    if requested in SPAN_SCOPES:
        request.session["span_scope"] = requested
    return request.session.get("span_scope", "mine")


ANNOTATOR_MARKS = 8  # distinct annotator colours (hamish.css .annotator-1 ... -8); more annotators reuse them


def span_author(request):
    """The one annotator whose spans 'everyone's' shows, or None for all: ?by=<user id> on the article page
    sets it for the session (kept across the partial re-renders after writes), ?by= clears it."""
    if "by" in request.GET:
        chosen = parse_id(request.GET["by"])
        if chosen is None:
            request.session.pop("span_author", None)
        else:
            request.session["span_author"] = chosen
    return request.session.get("span_author")


def url_maker(name):
    """pk -> the URL `name` takes with that id, reversed once: a reverse() per paragraph was a quarter
    of the page's template time at 200 paragraphs."""
    marker = "987654321"
    pattern = reverse(name, args=[int(marker)])
    before, after = pattern.split(marker)
    return lambda pk: f"{before}{pk}{after}"


class ArticleAnnotations:
    """The annotations one reader sees in an article, in a fixed number of queries however many there are.

    For the page, `paragraphs` are all the article's; after a write (`written=True`), only the written
    ones, and then only the stances with evidence in them are loaded (the panels are summed up apart).
    Spans and marks are looked up by paragraph id: the (paragraph, author) index answers that directly,
    where a join on the article let SQLite start from all the author's spans.
    """

    def __init__(self, request, article_id, paragraphs, *, written=False):
        self.user = request.user
        # The project the article is read in (projects.scope): its vocabulary, and where suggestions come from.
        self.allowed = allowed_in(self.user, article_id, current_project(request))
        self.project = self.allowed.project
        self.everyone = span_scope(request) == "all"
        self.vocabulary = vocabulary.current()
        self.labels = self.vocabulary.labels
        ids = [paragraph.pk for paragraph in paragraphs]
        if written:
            stances = Stance.objects.filter(pk__in=StanceEvidence.objects.filter(paragraph_id__in=ids).values("stance_id"))
        else:
            stances = Stance.objects.filter(article_id=article_id)
        spans = Span.objects.filter(paragraph_id__in=ids).visible_to(self.user, everyone=self.everyone)
        # Everyone's spans: whose is whose. Every annotator of the article (not only of the written
        # paragraphs) in a fixed order, so each keeps one colour across re-renders; one query.
        self.annotators, self.author_shown = [], None
        if self.everyone:
            users = get_user_model().objects.filter(
                pk__in=Span.objects.filter(paragraph_id__in=article_paragraphs(article_id)).values("author_id")
            )
            self.annotators = [
                {"pk": pk, "name": name, "mark": i % ANNOTATOR_MARKS + 1}
                for i, (pk, name) in enumerate(users.order_by("pk").values_list("pk", get_user_model().USERNAME_FIELD))
            ]
            chosen = span_author(request)
            if any(a["pk"] == chosen for a in self.annotators):
                self.author_shown = chosen
                spans = spans.filter(author_id=chosen)
        self.spans = spans.drawn(self.labels)
        # Ids first, for stances and marks: most paragraphs hold neither, and the full queries (joins, the
        # evidence) cost more for Django to build than the id lookups do to run.
        stance_ids = list(stances.visible_to(self.user, everyone=self.everyone).values_list("pk", flat=True))
        self.stances = list(Stance.objects.filter(pk__in=stance_ids).for_display()) if stance_ids else []
        mark_ids = list(
            BoilerplateMark.objects.filter(paragraph_id__in=ids)
            .visible_to(self.user, everyone=self.everyone)
            .values_list("pk", flat=True)
        )
        self.marks = (
            list(
                BoilerplateMark.objects.filter(pk__in=mark_ids)
                .select_related("category", "author")
                .order_by("paragraph_id", "pk")
            )
            if mark_ids
            else []
        )

    @property
    def active_labels(self):
        return self.vocabulary.active_labels

    def attach(self, paragraphs):
        """Give each paragraph .visible_spans, .visible_evidence, .boilerplate (the mark shown, or None),
        .suggestions, .version_count (how many other articles hold a version of it) and .html."""
        spans, evidence, marks = defaultdict(list), defaultdict(list), defaultdict(list)
        for span in self.spans:
            spans[span.paragraph_id].append(span)
        for stance in self.stances:
            for item in stance.evidence.all():
                item.stance = stance  # the prefetched parent, so rendering needs no query
                evidence[item.paragraph_id].append(item)
        for mark in self.marks:
            marks[mark.paragraph_id].append(mark)
        # Suggestions are the reader's own (never shown as anyone's annotations), and none in paragraphs
        # they marked as boilerplate.
        matches, version_counts = versions_of([p.pk for p in paragraphs])
        own_marked = {m.paragraph_id for m in self.marks if m.author_id == self.user.pk}
        suggested = suggestions_for(
            self.user,
            paragraphs,
            own_spans=[s for s in self.spans if s.author_id == self.user.pk],
            matches=matches,
            index=self.vocabulary.entity_index,
            project=self.project,
            labels=self.allowed.labels,
        )
        # Hints only where no one (in the reader's scope) marked the paragraph: marked ones show the mark.
        marked = self.marked_paragraph_ids
        unmarked = [p for p in paragraphs if p.pk not in marked]
        hints = boilerplate_hints(paragraphs[0].article, unmarked, self.vocabulary.categories) if unmarked else {}
        create_url, versions_url = url_maker("annotations:span_create"), url_maker("annotations:paragraph_versions")
        for paragraph in paragraphs:
            paragraph.create_url, paragraph.versions_url = create_url(paragraph.pk), versions_url(paragraph.pk)
            paragraph.visible_spans = spans.get(paragraph.pk, [])
            paragraph.visible_evidence = evidence.get(paragraph.pk, [])
            own = [m for m in marks.get(paragraph.pk, []) if m.author_id == self.user.pk]
            paragraph.shown_marks = own + [m for m in marks.get(paragraph.pk, []) if m.author_id != self.user.pk]
            paragraph.boilerplate = paragraph.shown_marks[0] if paragraph.shown_marks else None
            paragraph.suggestions = suggested.get(paragraph.pk, []) if paragraph.pk not in own_marked else []
            # "Looks like boilerplate" with the category b would use and why, until someone marks it.
            paragraph.boilerplate_hint = hints.get(paragraph.pk) if paragraph.boilerplate is None else None
            paragraph.version_count = version_counts.get(paragraph.pk, 0)
            paragraph.html = paragraph_html(
                paragraph.text,
                paragraph.visible_spans,
                paragraph.visible_evidence,
                paragraph.suggestions,
                annotators=self.annotator_index,
            )
        return paragraphs

    @property
    def annotator_index(self):
        """{author id: (colour mark, name)} when everyone's spans are shown, else None (nothing to tell apart)."""
        return {a["pk"]: (a["mark"], a["name"]) for a in self.annotators} if self.everyone else None

    @property
    def marked_paragraph_ids(self):
        return {mark.paragraph_id for mark in self.marks}

    def entity_summary(self):
        """[(entity, mention count)] for the side panel, most mentioned first."""
        entities, counts = {}, defaultdict(int)
        for span in self.spans:
            if span.entity_id:
                entities[span.entity_id] = span.entity
                counts[span.entity_id] += 1
        return sorted(((entities[pk], counts[pk]) for pk in entities), key=lambda item: (-item[1], item[0].name))


PANELS = frozenset({"entities", "stances", "boilerplate"})


def panel_context(annotations, article_id, *, paragraphs=None, panels=PANELS):
    """The side panel's lists (those named in `panels`). On the page, `annotations` and `paragraphs` hold
    the whole article; after a write only the written paragraphs, and the database sums up the panels."""
    context = {"article_id": article_id, "panels": panels}
    whole_article = paragraphs is not None
    if "entities" in panels:
        context["entities"] = annotations.entity_summary() if whole_article else entity_summary(annotations, article_id)
    if "stances" in panels:
        context["stances"] = (
            annotations.stances
            if whole_article
            else list(
                Stance.objects.filter(article_id=article_id)
                .visible_to(annotations.user, everyone=annotations.everyone)
                .for_display()
            )
        )
    if "boilerplate" in panels:
        if whole_article:
            lengths = [(p.pk, len(p.text)) for p in paragraphs]
            marked = annotations.marked_paragraph_ids
        else:
            lengths = Paragraph.objects.filter(article_id=article_id).annotate(length=Length("text")).values_list("pk", "length")
            marked = set(
                BoilerplateMark.objects.filter(paragraph_id__in=article_paragraphs(article_id))
                .visible_to(annotations.user, everyone=annotations.everyone)
                .values_list("paragraph_id", flat=True)
            )
        context["boilerplate"] = boilerplate_summary(list(lengths), marked)
    return context


def article_paragraphs(article_id):
    """The article's paragraph ids as a subquery: filtering annotations by it lets the database use their
    (paragraph, author) index, where a join on the article made SQLite start from all the author's rows."""
    return Paragraph.objects.filter(article_id=article_id).values("pk")


def entity_summary(annotations, article_id):
    """[(entity, mention count)] of the article's entity-linked spans the reader sees, counted by the database."""
    counts = dict(
        Span.objects.filter(paragraph_id__in=article_paragraphs(article_id), entity__isnull=False)
        .visible_to(annotations.user, everyone=annotations.everyone)
        .values("entity_id")
        .annotate(mentions=Count("pk"))
        .values_list("entity_id", "mentions")
    )
    entities = Entity.objects.select_related("label").in_bulk(counts) if counts else {}
    return sorted(((entities[pk], n) for pk, n in counts.items()), key=lambda item: (-item[1], item[0].name))


def boilerplate_summary(lengths, marked):
    """Counts for the panel: paragraphs marked, and the clean text's size, from [(paragraph id, length)]."""
    clean = [length for pk, length in lengths if pk not in marked]
    return {
        "marked": len(lengths) - len(clean),
        "paragraphs": len(lengths),
        "clean_paragraphs": len(clean),
        # Characters of the clean text: the paragraphs plus one separator between each two.
        "clean_characters": sum(clean) + max(len(clean) - 1, 0),
    }


def reader_context(request, article):
    paragraphs = list(article.paragraphs.order_by("position"))
    annotations = ArticleAnnotations(request, article.pk, paragraphs)
    annotations.attach(paragraphs)
    # Read in a project, the picker and its keys offer only the project's labels (projects.scope).
    labels = annotations.allowed.filter("labels", annotations.active_labels)
    return {
        "article": article,
        "paragraphs": paragraphs,
        "labels": labels,
        "label_keys": {label.shortcut: label.name for label in labels if label.shortcut},
        "span_scope": span_scope(request),
        "annotators": annotations.annotators,
        "author_shown": annotations.author_shown,
        "suggestion_count": sum(len(p.suggestions) for p in paragraphs),
        **panel_context(annotations, article.pk, paragraphs=paragraphs),
    }


@never_cache  # Back from another page must show annotations made since, not the browser's copy
@require_GET
def article(request, pk):
    article = get_article_for_reader(request.user, pk)
    return render(request, "annotations/reader.html", reader_context(request, article))


@never_cache
@require_GET
def clean_text(request, pk):
    """The article without the paragraphs marked as boilerplate (in the reader's current scope)."""
    article = get_article_for_reader(request.user, pk)
    paragraphs = list(article.paragraphs.order_by("position"))
    annotations = ArticleAnnotations(request, article.pk, paragraphs)
    kept = clean_paragraphs(paragraphs, annotations.marked_paragraph_ids)
    if request.GET.get("format") == "txt":
        response = HttpResponse("\n".join(p.text for p in kept) + "\n", content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="article-{article.pk}-clean.txt"'
        return response
    return render(
        request,
        "annotations/clean_text.html",
        {"article": article, "paragraphs": kept, "removed": len(paragraphs) - len(kept), "span_scope": span_scope(request)},
    )


def card_context(user, span, *, labels=None):
    """What the span card needs besides the span: may this user edit it, and the labels to offer."""
    return {"editable": span.is_editable_by(user), "labels": Label.objects.active() if labels is None else labels}


def render_paragraphs(request, paragraphs, *, extra=None, panels=PANELS):
    """Re-rendered paragraphs after a write (the first is the response's target, the others swap out of
    band), plus, out of band, the side panel's lists that the write can have changed (`panels`). Only the
    written paragraphs' annotations are loaded."""
    paragraph = paragraphs[0]
    article_id = paragraph.article_id
    annotations = ArticleAnnotations(request, article_id, paragraphs, written=True)
    annotations.attach(paragraphs)
    context = {
        "paragraph": paragraph,
        "other_paragraphs": paragraphs[1:],
        "oob": True,
        **panel_context(annotations, article_id, panels=panels),
        **(extra or {}),
    }
    if context.get("card_span"):
        labels = annotations.allowed.filter("labels", annotations.active_labels)
        context.update(card_context(request.user, context["card_span"], labels=labels))
    response = render(request, "annotations/paragraph_update.html", context)
    if context.get("flash"):
        # An htmx event the page shows in its message area. JSON escapes non-ASCII: headers stay ASCII.
        response["HX-Trigger"] = json.dumps({"hamish:flash": {"message": context["flash"]}})
    return response


def render_paragraph(request, paragraph, *, extra=None, panels=PANELS):
    return render_paragraphs(request, [paragraph], extra=extra, panels=panels)


VERSIONS_SHOWN = 20  # closest versions compared on the page: a boilerplate line can have hundreds


def marked_html(text, compared_words, same, end):
    """text[:end] (the stretch compared) as HTML, the compared words whose index is not in `same` marked."""
    parts, position = [], 0
    for i, (start, stop, _word) in enumerate(compared_words):
        if i in same:
            continue
        parts.append(escape(text[position:start]))
        parts.append(f'<mark class="changed">{escape(text[start:stop])}</mark>')
        position = stop
    parts.append(escape(text[position:end]))
    return mark_safe("".join(parts))


def version_row(paragraph, other, similarity):
    """One pair of the page: both versions with the words the other lacks (after folding) marked, compared
    once (corpus.word_diff: bounded, the first 3,000 words of each); where that stopped short, how much is left."""
    compared = word_diff.compare(paragraph.text, other.text)
    return {
        "other": other,
        "similarity": similarity,
        "own_html": marked_html(paragraph.text, compared.words_a, set(compared.pairs), compared.end_a),
        "other_html": marked_html(other.text, compared.words_b, set(compared.pairs.values()), compared.end_b),
        "own_rest": len(paragraph.text) - compared.end_a if compared.cut_a else 0,
        "other_rest": len(other.text) - compared.end_b if compared.cut_b else 0,
        "exact": compared.exact,
    }


@require_GET
def versions(request, paragraph_id):
    """A paragraph beside its closest near-duplicates in other articles, the words each lacks marked."""
    paragraph = get_paragraph_for_reader(request.user, paragraph_id)
    pairs = matches_of([paragraph.pk]).get(paragraph.pk, [])
    # Which versions the reader may see, by id first: only those shown are loaded (their text can be megabytes).
    readable = set(
        Paragraph.objects.filter(
            pk__in=[pk for pk, _ in pairs], article__in=Article.objects.for_reader(request.user)
        ).values_list("pk", flat=True)
    )
    visible = [(pk, similarity) for pk, similarity in pairs if pk in readable]
    others = Paragraph.objects.select_related("article__source").in_bulk([pk for pk, _ in visible[:VERSIONS_SHOWN]])
    rows = [version_row(paragraph, others[pk], similarity) for pk, similarity in visible[:VERSIONS_SHOWN] if pk in others]
    context = {
        "paragraph": paragraph,
        "rows": rows,
        # matches_of lists the closest VERSIONS_LISTED; the family may hold many more.
        "not_shown": max(len(visible), version_total(paragraph.pk) if len(pairs) >= VERSIONS_LISTED else 0) - len(rows),
        "max_words": f"{word_diff.MAX_WORDS:,}",
        "max_chars": f"{word_diff.MAX_CHARS:,}",
    }
    return render(request, "annotations/versions.html", context)
