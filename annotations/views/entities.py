"""Canonical entities: autocomplete, the entity page with mentions across articles, label colours."""

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from corpus.models import Article
from hamish.ids import parse_id

from ..entities import entity_version, last_merge
from ..models import Entity, Label, Polarity, Span
from ..rendering import MAX_LAYERS

AUTOCOMPLETE_LIMIT = 12


@require_GET
def search(request):
    """Entities whose name or alias contains q, for the span card's autocomplete (optionally one label)."""
    # The span card's box is named new_entity (its text also names a new entity); q elsewhere.
    # No name holds a NUL, and PostgreSQL refuses one in a query (a 500): dropped from q, no label matches.
    query = " ".join((request.GET.get("q") or request.GET.get("new_entity") or "").replace("\x00", "").split())[:200]
    entities = Entity.objects.select_related("label").prefetch_related("aliases")
    if "\x00" in request.GET.get("label", ""):
        entities = entities.none()
    elif request.GET.get("label"):
        entities = entities.filter(label__name=request.GET["label"])
    if query:
        entities = entities.filter(Q(name__icontains=query) | Q(aliases__name__icontains=query)).distinct()
    entities = entities.annotate(mentions=Count("spans", distinct=True)).order_by("-mentions", "name")[:AUTOCOMPLETE_LIMIT]
    return render(request, "annotations/entity_options.html", {"entities": entities, "query": query})


MENTIONS_PER_PAGE = 50  # mentions shown with their sentences per page of an entity
MERGE_CANDIDATES = 20  # entities offered for a merge search
CONTEXT_MAX = 160  # code points of sentence shown on either side of a mention
SENTENCE_END = frozenset(".!?؟؛\n")


def mention_context(text, start, end):
    """(before, quote, after) of the sentence holding text[start:end], at most CONTEXT_MAX code points each
    side (cut with …). Sentences end at . ! ? ؟ ؛ or a line break."""
    left = start
    while left > 0 and text[left - 1] not in SENTENCE_END and start - left < CONTEXT_MAX:
        left -= 1
    right = end
    while right < len(text) and text[right] not in SENTENCE_END and right - end < CONTEXT_MAX:
        right += 1
    if right < len(text) and text[right] in SENTENCE_END:
        right += 1  # keep the sentence's own full stop
    before = text[left:start].lstrip()
    after = text[end:right].rstrip()
    if left > 0 and text[left - 1] not in SENTENCE_END:
        before = "…" + before
    if right < len(text) and text[right - 1] not in SENTENCE_END:
        after += "…"
    return before, text[start:end], after


def merge_candidates(entity, query):
    """Entities of the same label whose name or alias contains `query`, for the merge picker."""
    query = " ".join(query.replace("\x00", "").split())[:200]
    if not query:
        return []
    found = (
        Entity.objects.filter(label=entity.label_id)
        .exclude(pk=entity.pk)
        .filter(Q(name__icontains=query) | Q(aliases__name__icontains=query))
        .distinct()
        .annotate(mentions=Count("spans", distinct=True))
        .order_by("-mentions", "name")
    )
    return list(found[:MERGE_CANDIDATES])


def render_detail(request, entity, *, error=None, status=200):
    """The entity page: its label (with the label's description), aliases to edit, a merge picker, and its
    mentions in readable articles, each in its sentence, a page at a time."""
    entity = Entity.objects.select_related("label").prefetch_related("aliases").get(pk=entity.pk)
    mentions = (
        Span.objects.filter(entity=entity, paragraph__article__in=Article.objects.for_reader(request.user))
        .select_related("paragraph__article__source", "author", "label")
        .order_by("paragraph__article__source__name", "paragraph__article_id", "paragraph__position", "start")
    )
    page = Paginator(mentions, MENTIONS_PER_PAGE).get_page(parse_id(request.GET.get("page")) or 1)
    page.object_list = list(page.object_list)
    for span in page.object_list:
        span.context = mention_context(span.paragraph.text, span.start, span.end)
    merge_query = request.GET.get("merge_q", "")
    context = {
        "entity": entity,
        "page": page,
        "mentions": page.object_list,
        "version": entity_version(entity),
        "merge_query": merge_query,
        "candidates": merge_candidates(entity, merge_query),
        "last_merge": last_merge(request.user, entity),
        "error": error,
    }
    return render(request, "annotations/entity_detail.html", context, status=status)


@require_GET
def detail(request, pk):
    return render_detail(request, get_object_or_404(Entity, pk=pk))


@require_GET
def label_styles(request):
    """CSS custom properties for each label's colour (one rule per highlight layer) and each polarity's.

    A stylesheet, not inline styles, so the Content Security Policy needs no
    'unsafe-inline'. Names and colours are validated on the model (A-Z0-9_- and #RRGGBB).
    """
    labels = list(Label.objects.values_list("name", "colour"))
    rules = [f".swatch-{name} {{ --label: {colour}; }}" for name, colour in labels]
    rules += [f".pol-{name} {{ --polarity: {colour}; }}" for name, colour in Polarity.objects.values_list("name", "colour")]
    for layer in range(MAX_LAYERS):
        rules += [f".c{layer}-{name} {{ --c{layer}: {colour}; }}" for name, colour in labels]
    response = HttpResponse("\n".join(rules) + "\n", content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "private, no-cache"
    return response
