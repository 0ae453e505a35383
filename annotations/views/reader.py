"""The reading view: an article's paragraphs with the analyst's spans, and its side panel."""

from collections import defaultdict

from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..lookups import get_article_for_reader
from ..models import Label, Span
from ..rendering import paragraph_html

SPAN_SCOPES = ("mine", "all")


def span_scope(request):
    """'mine' (default) or 'all'; ?spans=... on the article page changes it for the session."""
    requested = request.GET.get("spans")
    if requested in SPAN_SCOPES:
        request.session["span_scope"] = requested
    return request.session.get("span_scope", "mine")


def visible_spans(request, paragraphs_filter):
    everyone = span_scope(request) == "all"
    return (
        Span.objects.filter(**paragraphs_filter)
        .visible_to(request.user, everyone=everyone)
        .select_related("label", "entity", "entity__label")
        .order_by("paragraph_id", "start", "-end", "pk")
    )


def attach_spans(paragraphs, spans):
    """Give each paragraph .visible_spans and .html (its text with highlights), without further queries."""
    by_paragraph = defaultdict(list)
    for span in spans:
        by_paragraph[span.paragraph_id].append(span)
    for paragraph in paragraphs:
        paragraph.visible_spans = by_paragraph.get(paragraph.pk, [])
        paragraph.html = paragraph_html(paragraph.text, paragraph.visible_spans)
    return paragraphs


def entity_summary(spans):
    """[(entity, label, mention count)] for the side panel, most mentioned first; unlinked spans by label."""
    entities, counts = {}, defaultdict(int)
    for span in spans:
        if span.entity_id:
            entities[span.entity_id] = span.entity
            counts[span.entity_id] += 1
    return sorted(((entities[pk], counts[pk]) for pk in entities), key=lambda item: (-item[1], item[0].name))


def reader_context(request, article):
    paragraphs = list(article.paragraphs.order_by("position"))
    spans = list(visible_spans(request, {"paragraph__article": article}))
    attach_spans(paragraphs, spans)
    labels = list(Label.objects.active())
    return {
        "article": article,
        "paragraphs": paragraphs,
        "labels": labels,
        "label_keys": {label.shortcut: label.name for label in labels if label.shortcut},
        "entities": entity_summary(spans),
        "span_scope": span_scope(request),
    }


@require_GET
def article(request, pk):
    article = get_article_for_reader(request.user, pk)
    return render(request, "annotations/reader.html", reader_context(request, article))


def card_context(user, span):
    """What the span card needs besides the span: may this user edit it, and the labels to offer."""
    return {"editable": span.is_editable_by(user), "labels": Label.objects.active()}


def render_paragraph(request, paragraph, *, extra=None):
    """The paragraph partial, freshly queried, plus the side panel's entity list out of band.

    A write touches one paragraph, so only its spans are loaded, plus the article's entity-linked
    spans for the panel; not every span of the article on every save.
    """
    attach_spans([paragraph], visible_spans(request, {"paragraph": paragraph}))
    linked = visible_spans(request, {"paragraph__article_id": paragraph.article_id, "entity__isnull": False})
    context = {"paragraph": paragraph, "entities": entity_summary(linked), "oob": True, **(extra or {})}
    if context.get("card_span"):
        context.update(card_context(request.user, context["card_span"]))
    return render(request, "annotations/paragraph_update.html", context)
