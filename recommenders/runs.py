"""Claiming a training run of a project's recommender: by the retrain trigger (every N new spans) or a manager's
"Train now", never two at once, and a dead run (its worker killed) never blocking the next.

The trigger costs two queries per span written, whatever the corpus holds: one UPDATE adding the span to the
counter of every project holding its article, one conditional UPDATE claiming a run where the counter reached
HAMISH_RECOMMENDER_RETRAIN_EVERY (and a third, reading which projects were claimed, only when one was).
Bulk imports, which write spans without signals, add their counts in one UPDATE (count_imported_spans).
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.utils import timezone

from projects.models import Project

from .models import Recommender

DEFAULT_TIMEOUT = 3600  # seconds: HAMISH_RECOMMENDER_TRAINING_TIMEOUT, if settings do not say


def timeout():
    return timedelta(seconds=getattr(settings, "HAMISH_RECOMMENDER_TRAINING_TIMEOUT", DEFAULT_TIMEOUT))


def _db_tasks():
    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    return backend.startswith("django_tasks_db.")


def busy_statuses():
    return [Recommender.Status.QUEUED, Recommender.Status.TRAINING]


def dead_condition(now=None):
    """A Q for a run queued or training that no worker will finish: older than the timeout, or its task
    (in django_tasks_db) finished or gone while the row still says it is under way."""
    now = now or timezone.now()
    dead = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - timeout())
    if _db_tasks():
        from django_tasks_db.models import DBTaskResult

        alive = DBTaskResult.objects.filter(id=OuterRef("task_id"), status__in=["READY", "RUNNING"])
        dead |= Q(task_id__isnull=False) & ~Exists(alive)
    return Q(status__in=busy_statuses()) & dead


def claimable(now=None):
    return Q(status__in=[Recommender.Status.IDLE, Recommender.Status.FAILED]) | dead_condition(now)


def is_stalled(recommender, now=None):
    """Is this row's run dead (shown as "stalled" on the managers' page)?"""
    return Recommender.objects.filter(dead_condition(now), pk=recommender.pk).exists()


def _claim(rows):
    """Claim a run on these rows (a queryset): one conditional UPDATE. Returns the run's id, or None when no
    row could be claimed (a live run already queued or training)."""
    now = timezone.now()
    run = uuid.uuid4()
    claimed = rows.filter(claimable(now)).update(
        status=Recommender.Status.QUEUED, run=run, claimed_at=now, task_id=None, spans_since_training=0, error=""
    )
    return run if claimed else None


def _enqueue(run, user_id=None):
    from .tasks import train_recommender

    for project_id in list(Recommender.objects.filter(run=run).values_list("project_id", flat=True)):
        result = train_recommender.enqueue(project_id, user_id, str(run))
        if _db_tasks():
            Recommender.objects.filter(project_id=project_id, run=run, task_id__isnull=True).update(task_id=result.id)


def request_training(project, user=None):
    """A manager's "Train now": queue a run unless a live one is queued or training. Returns True when queued."""
    Recommender.objects.get_or_create(project=project)
    run = _claim(Recommender.objects.filter(project=project))
    if run is None:
        return False
    transaction.on_commit(lambda: _enqueue(run, user.pk if user else None))
    return True


def _holding(article_ids):
    return Project.articles.through.objects.filter(article_id__in=article_ids).values("project_id")


def _claim_due(rows):
    run = _claim(rows.filter(enabled=True, spans_since_training__gte=settings.HAMISH_RECOMMENDER_RETRAIN_EVERY))
    if run is not None:
        _enqueue(run)


def count_new_span(paragraph_id):
    """A span was made in this paragraph (after its transaction committed): count it, claim any run due."""
    holding = Project.articles.through.objects.filter(article__paragraphs=paragraph_id).values("project_id")
    rows = Recommender.objects.filter(project_id__in=holding)
    if rows.filter(enabled=True).update(spans_since_training=F("spans_since_training") + 1):
        _claim_due(rows)


def count_imported_spans(new_spans):
    """{article id: spans an import made there}: each project holding some of the articles gets their sum, in
    one UPDATE; then any run due is claimed."""
    per_project = {}
    for project_id, article_id in Project.articles.through.objects.filter(article_id__in=list(new_spans)).values_list(
        "project_id", "article_id"
    ):
        per_project[project_id] = per_project.get(project_id, 0) + new_spans[article_id]
    if not per_project:
        return
    rows = Recommender.objects.filter(project_id__in=list(per_project))
    added = Case(*(When(project_id=pk, then=Value(n)) for pk, n in per_project.items()), default=Value(0))
    rows.filter(enabled=True).update(spans_since_training=F("spans_since_training") + added)
    _claim_due(rows)
