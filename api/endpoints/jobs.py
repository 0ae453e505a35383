"""Background jobs through the API: imports (files, or one article as JSON), exports, a job's status, and an
export's file. Each reuses the jobs app's functions: the same stored uploads, the same tasks, the same checks."""

import json
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import StreamingHttpResponse
from django.utils.datastructures import MultiValueDict
from ninja import Body, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from annotations.interchange.formats import FORMATS
from annotations.interchange.selection import LAYERS, SelectionError, build_query
from corpus.forms import ImportForm
from hamish.bidi import strip_isolates
from jobs import storage
from jobs.exports import create_export_job
from jobs.imports import create_import_job
from jobs.models import Job, JobFile
from jobs.views import IMPORT_PERMISSION, TASKS, get_job_for

from ..errors import error_response
from ..schemas import ERRORS, Error, Id, text

router = Router(tags=["jobs"])
REPORT_ROWS = 100  # the status holds the first rows of an import's report; the job's page has them all


class RowOut(Schema):
    name: str
    status: str
    message: str
    article: int | None


class JobOut(Schema):
    id: int
    kind: str
    status: str
    phase: str
    description: str
    files_total: int
    files_done: int
    imported: int
    already_imported: int
    rejected: int
    error: str
    created_at: datetime
    finished_at: datetime | None
    stale: bool
    rows: list[RowOut]
    file_url: str | None


def job_out(job):
    rows = job.rows.order_by("position")[:REPORT_ROWS] if job.kind == Job.Kind.IMPORT else []
    done_export = job.kind == Job.Kind.EXPORT and job.status == Job.Status.DONE
    return {
        "id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "phase": job.phase,
        "description": job.description,
        "files_total": job.files_total,
        "files_done": job.files_done,
        "imported": job.imported,
        "already_imported": job.already_imported,
        "rejected": job.rejected,
        "error": job.error,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "stale": job.is_stale,
        "rows": [
            {"name": r.name, "status": r.status, "message": strip_isolates(r.message), "article": r.article_id} for r in rows
        ],
        "file_url": f"/api/v1/exports/{job.pk}/file" if done_export else None,
    }


def _queued(job):
    TASKS[job.kind].enqueue(job.pk)  # after the job and its files are committed: a worker elsewhere must find them
    job.refresh_from_db()
    return Status(202, job_out(job))


def _check_import_permission(user):
    if not user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied("Only accounts that may add articles may import.")


@router.post("/imports", response={202: JobOut, **ERRORS}, summary="Import files (text, HTML, article JSON, .zip) as a job")
def import_files(request, files: File[list[UploadedFile]], source: Form[text(200)] = ""):
    _check_import_permission(request.user)
    form = ImportForm(data={"source": source}, files=request.FILES)
    if not form.is_valid():
        raise ValidationError([message for messages in form.errors.values() for message in messages])
    return _queued(
        create_import_job(user=request.user, uploads=form.cleaned_data["files"], source_name=form.cleaned_data["source"])
    )


@router.post(
    "/imports/article",
    response={202: JobOut, **ERRORS},
    summary="Import one article given as article JSON (title, source, paragraphs or text, ...) as a job",
)
def import_article(request, article: Body[dict[str, Any]]):
    _check_import_permission(request.user)
    # Stored as the file it would be: the worker checks it as it checks any article JSON (one set of rules).
    data = json.dumps(article, ensure_ascii=False).encode("utf-8")
    upload = SimpleUploadedFile("article.json", data, content_type="application/json")
    form = ImportForm(data={"source": ""}, files=MultiValueDict({"files": [upload]}))
    if not form.is_valid():
        raise ValidationError([message for messages in form.errors.values() for message in messages])
    return _queued(create_import_job(user=request.user, uploads=[upload], source_name=""))


@router.get("/jobs/{job_id}", response={200: JobOut, **ERRORS}, summary="A job's status (and an import's report)")
def read_job(request, job_id: Id):
    return job_out(get_job_for(request.user, job_id))


class ExportIn(Schema):
    format: text(20, description=f"One of {', '.join(FORMATS)}.") = "hamish"
    article: Id | None = None
    source: text(200, description="An outlet's name.") | None = None
    annotator: text(150, description="A user name: only their annotations.") | None = None
    clean: bool = False
    layer: text(10, description="all (everyone's annotations) or curated (one project's curated layer).") = "all"
    project: Id | None = None


@router.post("/exports", response={202: JobOut, **ERRORS}, summary="Start an export job")
def start_export(request, payload: ExportIn):
    export_format = FORMATS.get(payload.format)
    if export_format is None:
        raise ValidationError(f"Unknown export format {payload.format!r}; choose one of {', '.join(FORMATS)}.")
    if payload.layer not in LAYERS:
        raise ValidationError("Choose everyone's annotations (all) or a curated layer (curated).")
    if payload.layer == "curated" and payload.project is None:
        raise ValidationError("Choose the project whose curated layer to export.")
    annotator = "" if payload.layer == "curated" else (payload.annotator or "")
    if annotator == "me":
        annotator = request.user.get_username()
    try:
        query = build_query(
            request.user,
            article=payload.article,
            source=payload.source or None,
            annotator=annotator or None,
            clean=payload.clean,
            layer=payload.layer,
            project=payload.project,
        )
    except SelectionError as exc:  # an unknown (or unreadable) article, outlet, user or project: as the page, 404
        return Status(404, {"error": {"code": "not_found", "message": str(exc), "details": None}})
    parameters = {
        "format": export_format.name,
        "article": payload.article,
        "source": payload.source or "",
        "annotator": annotator,
        "clean": payload.clean,
        "layer": payload.layer,
        "project": payload.project,
    }
    return _queued(create_export_job(user=request.user, export_format=export_format, query=query, parameters=parameters))


@router.get("/exports/{job_id}/file", response={200: None, 409: Error, **ERRORS}, summary="Download a finished export")
def export_file(request, job_id: Id):
    job = get_job_for(request.user, job_id)
    result = job.files.filter(role=JobFile.Role.RESULT).first() if job.kind == Job.Kind.EXPORT else None
    if job.kind != Job.Kind.EXPORT:
        return error_response(404, "This job is not an export.")
    if job.status != Job.Status.DONE or result is None:
        return error_response(409, f"This export has no file (yet): it is {job.status}.", code="not_ready")
    response = StreamingHttpResponse(storage.iter_chunks(result), content_type=job.result_type)
    response["Content-Disposition"] = f'attachment; filename="{job.result_name}"'  # ids and a date only
    response["Content-Length"] = str(result.size)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
