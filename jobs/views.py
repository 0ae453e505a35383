"""The pages of background jobs: the import page (which now answers at once with a job), a job's page and
its polled status partial, cancel and run-again, the import history, export jobs and their download."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from annotations.interchange.formats import FORMATS
from annotations.interchange.selection import LAYERS, query_or_404
from corpus.forms import ACCEPTED_SUFFIXES, ImportForm
from corpus.models import Source
from hamish.ids import parse_id

from . import lifecycle, storage
from .exports import create_export_job, run_export
from .imports import create_import_job, run_import
from .models import Job, JobFile
from .rebuilds import run_rebuild

IMPORT_PERMISSION = "corpus.add_article"
REPORT_ROWS_PER_PAGE = 500  # a finished report, a page at a time (10,000 files are 10,000 rows)
LIVE_ROWS = 100  # while a job runs, the latest rows only: the partial is fetched every second
JOBS_PER_PAGE = 50
TASKS = {Job.Kind.IMPORT: run_import, Job.Kind.EXPORT: run_export, Job.Kind.REBUILD: run_rebuild}


def get_job_for(user, job_id):
    """The job if `user` may see it: its owner or a superuser; import jobs also need the import permission
    (analysts get 403). Anyone else's job is 404, as if it did not exist."""
    job = get_object_or_404(Job.objects.select_related("user"), pk=job_id)
    if job.kind == Job.Kind.IMPORT and not user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied
    if not job.is_visible_to(user):
        raise Http404(_("No such job."))
    return job


def _status_context(request, job):
    rows = job.rows.select_related(None)
    if job.ended:
        page = Paginator(rows.order_by("position"), REPORT_ROWS_PER_PAGE).get_page(request.GET.get("page"))
        shown = page.object_list
    else:
        page = None
        shown = list(rows.order_by("-position")[:LIVE_ROWS])[::-1]
    return {"job": job, "rows": shown, "rows_page": page, "live": not job.ended and not job.is_stale}


def _enqueue(job):
    TASKS[job.kind].enqueue(job.pk)


@require_http_methods(["GET", "POST"])
@permission_required(IMPORT_PERMISSION, raise_exception=True)
def import_page(request):
    """Choose files; a valid upload is stored and queued as a job, and the page shows its live status."""
    job = None
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if request.method == "POST" and form.is_valid():
        job = create_import_job(
            user=request.user,
            uploads=form.cleaned_data["files"],
            source_name=form.cleaned_data["source"],
            bad_lines=form.cleaned_data.get("bad_lines") or "refuse",
        )
        _enqueue(job)  # after the job and its files are committed: a worker elsewhere must find them
        if not request.htmx:
            return redirect(job)
        job.refresh_from_db()
        form = ImportForm()
    context = {
        "form": form,
        "sources": Source.objects.values_list("name", flat=True),
        "accepted_suffixes": ACCEPTED_SUFFIXES,
        **(_status_context(request, job) if job else {}),
    }
    template = "corpus/import.html#import-panel" if request.htmx else "corpus/import.html"
    return render(request, template, context)


@require_GET
@permission_required(IMPORT_PERMISSION, raise_exception=True)
def import_history(request):
    jobs = Job.objects.filter(kind=Job.Kind.IMPORT).select_related("user")
    page = Paginator(jobs, JOBS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "jobs/job_list.html", {"page": page, "title": _("Import history"), "show_user": True})


@require_GET
def job_list(request):
    """The user's own jobs (a superuser's list holds everyone's)."""
    jobs = Job.objects.select_related("user")
    if not request.user.is_superuser:
        jobs = jobs.filter(user=request.user)
    page = Paginator(jobs, JOBS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "jobs/job_list.html", {"page": page, "title": _("Jobs"), "show_user": request.user.is_superuser})


@require_GET
def job_detail(request, job_id):
    job = get_job_for(request.user, job_id)
    template = "jobs/job.html#status" if request.htmx else "jobs/job.html"
    return render(request, template, _status_context(request, job))


@require_GET
def job_status(request, job_id):
    """The status partial alone: what the page polls every second while the job runs."""
    job = get_job_for(request.user, job_id)
    return render(request, "jobs/job.html#status", _status_context(request, job))


