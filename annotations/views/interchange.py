"""Export (a page to choose, a streamed download) and the JSON Schema of Hamish JSON."""

from django.contrib.auth import get_user_model
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from corpus.models import Article, Source
from hamish.ids import parse_id
from projects.scope import current_project

from ..interchange.formats import FORMATS, export_filename
from ..interchange.hamish_json import SCHEMA_PATH
from ..interchange.selection import query_or_404


@require_GET
def export_page(request):
    article = None
    article_id = parse_id(request.GET.get("article"))
    if article_id is not None:  # anything else (junk, "²", 10^26) just offers the whole corpus
        article = Article.objects.for_reader(request.user).select_related("source").filter(pk=article_id).first()
    context = {
        "formats": FORMATS.values(),
        "article": article,
        "sources": Source.objects.order_by("name"),
        "annotators": get_user_model().objects.filter(is_active=True).order_by("username"),
        "chosen_source": request.GET.get("source", ""),
        "projects": _curated_projects(request.user),
        # The project switcher's choice: the corpus or an outlet is exported from that project's articles.
        "current_project": current_project(request),
    }
    return render(request, "annotations/export.html", context)


def _curated_projects(user):
    from projects.models import Project  # here: projects build on annotations, not the other way round

    return Project.objects.for_member(user).exclude(curated_identity=None).order_by("name")


@require_GET
def export_download(request):
    export_format = FORMATS.get(request.GET.get("format", "hamish"))
    if export_format is None:
        return render(request, "annotations/export_problem.html", {"message": _("Unknown export format.")}, status=400)
    raw_article = request.GET.get("article", "")
    article_id = parse_id(raw_article)
    if raw_article and article_id is None:
        return render(
            request, "annotations/export_problem.html", {"message": _("The article must be given by its number.")}, status=400
        )
    annotator, source = request.GET.get("annotator", ""), request.GET.get("source", "")
    if "\x00" in annotator or "\x00" in source:  # no name holds one, and PostgreSQL refuses NUL in a query
        return render(
            request, "annotations/export_problem.html", {"message": _("There is no outlet or user of that name.")}, status=400
        )
    if annotator == "me":
        annotator = request.user.get_username()
    query = query_or_404(
        request.user,
        article=article_id,
        source=source if not raw_article else "",
        annotator=annotator or None,
        clean=request.GET.get("clean") in ("1", "on", "true"),
        layer=request.GET.get("layer") or "all",
        project=parse_id(request.GET.get("project")),
    )
    response = StreamingHttpResponse(
        export_format.chunks(query, user=request.user), content_type=f"{export_format.media_type}; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{export_filename(export_format, query)}"'
    # Annotated data is the team's work: no browser or proxy cache keeps a copy after the download. nosniff
    # is also set for every answer by SecurityMiddleware; here it holds even if that setting changes.
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def schema(request):
    return FileResponse(SCHEMA_PATH.open("rb"), content_type="application/schema+json")
