"""Predictions: what a model (another tool's, or the built-in CRF) proposes in a project's articles.

Predictions are suggestions, never annotations: they live in their own table, are offered in the reading view
beside the entity-name suggestions (annotations.suggestions), and become a Span only when an analyst accepts
one, through the same service as a typed span (AcceptedPrediction then records which model proposed it).
Exports read spans only, so a prediction is never exported until it is accepted.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from annotations.models import Label, Span
from corpus.models import Paragraph
from projects.models import Project

BUILTIN_MODEL = "hamish-crf"  # the name the built-in sequence labeller's predictions carry


class PredictionBatch(models.Model):
    """One file of predictions (or one run of the built-in model): imported whole, or refused whole."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        DONE = "done", _("imported")
        REFUSED = "refused", _("refused")
        FAILED = "failed", _("failed")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="prediction_batches", verbose_name=_("project"))
    model_name = models.CharField(_("model"), max_length=100)
    format = models.CharField(_("format"), max_length=20, blank=True)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("imported by"),
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    count = models.PositiveIntegerField(_("predictions"), default=0)
    # A large upload waits here for the worker (recommenders.tasks.import_batch), and is cleared once read.
    payload = models.BinaryField(null=True, blank=True, editable=False)
    parameters = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["-imported_at", "-pk"]
        verbose_name = _("prediction batch")
        verbose_name_plural = _("prediction batches")

    def __str__(self):
        return f"{self.model_name} #{self.pk} ({self.status})"


class Prediction(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="predictions")
    batch = models.ForeignKey(PredictionBatch, on_delete=models.CASCADE, related_name="predictions")
    paragraph = models.ForeignKey(Paragraph, on_delete=models.CASCADE, related_name="predictions")
    start = models.PositiveIntegerField(help_text=_("Code point offset in the NFC paragraph text (inclusive)."))
    end = models.PositiveIntegerField(help_text=_("Code point offset in the NFC paragraph text (exclusive)."))
    label = models.ForeignKey(Label, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(help_text=_("The model's confidence, from 0 to 1."))
    model_name = models.CharField(max_length=100)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paragraph", "start", "-end", "-score", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="prediction_start_before_end"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=1), name="prediction_score_range"),
        ]
        indexes = [models.Index(fields=["paragraph", "project"]), models.Index(fields=["project", "model_name"])]

    def __str__(self):
        return f"{self.model_name}: {self.label.name} {self.start}-{self.end} ({self.score:.2f})"


class AcceptedPrediction(models.Model):
    """A span made by accepting a model's suggestion: which model proposed it, with what score."""

    span = models.OneToOneField(Span, on_delete=models.CASCADE, related_name="accepted_prediction")
    prediction = models.ForeignKey(Prediction, null=True, on_delete=models.SET_NULL, related_name="acceptances")
    model_name = models.CharField(max_length=100)
    score = models.FloatField()
    accepted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"span {self.span_id} from {self.model_name} ({self.score:.2f})"


class PredictionFilter(models.Model):
    """Which models' suggestions an analyst sees, and from what score (the reading view's panel controls)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="prediction_filter")
    model_name = models.CharField(max_length=100, blank=True)  # "" every model; "-" none
    min_score = models.FloatField(default=0.5)


class Recommender(models.Model):
    """The built-in sequence labeller of one project: its trained CRF and when to train it again.

    One row per project (made with the project), also the retrain trigger's counter: each new span adds one
    to `spans_since_training` in one UPDATE, and a conditional UPDATE claims a run (status "queued", a new
    `run`) once it reaches HAMISH_RECOMMENDER_RETRAIN_EVERY, so two writers never both queue a training.
    A run queued or training for longer than HAMISH_RECOMMENDER_TRAINING_TIMEOUT seconds (default 3600), or
    whose task the worker's table records as finished or does not hold, is dead (a worker killed mid-run):
    the page says "stalled" and the next trigger or "Train now" claims a new run; the old one, if it ever
    wakes, finds its run replaced and stores nothing.
    """

    class Status(models.TextChoices):
        IDLE = "idle", _("idle")
        QUEUED = "queued", _("queued")
        TRAINING = "training", _("training")
        FAILED = "failed", _("failed")

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="recommender")
    enabled = models.BooleanField(default=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.IDLE)
    model_bytes = models.BinaryField(null=True, blank=True, editable=False)
    trained_at = models.DateTimeField(null=True, blank=True)
    spans_since_training = models.PositiveIntegerField(default=0)
    trained_on = models.JSONField(default=dict, blank=True)  # articles, spans, tokens, seconds
    error = models.TextField(blank=True)
    run = models.UUIDField(null=True, blank=True, editable=False)  # the run queued or training now
    claimed_at = models.DateTimeField(null=True, blank=True)  # when it was queued, then when it began
    task_id = models.UUIDField(null=True, blank=True, editable=False)  # its django_tasks_db result, if any

    def __str__(self):
        return f"recommender of {self.project}"
