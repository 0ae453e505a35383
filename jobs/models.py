"""Background jobs: what an import or export run in a worker did, as the page and the history show it.

The task queue itself is django_tasks_db's table; a Job is Hamish's own record of the work (who, what,
progress, the report), kept after the task row is pruned. Uploads and export results live in the database
in chunks (JobFile, JobChunk), so a worker on another machine against the same PostgreSQL can read them.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

CHUNK_BYTES = 1024 * 1024  # one JobChunk row: small enough for any database's parameter, big enough to be few
# A running job whose worker has not written progress for this long is taken for dead (killed, machine lost):
# the page says so and offers to run it again. Progress is written at least every few seconds while a worker
# imports; the near-duplicate pass writes after each chunk of articles.
STALE_AFTER = timedelta(minutes=10)


class Job(models.Model):
    class Kind(models.TextChoices):
        IMPORT = "import", _("Import")
        EXPORT = "export", _("Export")
        REBUILD = "rebuild", _("Index rebuild")

    class Status(models.TextChoices):
        # In context: "Done" is also a project assignment's status, worded differently in Arabic.
        QUEUED = "queued", pgettext_lazy("job status", "Queued")
        RUNNING = "running", pgettext_lazy("job status", "Running")
        DONE = "done", pgettext_lazy("job status", "Done")
        FAILED = "failed", pgettext_lazy("job status", "Failed")
        CANCELLED = "cancelled", pgettext_lazy("job status", "Cancelled")

    ENDED = (Status.DONE, Status.FAILED, Status.CANCELLED)

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="jobs", verbose_name=_("user")
    )
    description = models.CharField(
        _("description"), max_length=300, blank=True
    )  # "batch.zip, a.txt" / "Hamish JSON of the corpus"
    parameters = models.JSONField(default=dict, blank=True)  # what the task needs to redo the work
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    phase = models.CharField(max_length=100, blank=True)  # what a running job is doing now, for the page
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # the worker's last progress write
    attempts = models.PositiveIntegerField(default=0)
    # Imports: files (archive members count one each) and their outcomes. Exports: articles written.
    files_total = models.PositiveIntegerField(_("files in all"), default=0)
    files_done = models.PositiveIntegerField(_("files done"), default=0)
    imported = models.PositiveIntegerField(pgettext_lazy("import outcome", "imported"), default=0)
    already_imported = models.PositiveIntegerField(pgettext_lazy("import outcome", "already imported"), default=0)
    rejected = models.PositiveIntegerField(pgettext_lazy("import outcome", "rejected"), default=0)
    cancel_requested = models.BooleanField(default=False)
    error = models.TextField(_("error"), blank=True)
    result_name = models.CharField(max_length=200, blank=True)  # an export's download file name
    result_type = models.CharField(max_length=100, blank=True)  # and its media type

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["kind", "-created_at"])]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"

    def get_absolute_url(self):
        return reverse("jobs:detail", args=[self.pk])

    @property
    def ended(self):
        return self.status in self.ENDED

    @property
    def is_stale(self):
        """Running, but its worker has been silent for STALE_AFTER: killed, most likely."""
        last = self.heartbeat_at or self.started_at
        return self.status == self.Status.RUNNING and last is not None and timezone.now() - last > STALE_AFTER

    @property
    def percent(self):
        return round(100 * self.files_done / self.files_total) if self.files_total else (100 if self.ended else 0)

    def summary(self):
        if self.kind == self.Kind.IMPORT:
            return gettext("%(files)s file(s): %(imported)s imported, %(already)s already imported, %(rejected)s rejected.") % {
                "files": self.files_done,
                "imported": self.imported,
                "already": self.already_imported,
                "rejected": self.rejected,
            }
        if self.kind == self.Kind.REBUILD:
            counts = {"done": self.files_done, "total": self.files_total}
            if self.parameters.get("what") == "search":
                return gettext("%(done)s of %(total)s paragraph(s) indexed.") % counts
            return gettext("%(done)s of %(total)s article(s) placed in near-duplicate families.") % counts
        return gettext("%(done)s of %(total)s article(s) written.") % {"done": self.files_done, "total": self.files_total}

    def progress_text(self):
        """The counts line under the progress bar, in the reader's language."""
        if self.kind == self.Kind.IMPORT:
            return gettext(
                "%(done)s of %(total)s file(s) done: %(imported)s imported, %(already)s already imported, %(rejected)s rejected."
            ) % {
                "done": self.files_done,
                "total": self.files_total,
                "imported": self.imported,
                "already": self.already_imported,
                "rejected": self.rejected,
            }
        return self.summary()

    def phase_display(self):
        # The worker stores the English phase (marked with gettext_noop where it is set); the page translates it.
        return gettext(self.phase) if self.phase else ""

    def is_visible_to(self, user):
        return user.is_superuser or self.user_id == user.pk


class JobFile(models.Model):
    """One uploaded file of an import, or an export's result, stored as ordered chunks."""

    class Role(models.TextChoices):
        UPLOAD = "upload"
        RESULT = "result"

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="files")
    role = models.CharField(max_length=8, choices=Role.choices)
    position = models.PositiveIntegerField()
    name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["job", "role", "position"]
        constraints = [models.UniqueConstraint(fields=["job", "role", "position"], name="jobfile_unique_position")]


class JobChunk(models.Model):
    file = models.ForeignKey(JobFile, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["file", "index"], name="jobchunk_unique_index")]


class JobRow(models.Model):
    """One line of an import's report (corpus.importing's FileOutcome), written as the worker reaches it."""

    # corpus.importing's outcome statuses, stored in English (the report's CSS classes are made from them).
    STATUS_LABELS = {
        "imported": pgettext_lazy("import outcome", "imported"),
        "already imported": pgettext_lazy("import outcome", "already imported"),
        "rejected": pgettext_lazy("import outcome", "rejected"),
    }

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="rows")
    position = models.PositiveIntegerField()
    name = models.TextField()
    status = models.CharField(max_length=32)
    message = models.TextField()
    article = models.ForeignKey("corpus.Article", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    notes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["job", "position"]
        constraints = [models.UniqueConstraint(fields=["job", "position"], name="jobrow_unique_position")]

    def status_display(self):
        return self.STATUS_LABELS.get(self.status, self.status)
