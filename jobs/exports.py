"""Exports of more than one article as background jobs: the worker writes the file into the database in
chunks, and its owner downloads it from there (jobs.views.export_download) once the job is done."""

import logging
import tempfile

from django.tasks import task
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.preferences import language_of
from annotations.interchange.formats import FORMATS, export_filename
from annotations.interchange.selection import SelectionError, build_query
from hamish.bidi import isolate

from . import lifecycle, storage
from .models import CHUNK_BYTES, Job, JobFile

logger = logging.getLogger(__name__)


def describe(export_format, query):
    """What the job list says the export is, in the language of the request that queues it."""
    scope = query.description.get("articles", "corpus")
    if scope == "corpus":
        what = _("the corpus")
    elif scope.startswith("source:"):
        what = _("outlet %(name)s") % {"name": isolate(scope.removeprefix("source:"))}
    elif scope.startswith("article:"):
        what = _("article %(number)s") % {"number": scope.removeprefix("article:")}
    else:
        what = isolate(scope)
    text = _("%(format)s of %(what)s") % {"format": export_format.title, "what": what}
    if query.annotator:
        text = _("%(export)s, %(user)s's annotations") % {"export": text, "user": isolate(query.annotator.get_username())}
    if query.clean:
        text = _("%(export)s, clean text") % {"export": text}
    return text[:300]


def create_export_job(*, user, export_format, query, parameters):
    return Job.objects.create(
        kind=Job.Kind.EXPORT,
        user=user,
        description=describe(export_format, query),
        parameters=parameters,
        result_name=export_filename(export_format, query),
        result_type=f"{export_format.media_type}; charset=utf-8",
    )


@task()
def run_export(job_id):
    job = lifecycle.claim(job_id)
    if job is None:
        return
    with translation.override(language_of(job.user)):  # the job's page speaks its owner's language
        _export(job)


def _export(job):
    job_id = job.pk
    try:
        params = job.parameters
        export_format = FORMATS[params["format"]]
        try:
            query = build_query(
                job.user,
                article=params.get("article"),
                source=params.get("source") or None,
                annotator=params.get("annotator") or None,
                clean=bool(params.get("clean")),
                layer=params.get("layer") or "all",
                project=params.get("project"),
            )
        except SelectionError as exc:  # the outlet or the annotator was deleted since the job was queued
            lifecycle.finish(job, Job.Status.FAILED, error=str(exc))
            return
        progress = lifecycle.Progress(job)
        progress.counts["files_total"] = query.articles.count()
        progress.set_phase(gettext_noop("Writing the export"))

        def on_article(_article_id):
            progress.add(files_done=1)

        # Spooled on the worker's own disk while the export reads the database, then copied into chunks:
        # writing chunk rows between the export's reads would hold the write lock for the whole export.
        with tempfile.SpooledTemporaryFile(max_size=CHUNK_BYTES) as spool:
            for piece in export_format.chunks(query, user=job.user, on_article=on_article):
                spool.write(piece.encode("utf-8"))
                if progress.cancelled:
                    lifecycle.finish(job, Job.Status.CANCELLED)
                    return
            if progress.flush():
                lifecycle.finish(job, Job.Status.CANCELLED)
                return
            progress.set_phase(gettext_noop("Storing the file"))
            spool.seek(0)
            storage.store_stream(job, JobFile.Role.RESULT, 0, job.result_name, spool)
        lifecycle.finish(job, Job.Status.DONE)
    except Exception as exc:
        logger.exception("Export job %s failed", job_id)
        lifecycle.finish(
            job,
            Job.Status.FAILED,
            error=_("The export stopped on an internal error (%(error)s); it is logged for the administrators.")
            % {"error": type(exc).__name__},
        )
        raise