def _after_write(request, job):
    job.refresh_from_db()
    if request.htmx:
        return render(request, "jobs/job.html#status", _status_context(request, job))
    return redirect(job)


@require_POST
def job_cancel(request, job_id):
    job = get_job_for(request.user, job_id)
    if not job.ended:
        lifecycle.request_cancel(job)
    return _after_write(request, job)


@require_POST
def job_retry(request, job_id):
    """Run a failed job, or one whose worker died, again from the start (an import skips what it saved)."""
    job = get_job_for(request.user, job_id)
    if not lifecycle.requeue(job):
        context = {
            "job": job,
            "message": _(
                "This job cannot run again: it is still running, it was cancelled or "
                "finished, or its uploaded files are gone. Start a new one."
            ),
        }
        return render(request, "jobs/problem.html", context, status=409)
    _enqueue(job)
    return _after_write(request, job)


@require_POST
def export_start(request):
    """The export page's button: one article downloads at once (streamed); anything larger becomes a job."""
    export_format = FORMATS.get(request.POST.get("format", "hamish"))
    if export_format is None:
        return render(request, "annotations/export_problem.html", {"message": _("Unknown export format.")}, status=400)
    raw_article = request.POST.get("article", "")
    article_id = parse_id(raw_article)
    if raw_article and article_id is None:
        return render(
            request, "annotations/export_problem.html", {"message": _("The article must be given by its number.")}, status=400
        )
    clean = request.POST.get("clean") in ("1", "on", "true")
    annotator = request.POST.get("annotator", "")
    # The curated layer of one project: its one author is the layer, so the annotator choice does not apply.
    layer = request.POST.get("layer") or "all"
    if layer not in LAYERS:
        return render(
            request,
            "annotations/export_problem.html",
            {"message": _("Choose everyone's annotations or a curated layer.")},
            status=400,
        )
    # Otherwise `in_project` (the export page's current project) keeps the articles of that project.
    project_id = parse_id(request.POST.get("project" if layer == "curated" else "in_project"))
    if layer == "curated" and project_id is None:
        return render(
            request,
            "annotations/export_problem.html",
            {"message": _("Choose the project whose curated layer to export.")},
            status=400,
        )
    layered = {"layer": layer, "project": project_id} if layer == "curated" else {}
    if layered:
        annotator = ""
    elif project_id is not None and article_id is None:  # one article chosen by hand is exported as it is
        layered = {"project": project_id}
    if article_id is not None:
        params = {
            "format": export_format.name,
            "article": article_id,
            "annotator": annotator,
            **({"clean": "1"} if clean else {}),
            **layered,
        }
        return redirect(reverse("annotations:export_download") + "?" + urlencode(params), permanent=False)
    if annotator == "me":
        annotator = request.user.get_username()
    source = request.POST.get("source", "")
    if "\x00" in annotator or "\x00" in source:  # no name holds one, and PostgreSQL refuses NUL in a query
        return render(
            request, "annotations/export_problem.html", {"message": _("There is no outlet or user of that name.")}, status=400
        )
    query = query_or_404(request.user, source=source, annotator=annotator or None, clean=clean, **layered)  # unknown names: 404
    parameters = {"format": export_format.name, "source": source, "annotator": annotator, "clean": clean, **layered}
    job = create_export_job(user=request.user, export_format=export_format, query=query, parameters=parameters)
    _enqueue(job)
    return redirect(job)


@require_GET
def export_download(request, job_id):
    job = get_job_for(request.user, job_id)
    result = job.files.filter(role=JobFile.Role.RESULT).first() if job.kind == Job.Kind.EXPORT else None
    if job.status != Job.Status.DONE or result is None:
        context = {"job": job, "message": _("This export has no file to download (yet): it is not done, or it failed.")}
        return render(request, "jobs/problem.html", context, status=409 if job.kind == Job.Kind.EXPORT else 404)
    response = StreamingHttpResponse(storage.iter_chunks(result), content_type=job.result_type)
    response["Content-Disposition"] = f'attachment; filename="{job.result_name}"'  # ids and a date only
    response["Content-Length"] = str(result.size)
    response["Cache-Control"] = "no-store"  # the team's annotations: no browser or proxy keeps a copy
    response["X-Content-Type-Options"] = "nosniff"
    return response
