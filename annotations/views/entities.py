"""Canonical entities: autocomplete, the entity page with mentions across articles, label colours."""

from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from corpus.models import Article

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


@require_GET
def detail(request, pk):
    entity = get_object_or_404(Entity.objects.select_related("label").prefetch_related("aliases"), pk=pk)
    mentions = (
        Span.objects.filter(entity=entity, paragraph__article__in=Article.objects.for_reader(request.user))
        .select_related("paragraph__article__source", "author", "label")
        .order_by("paragraph__article__source__name", "paragraph__article_id", "paragraph__position", "start")
    )
    return render(request, "annotations/entity_detail.html", {"entity": entity, "mentions": mentions})


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
