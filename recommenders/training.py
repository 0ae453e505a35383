"""Training a project's built-in recommender on its spans, and storing what it proposes as predictions.

What it learns from: every article of the project that has at least one span of the project's labels (by
anyone; the curated layer's too), all its paragraphs (an article someone annotated is taken as read through:
its untagged words are examples of "no name here"). Where analysts' spans overlap, the one most of them made
wins, then the longest (crf.non_overlapping).

What it proposes: spans in every paragraph of the project's articles (the newest
HAMISH_RECOMMENDER_MAX_ARTICLES of them), stored as the predictions of the model
"hamish-crf" (the last run's replace the run before's; spans accepted from them keep the model's name).
"""

import logging
import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from annotations.models import Label, Span
from annotations.suggestions import EntityIndex
from corpus.models import Paragraph

from . import crf
from .models import BUILTIN_MODEL, Prediction, PredictionBatch, Recommender

logger = logging.getLogger(__name__)


def project_labels(project):
    labels = list(project.labels.all())
    return labels or list(Label.objects.all())


def examples_of(project, *, articles=None):
    """[(paragraph text, [(start, end, label name, votes)])] of the project's annotated articles (or of
    `articles`, a list of article ids, when given)."""
    labels = {label.pk: label.name for label in project_labels(project)}
    article_ids = articles if articles is not None else list(project.articles.values_list("pk", flat=True))
    rows = Span.objects.filter(paragraph__article_id__in=article_ids, label_id__in=list(labels)).values_list(
        "paragraph__article_id", "paragraph_id", "start", "end", "label_id"
    )
    votes, annotated = {}, set()
    for article_id, paragraph_id, start, end, label_id in rows:
        annotated.add(article_id)
        key = (paragraph_id, start, end, labels[label_id])
        votes[key] = votes.get(key, 0) + 1
    by_paragraph = {}
    for (paragraph_id, start, end, label), count in votes.items():
        by_paragraph.setdefault(paragraph_id, []).append((start, end, label, count))
    paragraphs = Paragraph.objects.filter(article_id__in=sorted(annotated)).order_by("article_id", "position")
    return [(text, sorted(by_paragraph.get(pk, []))) for pk, text in paragraphs.values_list("pk", "text")]


def load(recommender):
    """The Trained model kept for a project, or None."""
    if not recommender.model_bytes:
        return None
    first_words = recommender.trained_on.get("first_words", [])
    return crf.Trained(bytes(recommender.model_bytes), first_words)


def train_project(project, *, user=None, run=None):
    """Train, then propose: returns the batch of new predictions (None when there was nothing to learn from).

    `run` is the claimed run (recommenders.runs) the worker was given: when the row no longer holds it (the run
    was found dead and another claimed), nothing is trained or stored. Without one (the management command, a
    direct call) it trains whatever the row says."""
    recommender, _created = Recommender.objects.get_or_create(project=project)
    mine = Recommender.objects.filter(pk=recommender.pk)
    if run is not None:
        mine = mine.filter(run=run)
        started = mine.filter(status=Recommender.Status.QUEUED).update(
            status=Recommender.Status.TRAINING, claimed_at=timezone.now(), error=""
        )
        if not started:
            logger.info("Training run %s of project %s was replaced; not run", run, project.pk)
            return None
    else:
        mine.update(status=Recommender.Status.TRAINING, claimed_at=timezone.now(), error="")
    index = EntityIndex.load()
    began = time.perf_counter()
    examples = examples_of(project)
    trained = crf.train(examples, index=index)
    seconds = time.perf_counter() - began
    if trained is None:
        mine.update(status=Recommender.Status.IDLE, run=None, task_id=None)
        return None
    labels = {label.name: label for label in project_labels(project)}
    predictions = []
    began = time.perf_counter()
    # The newest articles first, at most HAMISH_RECOMMENDER_MAX_ARTICLES of them: a project holding a whole
    # corpus (the open default project) must not get a prediction row for every name in every article at each run.
    article_ids = list(project.articles.order_by("-pk").values_list("pk", flat=True)[: settings.HAMISH_RECOMMENDER_MAX_ARTICLES])
    for paragraph_id, text in (
        Paragraph.objects.filter(article_id__in=article_ids).order_by("pk").values_list("pk", "text").iterator(chunk_size=2000)
    ):
        for start, end, label, score in trained.suggest(text, index):
            if label in labels:
                predictions.append((paragraph_id, start, end, labels[label], score))
    suggesting = time.perf_counter() - began
    with transaction.atomic():
        if not mine.select_for_update().exists():  # replaced while it trained (found dead): store nothing
            logger.info("Training run %s of project %s was replaced; its predictions are dropped", run, project.pk)
            return None
        Prediction.objects.filter(project=project, model_name=BUILTIN_MODEL).delete()
        PredictionBatch.objects.filter(project=project, model_name=BUILTIN_MODEL).delete()
        batch = PredictionBatch.objects.create(
            project=project, model_name=BUILTIN_MODEL, format="builtin", imported_by=user, status=PredictionBatch.Status.DONE
        )
        Prediction.objects.bulk_create(
            (
                Prediction(
                    project=project,
                    batch=batch,
                    paragraph_id=p,
                    start=a,
                    end=b,
                    label=label,
                    score=score,
                    model_name=BUILTIN_MODEL,
                )
                for p, a, b, label, score in predictions
            ),
            batch_size=1000,
        )
        batch.count = len(predictions)
        batch.save(update_fields=["count"])
        mine.update(
            status=Recommender.Status.IDLE,
            run=None,
            task_id=None,
            model_bytes=trained.model_bytes,
            trained_at=timezone.now(),
            trained_on={
                "paragraphs": len(examples),
                "spans": sum(len(spans) for _text, spans in examples),
                "training_seconds": round(seconds, 3),
                "suggesting_seconds": round(suggesting, 3),
                "predictions": len(predictions),
                "first_words": sorted(trained.first_words),
            },
        )
    return batch
