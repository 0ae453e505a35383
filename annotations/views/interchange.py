"""Export (a page to choose, a streamed download) and the JSON Schema of Hamish JSON."""

from django.contrib.auth import get_user_model
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from corpus.models import Article, Source

from ..interchange.formats import FORMATS, export_filename
from ..interchange.hamish_json import SCHEMA_PATH
from ..interchange.selection import query_or_404


def _int_or_none(value):
    return int(value) if value and value.isdigit() else None


@require_GET
def export_page(request):
    article = None
    if _int_or_none(request.GET.get("article")):
        article = Article.objects.for_reader(request.user).select_related("source").filter(pk=request.GET["article"]).first()
    context = {
        "formats": FORMATS.values(),
        "article": article,
        "sources": Source.objects.order_by("name"),
        "annotators": get_user_model().objects.filter(is_active=True).order_by("username"),
        "chosen_source": request.GET.get("source", ""),
    }
    return render(request, "annotations/export.html", context)


@require_GET
def export_download(request):
    export_format = FORMATS.get(request.GET.get("format", "hamish"))
    if export_format is None:
        return render(request, "annotations/export_problem.html", {"message": "Unknown export format."}, status=400)
    raw_article = request.GET.get("article", "")
    if raw_article and not raw_article.isdigit():
        return render(request, "annotations/export_problem.html", {"message": "The article must be given by its number."}, status=400)
    annotator = request.GET.get("annotator", "")
    if annotator == "me":
        annotator = request.user.get_username()
    query = query_or_404(
        request.user, article=_int_or_none(raw_article), source=request.GET.get("source", "") if not raw_article else "",
        annotator=annotator or None, clean=request.GET.get("clean") in ("1", "on", "true"),
    )
    response = StreamingHttpResponse(export_format.chunks(query, user=request.user), content_type=f"{export_format.media_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(export_format, query)}"'
    return response


@require_GET
def schema(request):
    return FileResponse(SCHEMA_PATH.open("rb"), content_type="application/schema+json")
