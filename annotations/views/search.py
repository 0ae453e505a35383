"""Search over all articles (corpus.search does the Arabic-aware matching), filtered by annotations."""

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.db.models.functions import Length, Substr
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from corpus import search
from corpus.models import Article, Paragraph, Source
from hamish.ids import parse_id
from projects.scope import scoped_articles

from ..models import BoilerplateMark, Label, Span, StanceEvidence

PER_PAGE = 20
NAMED_FILTERS = ("source", "label", "annotator")


def highlighted(text, query):
    return _html(search.highlight(text, query))


def _html(pieces):
    return "".join(f"<mark>{escape(piece)}</mark>" if hit else escape(piece) for piece, hit in pieces)


def result_html(paragraph, query):
    """The result's text: a paragraph up to search.WHOLE_CHARS whole, with its hits marked ("" if none); a longer
    one as a few excerpts around its hits, each "…" where text is left out. `paragraph.head` holds only its
    first search.SCAN_CHARS characters and `paragraph.length` its length: a result never loads a 5 MB text.
    Sets `paragraph.hits_further` when no hit is in that head (the opening is shown instead)."""
    paragraph.hits_further = False
    if paragraph.length <= search.WHOLE_CHARS:
        return mark_safe(highlighted(paragraph.head, query))
    excerpts = search.snippets(paragraph.head, query)
    if not excerpts:
        paragraph.hits_further, paragraph.length_shown = True, f"{paragraph.length:,}"
        excerpts = [search.opening(paragraph.head)]
    parts = ["…" if excerpts[0][0] > 0 else ""]
    for i, (_start, _end, pieces) in enumerate(excerpts):
        parts.append((" … " if i else "") + _html(pieces))
    parts.append("…" if excerpts[-1][1] < paragraph.length else "")
    return mark_safe("".join(parts))


def filtered(paragraphs, params, user):
    """Narrow the matching paragraphs by source, label, annotator, stance evidence and boilerplate."""
    if any("\x00" in params.get(key, "") for key in NAMED_FILTERS):
        return paragraphs.none()  # no outlet, label or user is named so (and PostgreSQL refuses NUL in a query)
    User = get_user_model()
    annotator = None
    if params.get("annotator") == "me":
        annotator = user
    elif params.get("annotator"):
        annotator = User.objects.filter(**{User.USERNAME_FIELD: params["annotator"]}).first()
    if params.get("source"):
        paragraphs = paragraphs.filter(article__source__name=params["source"])
    spans = Span.objects.filter(paragraph=OuterRef("pk"))
    if annotator is not None:
        spans = spans.filter(author=annotator)
    if params.get("label"):
        paragraphs = paragraphs.filter(Exists(spans.filter(label__name=params["label"])))
    elif annotator is not None:
        paragraphs = paragraphs.filter(Exists(spans))
    if params.get("stance") == "1":
        paragraphs = paragraphs.filter(Exists(StanceEvidence.objects.filter(paragraph=OuterRef("pk"))))
    marks = BoilerplateMark.objects.filter(paragraph=OuterRef("pk"))
    if params.get("boilerplate") == "only":
        paragraphs = paragraphs.filter(Exists(marks))
    elif params.get("boilerplate") == "hide":
        paragraphs = paragraphs.exclude(Exists(marks))
    return paragraphs


@require_GET
def search_page(request):
    query = " ".join(request.GET.get("q", "").split())[:200]
    results, page, capped = [], None, False
    if query:
        ranked = search.matching_ids(query, limit=search.RESULT_LIMIT)
        capped = len(ranked) >= search.RESULT_LIMIT
        # Filter and page over ids; only the shown page's paragraphs are loaded and highlighted.
        # The readable articles among the hits are found first: joining the filter to every readable article
        # made SQLite walk all paragraphs (50 ms at 10,000 articles).
        candidates = Paragraph.objects.filter(pk__in=ranked).order_by()
        readable = set(
            scoped_articles(request, Article.objects.for_reader(request.user))
            .filter(pk__in=candidates.values("article_id"))
            .order_by()
            .values_list("pk", flat=True)
        )
        allowed = set(
            filtered(candidates.filter(article_id__in=readable), request.GET, request.user).values_list("pk", flat=True)
        )
        # A page number that is not one ("²", "٣", 26 digits) is the first page; past the last, the last.
        page = Paginator([pk for pk in ranked if pk in allowed], PER_PAGE).get_page(parse_id(request.GET.get("page")) or 1)
        shown = (
            Paragraph.objects.filter(pk__in=list(page.object_list))
            .select_related("article__source")
            .defer("text")
            .annotate(head=Substr("text", 1, search.SCAN_CHARS), length=Length("text"))
            .in_bulk()
        )
        page.object_list = [shown[pk] for pk in page.object_list if pk in shown]
        for paragraph in page.object_list:
            paragraph.highlighted = result_html(paragraph, query)
        results = [p for p in page.object_list if p.highlighted]
    context = {
        "query": query,
        "results": results,
        "page": page,
        "sources": Source.objects.order_by("name"),
        "labels": Label.objects.all(),
        "annotators": get_user_model().objects.filter(is_active=True).order_by("username"),
        "params": request.GET,
        "capped": capped,
    }
    template = "annotations/search.html#results" if request.htmx else "annotations/search.html"
    return render(request, template, context)
