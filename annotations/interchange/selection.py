"""Choosing what to export, the same way for the web page and the management command."""

from django.contrib.auth import get_user_model
from django.http import Http404

from corpus.models import Article, Source

from .records import ExportQuery


class SelectionError(Exception):
    """The request names an article, source or annotator that does not exist (or is not visible)."""


def build_query(user, *, article=None, source=None, annotator=None, clean=False):
    """An ExportQuery for one article (id), one source (name) or the corpus the user may read."""
    articles = Article.objects.for_reader(user) if user is not None else Article.objects.all()
    description = {"articles": "corpus"}
    if article is not None:
        articles = articles.filter(pk=article)
        if not articles.exists():
            raise SelectionError(f"There is no article {article}.")
        description = {"articles": f"article:{article}"}
    elif source:
        found = Source.objects.filter(name=source).first()
        if found is None:
            raise SelectionError(f"There is no source called {source!r}.")
        articles = articles.filter(source=found)
        description = {"articles": f"source:{source}"}
    chosen = None
    if annotator:
        User = get_user_model()
        chosen = User.objects.filter(**{User.USERNAME_FIELD: annotator}).first()
        if chosen is None:
            raise SelectionError(f"There is no user called {annotator!r}.")
    return ExportQuery(articles=articles, annotator=chosen, clean=clean, description=description)


def query_or_404(*args, **kwargs):
    try:
        return build_query(*args, **kwargs)
    except SelectionError as exc:
        raise Http404(str(exc)) from None
