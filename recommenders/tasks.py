"""Background work (django.tasks on the database backend; `manage.py db_worker` runs it): importing a large
prediction file, and training a project's recommender."""

import logging

from django.tasks import task

from .models import PredictionBatch, Recommender

logger = logging.getLogger(__name__)


@task()
def import_batch(batch_id):
    from .importing import run_batch

    batch = PredictionBatch.objects.select_related("project").filter(pk=batch_id, status=PredictionBatch.Status.QUEUED).first()
    if batch is None:
        return
    try:
        run_batch(batch)
    except Exception as exc:
        logger.exception("Prediction import %s failed", batch_id)
        PredictionBatch.objects.filter(pk=batch_id).update(
            status=PredictionBatch.Status.FAILED, problems=[f"Internal error ({type(exc).__name__}); logged."], payload=None
        )
        raise


@task()
def train_recommender(project_id, user_id=None, run=None):
    """Train a project's recommender; `run` is the id of the claimed run (recommenders.runs)."""
    from django.contrib.auth import get_user_model

    from projects.models import Project

    from .training import train_project

    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    try:
        train_project(project, user=user, run=run)
    except Exception as exc:
        logger.exception("Training the recommender of project %s failed", project_id)
        rows = Recommender.objects.filter(project_id=project_id)
        if run is not None:
            rows = rows.filter(run=run)
        rows.update(status=Recommender.Status.FAILED, run=None, task_id=None, error=type(exc).__name__)
        raise


def request_training(project, user=None):
    """Queue a training run now unless a live one is queued or training (see recommenders.runs)."""
    from .runs import request_training as claim

    return claim(project, user)
