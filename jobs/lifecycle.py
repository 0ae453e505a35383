"""A job's life as every task lives it: claimed once, progress written in small transactions, ended once."""

import logging
import time

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import storage
from .models import Job, JobRow

logger = logging.getLogger(__name__)

FLUSH_SECONDS = 0.5  # progress reaches the page (and the cancel flag the worker) at least this often
FLUSH_ROWS = 200  # ...or after this many report rows, whichever comes first


def claim(job_id):
    """The job, now running, if it was queued; None if it is gone, cancelled or taken by another worker."""
    now = timezone.now()
    with transaction.atomic():
        taken = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
            status=Job.Status.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1
        )
    return Job.objects.get(pk=job_id) if taken else None


def finish(job, status, error=""):
    """End the job (once): its uploads are deleted, an export's result kept only when it is done."""
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).update(
            status=status, error=error[:5000], finished_at=timezone.now(), heartbeat_at=timezone.now(), phase=""
        )
        storage.delete_files(job, role="upload")
        if status != Job.Status.DONE:
            storage.delete_files(job, role="result")
    job.refresh_from_db()


def requeue(job):
    """Put an ended-or-dead job back in the queue from the start (report and counters cleared). The caller
    enqueues the task. False when the job cannot run again (an import whose uploads were already deleted)."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        if job.kind == Job.Kind.IMPORT and not job.files.filter(role="upload").exists():
            return False
        if not (job.is_stale or job.status == Job.Status.FAILED):
            return False
        JobRow.objects.filter(job=job).delete()
        storage.delete_files(job, role="result")
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.QUEUED,
            started_at=None,
            finished_at=None,
            heartbeat_at=None,
            error="",
            phase="",
            files_done=0,
            imported=0,
            already_imported=0,
            rejected=0,
            cancel_requested=False,
        )
    return True


def request_cancel(job):
    """A queued job ends here and now; a running one is told to stop (the worker stops between two files)."""
    with transaction.atomic():
        if Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
            status=Job.Status.CANCELLED, finished_at=timezone.now(), cancel_requested=True
        ):
            storage.delete_files(job)
        else:
            Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(cancel_requested=True)


class Progress:
    """Counters and report rows gathered in memory and written every FLUSH_SECONDS or FLUSH_ROWS rows, each
    write its own short transaction (SQLite has one writer: the import's batches must not wait on us)."""

    COUNTERS = ("files_total", "files_done", "imported", "already_imported", "rejected")

    def __init__(self, job):
        self.job = job
        self.counts = {name: getattr(job, name) for name in self.COUNTERS}
        self.rows = []
        self.next_position = 0
        self.cancelled = False
        self.phase = None
        self._flushed_at = time.monotonic()

    def add(self, **increments):
        for name, value in increments.items():
            self.counts[name] += value
        self.maybe_flush()

    def add_row(self, *, name, status, message, article_id=None, notes=()):
        self.rows.append(
            JobRow(
                job=self.job,
                position=self.next_position,
                name=name,
                status=status,
                message=message,
                article_id=article_id,
                notes=list(notes),
            )
        )
        self.next_position += 1
        self.maybe_flush()

    def set_phase(self, phase):
        self.phase = phase
        self.flush()

    def maybe_flush(self):
        if len(self.rows) >= FLUSH_ROWS or time.monotonic() - self._flushed_at >= FLUSH_SECONDS:
            self.flush()

    def flush(self):
        rows, self.rows = self.rows, []
        self.counts["files_total"] = max(self.counts["files_total"], self.counts["files_done"])
        changes = {**self.counts, "heartbeat_at": timezone.now()}
        if self.phase is not None:
            changes["phase"] = self.phase
        with transaction.atomic():
            JobRow.objects.bulk_create(rows)
            Job.objects.filter(pk=self.job.pk).update(**changes)
            self.cancelled = Job.objects.filter(pk=self.job.pk, cancel_requested=True).exists()
        self._flushed_at = time.monotonic()
        return self.cancelled
