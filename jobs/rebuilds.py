"""Rebuilds of the derived indexes as background jobs, started by an administrator from the page
(jobs.views_rebuild), with progress like imports: the search index, the near-duplicate families, or only the
near-duplicate pass over the queued articles (what an interrupted import left).

The work is corpus.search.rebuild and corpus.duplicates' pass, each in batches of its own transactions. A
search rebuild writes the id of its last committed batch into the job's parameters, so a job whose worker died
and is run again goes on from there instead of starting over; a near-duplicate rebuild queues every article
first (one transaction), so running it again only finishes the queue. Cancelling stops between two batches.
"""

import logging

from django.db import transaction
from django.tasks import task
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.preferences import language_of
from corpus import duplicates, search
from corpus.models import Article, Paragraph

from . import lifecycle
from .models import Job

logger = logging.getLogger(__name__)

SEARCH, DUPLICATES, PENDING = "search", "duplicates", "pending"
WHAT = {
    SEARCH: gettext_noop("Search index"),
    DUPLICATES: gettext_noop("Near-duplicate families"),
    PENDING: gettext_noop("Near-duplicate pass over the queued articles"),
}


def active():
    """The rebuild job queued or running now, if any (one at a time: two would redo each other's work)."""
    return Job.objects.filter(kind=Job.Kind.REBUILD, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).first()


def create_rebuild_job(*, user, what):
    """A queued rebuild Job (`what`: SEARCH, DUPLICATES or PENDING); the caller enqueues it."""
    if what not in WHAT:
        raise ValueError(what)
    with transaction.atomic():
        # Described in the language of the person who asked, as an import's report is written.
        with translation.override(language_of(user)):
            description = _(WHAT[what])
        return Job.objects.create(kind=Job.Kind.REBUILD, user=user, description=description, parameters={"what": what})


def _save_parameters(job, **changes):
    job.parameters = {**job.parameters, **changes}
    Job.objects.filter(pk=job.pk).update(parameters=job.parameters)


@task()
def run_rebuild(job_id):
    job = lifecycle.claim(job_id)
    if job is None:
        return
    with translation.override(language_of(job.user)):
        _rebuild(job)


def _rebuild(job):
    what = job.parameters.get("what")
    try:
        progress = lifecycle.Progress(job)
        if what == SEARCH:
            _search(job, progress)
        elif what in (DUPLICATES, PENDING):
            _duplicates(job, progress, everything=what == DUPLICATES)
        else:
            raise ValueError(f"unknown rebuild {what!r}")
        progress.flush()
        lifecycle.finish(job, Job.Status.CANCELLED if progress.cancelled else Job.Status.DONE)
    except Exception as exc:
        logger.exception("Rebuild job %s failed", job.pk)
        lifecycle.finish(
            job,
            Job.Status.FAILED,
            error=_(
                "The rebuild stopped on an internal error (%(error)s); what it did before is kept, and running it "
                "again goes on from there. The error is logged for the administrators."
            )
            % {"error": type(exc).__name__},
        )
        raise


class _Stop(Exception):
    pass


def _search(job, progress):
    after = job.parameters.get("after")  # set: a run of this job stopped after that paragraph
    progress.counts["files_total"] = Paragraph.objects.count()
    progress.counts["files_done"] = Paragraph.objects.filter(pk__lte=after).count() if after else 0
    progress.set_phase(gettext_noop("Indexing paragraphs for search"))

    def batch_done(paragraphs, last):
        _save_parameters(job, after=last)
        progress.counts["files_done"] += paragraphs
        if progress.flush():
            raise _Stop

    try:
        search.rebuild(progress=batch_done, after=after)
    except _Stop:
        pass


def _duplicates(job, progress, *, everything):
    if everything and not job.parameters.get("queued"):
        progress.counts["files_total"] = Article.objects.count()
        progress.set_phase(gettext_noop("Queueing every article"))
        duplicates.queue_all()
        _save_parameters(job, queued=True)  # from now on a run again only finishes the queue
    progress.counts["files_total"] = progress.counts["files_done"] + duplicates.pending_count()
    progress.set_phase(gettext_noop("Finding near-duplicate paragraphs"))
    duplicates.process_pending(
        progress=lambda articles: progress.counts.__setitem__("files_done", progress.counts["files_done"] + articles),
        stop=progress.flush,
    )
