"""Choosing what to export, the same way for the web page and the management command."""

from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils.translation import gettext as _

from corpus.models import Article, Source

from .records import ExportQuery


class SelectionError(Exception):
    """The request names an article, source or annotator that does not exist (or is not visible)."""


LAYERS = ("all", "curated")  # everyone's annotations (the curated layers among them), or one project's curated layer


def _project(user, project_id):
    from projects.models import Project  # here: projects build on annotations, not the other way round

    projects = Project.objects.for_member(user) if user is not None else Project.objects.all()
    found = projects.select_related("curated_identity").filter(pk=project_id).first() if project_id is not None else None
    if found is None:
        raise SelectionError(
            _("There is no project %(id)s.") % {"id": project_id}
            if project_id is not None
            else _("Name the project whose curated layer to export.")
        )
    return found


def build_query(user, *, article=None, source=None, annotator=None, clean=False, layer="all", project=None):
    """An ExportQuery for one article (id), one source (name) or the corpus the user may read; `project` (an id)
    keeps the articles of that project, and `layer="curated"` exports only its curated layer."""
    layer = layer or "all"
    if layer not in LAYERS:
        raise SelectionError(_("There is no layer %(layer)s: choose all or curated.") % {"layer": repr(layer)})
    articles = Article.objects.for_reader(user) if user is not None else Article.objects.all()
    chosen_project = None
    if project is not None or layer == "curated":
        chosen_project = _project(user, project)
        articles = articles.filter(projects=chosen_project)
    description = {"articles": "corpus"}
    if article is not None:
        articles = articles.filter(pk=article)
        if not articles.exists():
            raise SelectionError(_("There is no article %(id)s.") % {"id": article})
        description = {"articles": f"article:{article}"}
    elif source:
        found = Source.objects.filter(name=source).first()
        if found is None:
            raise SelectionError(_("There is no source called %(name)s.") % {"name": repr(source)})
        articles = articles.filter(source=found)
        description = {"articles": f"source:{source}"}
    chosen = None
    if layer == "curated":
        if annotator:
            raise SelectionError(_("The curated layer has one author, the layer itself: leave out the annotator."))
        if chosen_project.curated_identity is None:
            raise SelectionError(
                _("The project %(name)s has no curated layer yet: nobody has curated its articles.")
                % {"name": repr(chosen_project.name)}
            )
        chosen = chosen_project.curated_identity
        description["layer"] = "curated"
    if chosen_project is not None:
        description["project"] = chosen_project.name
    if annotator:
        User = get_user_model()
        chosen = User.objects.filter(**{User.USERNAME_FIELD: annotator}).first()
        if chosen is None:
            raise SelectionError(_("There is no user called %(name)s.") % {"name": repr(annotator)})
    return ExportQuery(articles=articles, annotator=chosen, clean=clean, description=description)


def query_or_404(*args, **kwargs):
    try:
        return build_query(*args, **kwargs)
    except SelectionError as exc:
        raise Http404(str(exc)) from None
