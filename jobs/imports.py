"""Imports from the page as background jobs: the uploads are stored in the database, a worker imports them.

The worker reads each stored upload the way corpus.importing reads uploads (a .zip member by member, one
member in memory), calls the same import_files() service with a report callback, and writes the counters
and report rows as they come. import_files saves in per-batch transactions, so a killed worker leaves only
whole articles: running the job again skips those (same content hash: "already imported").
"""

import logging
import zipfile
from pathlib import PurePosixPath

from django.db import transaction
from django.tasks import task
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.preferences import language_of
from corpus import duplicates
from corpus.importing import import_files
from corpus.importing.decoding import describe_size
from corpus.importing.files import ARCHIVE_SUFFIXES, ImportLimits, IncomingFile, iter_archive, read_at_most
from corpus.models import Article

from . import lifecycle, storage
from .models import Job, JobFile

logger = logging.getLogger(__name__)

# Articles per saved batch: smaller than the page's old 500 so report rows (which an article gets only once its
# batch commits) reach the progress bar every few seconds; bigger would be faster and jumpier.
JOB_BATCH_SIZE = 200
CONLL_SUFFIXES = {".conll", ".bio", ".iob"}  # imported by the annotation importer, each file on its own (not from a .zip)


def create_import_job(*, user, uploads, source_name, bad_lines="refuse"):
    """A queued import Job holding `uploads` (Django UploadedFiles) in the database; the caller enqueues it.
    `bad_lines`: what a CoNLL file's bad lines get (refuse, repair or skip: annotations/interchange/conll)."""
    names = [PurePosixPath((upload.name or "upload").replace("\\", "/")).name or "upload" for upload in uploads]
    description = ", ".join(names)
    if len(description) > 300:
        description = description[:280] + f"… ({len(names)} files)"
    with transaction.atomic():
        job = Job.objects.create(
            kind=Job.Kind.IMPORT,
            user=user,
            description=description,
            parameters={"source": source_name, "bad_lines": bad_lines},
            files_total=len(uploads),
        )
        for position, (name, upload) in enumerate(zip(names, uploads)):
            upload.seek(0)
            storage.store_stream(job, JobFile.Role.UPLOAD, position, name, upload)
    return job


def _count_members(stored):
    """Report lines a stored upload will give at most (the progress bar's total)."""
    if PurePosixPath(stored.name).suffix.lower() not in ARCHIVE_SUFFIXES:
        return 1
    try:
        with zipfile.ZipFile(storage.ChunkReader(stored)) as archive:
            return max(1, sum(1 for info in archive.infolist() if not info.is_dir()))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        return 1


def _incoming(job, progress, limits):
    """IncomingFiles from the job's stored uploads; stops (between two files) once a cancel is seen."""
    for stored in job.files.filter(role=JobFile.Role.UPLOAD).order_by("position"):
        if PurePosixPath(stored.name).suffix.lower() in CONLL_SUFFIXES:
            if progress.cancelled:
                return
            _import_conll(job, stored, progress, limits)
            continue
        if PurePosixPath(stored.name).suffix.lower() in ARCHIVE_SUFFIXES:
            files = iter_archive(stored.name, storage.ChunkReader(stored), limits)
        elif stored.size > limits.max_file_bytes:
            files = iter(
                [
                    IncomingFile(
                        stored.name,
                        error=_("The file is %(size)s; the limit is %(limit)s.")
                        % {"size": describe_size(stored.size), "limit": describe_size(limits.max_file_bytes)},
                    )
                ]
            )
        else:
            files = iter([IncomingFile(stored.name, data=read_at_most(storage.ChunkReader(stored), limits.max_file_bytes))])
        for incoming in files:
            if progress.cancelled:
                return
            yield incoming
            progress.maybe_flush()


def _import_conll(job, stored, progress, limits):
    """A CoNLL / BIO upload: new articles with the file's entities as the user's spans, imported whole or not at
    all by the annotation importer; its report line says what was detected, repaired or skipped, or every problem."""
    from types import SimpleNamespace

    from annotations.interchange.loading import AnnotationImportError, document_from_file, import_document

    record = _on_outcome(progress)

    def rejected(message, notes=()):
        record(SimpleNamespace(name=stored.name, status="rejected", message=message, article_id=None, notes=list(notes)))

    if not job.user.has_perm("annotations.add_span"):
        return rejected(_("You may not import annotations."))
    if stored.size > limits.max_file_bytes:
        limit = {"size": describe_size(stored.size), "limit": describe_size(limits.max_file_bytes)}
        return rejected(_("The file is %(size)s; the limit is %(limit)s.") % limit)
    try:
        document = document_from_file(
            read_at_most(storage.ChunkReader(stored), limits.max_file_bytes),
            format="conll",
            annotator=job.user.get_username(),
            source_name=job.parameters.get("source", ""),
            filename=stored.name,
            bad_lines=job.parameters.get("bad_lines", "refuse"),
        )
        report = import_document(document, user=job.user)
    except AnnotationImportError as exc:
        return rejected(_("Not imported; nothing was changed."), exc.problems)
    first = Article.objects.filter(content_hash=document["articles"][0]["content_hash"]).values_list("pk", flat=True).first()
    status = "imported" if report.counts["articles created"] else "already imported"
    record(SimpleNamespace(name=stored.name, status=status, message=report.summary(), article_id=first, notes=report.notes))


def _on_outcome(progress):
    counter = {"imported": "imported", "already imported": "already_imported", "rejected": "rejected"}

    def record(outcome):
        progress.counts[counter.get(outcome.status, "rejected")] += 1
        progress.counts["files_done"] += 1
        progress.add_row(
            name=outcome.name, status=outcome.status, message=outcome.message, article_id=outcome.article_id, notes=outcome.notes
        )

    return record


@task()
def run_import(job_id):
    job = lifecycle.claim(job_id)
    if job is None:
        return
    # The report's lines are written now, in the language of the person who asked for the import.
    with translation.override(language_of(job.user)):
        _import(job)


def _import(job):
    job_id = job.pk
    try:
        progress = lifecycle.Progress(job)
        progress.counts["files_total"] = sum(map(_count_members, job.files.filter(role=JobFile.Role.UPLOAD)))
        progress.set_phase(gettext_noop("Importing files"))
        import_files(
            _incoming(job, progress, ImportLimits.from_settings()),
            user=job.user,
            source_name=job.parameters.get("source", ""),
            on_outcome=_on_outcome(progress),
            batch_size=JOB_BATCH_SIZE,
            near_duplicates=False,
        )
        if progress.flush():
            # What was saved stays (whole articles); the near-duplicate pass picks them up next time it runs.
            lifecycle.finish(job, Job.Status.CANCELLED)
            return
        progress.set_phase(gettext_noop("Finding near-duplicate paragraphs"))
        duplicates.process_pending(progress=lambda articles: progress.flush())
        progress.counts["files_total"] = progress.counts["files_done"]  # the count before was an upper bound
        progress.flush()
        lifecycle.finish(job, Job.Status.DONE)
    except Exception as exc:
        logger.exception("Import job %s failed", job_id)
        lifecycle.finish(
            job,
            Job.Status.FAILED,
            error=_(
                "The import stopped on an internal error (%(error)s); "
                "the articles saved before it are kept. The error is logged for the administrators."
            )
            % {"error": type(exc).__name__},
        )
        raise
