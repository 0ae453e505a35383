from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from hamish.ids import parse_id

from . import duplicates
from .models import Article, Source


def scoped_articles(request, articles):
    from projects.scope import scoped_articles as in_current_project  # projects build on the corpus

    return in_current_project(request, articles)


ARTICLES_PER_PAGE = 100


@require_GET
def article_list(request):
    # No title holds a NUL (the importer drops control characters), and PostgreSQL refuses one in a query.
    query = " ".join(request.GET.get("q", "").replace("\x00", "").split())[:200]
    # The project switcher's choice narrows the list (projects.scope; "all my projects" does not).
    articles = scoped_articles(request, Article.objects.for_reader(request.user)).select_related("source").with_paragraph_counts()
    if query:
        articles = articles.filter(title__icontains=query)
    # Junk page numbers ("²", "٣", 10^26) open the first page, as no number does.
    page = Paginator(articles.order_by("source__name", "title", "pk"), ARTICLES_PER_PAGE).get_page(
        parse_id(request.GET.get("page")) or 1
    )
    context = {"page": page, "query": query, "source_count": Source.objects.count()}
    template = "corpus/article_list.html#results" if request.htmx else "corpus/article_list.html"
    return render(request, template, context)


@require_GET
def shared_content(request):
    """Articles grouped by the paragraphs they share: which outlets carried which statement."""
    articles = scoped_articles(request, Article.objects.for_reader(request.user)).select_related("source")
    return render(request, "corpus/shared.html", {"groups": duplicates.shared_content_groups(articles)})
