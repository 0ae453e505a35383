"""The built-in recommender's training runs: the retrain trigger costs a fixed two queries per span, bulk imports
count in one UPDATE, a dead run (worker killed) never blocks the next, and racing requests queue one run."""

import json
import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from annotations.interchange.formats import FORMATS
from annotations.interchange.loading import import_document, read_document
from annotations.interchange.selection import build_query
from annotations.models import Span
from projects.models import Membership, Project, Role
from recommenders import runs, tasks
from recommenders.models import Prediction, Recommender
from recommenders.signals import count_span
from recommenders.training import train_project
from tests.utils import SMALL_ARTICLE, add_span, make_article

AUSTIN = "لويد أوستن"
STROUL = "دانا سترول"


class Recorder:
    """Stands in for the train_recommender task: records what was queued, runs nothing."""

    def __init__(self):
        self.queued = []
        self.lock = threading.Lock()

    def enqueue(self, project_id, user_id=None, run=None):
        with self.lock:
            self.queued.append((project_id, run))

        class Result:
            id = uuid.uuid4()

        return Result()


@pytest.fixture
def recorder(monkeypatch):
    recorder = Recorder()
    monkeypatch.setattr(tasks, "train_recommender", recorder)
    return recorder


def studied(name, labels, user, articles=1):
    project = Project.objects.create(name=name)
    project.labels.set([labels["PER"], labels["ORG"], labels["LOC"]])
    Membership.objects.create(project=project, user=user, role=Role.MANAGER)
    for k in range(articles):
        project.articles.add(make_article([*SMALL_ARTICLE, f"{name} {k}"]))
    return project


def trigger_queries(queries):
    return [q["sql"] for q in queries if "recommenders_recommender" in q["sql"] or "projects_project_articles" in q["sql"]]


@pytest.mark.django_db
def test_a_span_costs_two_queries_for_the_trigger_however_many_projects_hold_it(
    labels, analyst, settings, recorder, django_capture_on_commit_callbacks
):
    settings.HAMISH_RECOMMENDER_RETRAIN_EVERY = 1000
    article = make_article()
    projects = [studied(f"p{k}", labels, analyst, articles=0) for k in range(3)]
    for project in projects:
        project.articles.add(article)
    paragraphs = list(article.paragraphs.order_by("position"))

    def create(paragraph, quote):
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
            add_span(paragraph, quote, "PER", author=analyst)
        return queries

    with_trigger = create(paragraphs[0], AUSTIN)
    post_save.disconnect(count_span, sender=Span, dispatch_uid="recommenders-count-span")
    try:
        without = create(paragraphs[2], STROUL)
    finally:
        post_save.connect(count_span, sender=Span, dispatch_uid="recommenders-count-span")
    # Before: 4 more queries (measured at c466205: the projects, their rows, the UPDATE, the due ones).
    assert len(with_trigger) - len(without) == 2, trigger_queries(with_trigger)
    assert len(trigger_queries(with_trigger)) == 2
    assert [r.spans_since_training for r in Recommender.objects.filter(project__in=projects)] == [1, 1, 1]
    assert recorder.queued == []


@pytest.mark.django_db
def test_the_nth_span_claims_exactly_one_run_and_resets_the_counter(
    labels, analyst, settings, recorder, django_capture_on_commit_callbacks
):
    settings.HAMISH_RECOMMENDER_RETRAIN_EVERY = 2
    project = studied("n", labels, analyst)
    paragraphs = list(project.articles.get().paragraphs.order_by("position"))
    with django_capture_on_commit_callbacks(execute=True):
        add_span(paragraphs[0], AUSTIN, "PER", author=analyst)
        add_span(paragraphs[2], STROUL, "PER", author=analyst)
    row = Recommender.objects.get(project=project)
    assert (row.status, row.spans_since_training) == (Recommender.Status.QUEUED, 0)
    assert recorder.queued == [(project.pk, str(row.run))]
    # More spans while it is queued: counted, no second run.
    with django_capture_on_commit_callbacks(execute=True):
        add_span(paragraphs[0], "ثابت العباسي", "PER", author=analyst)
        add_span(paragraphs[1], "العراق", "LOC", author=analyst)
    assert len(recorder.queued) == 1 and Recommender.objects.get(project=project).spans_since_training == 2


@pytest.mark.django_db
def test_a_rolled_back_span_is_not_counted(labels, analyst, django_capture_on_commit_callbacks):
    from django.db import transaction

    project = studied("rb", labels, analyst)
    paragraph = project.articles.get().paragraphs.get(position=0)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            add_span(paragraph, AUSTIN, "PER", author=analyst)
            raise RuntimeError("the request failed after the span")
    assert not Span.objects.exists() and Recommender.objects.get(project=project).spans_since_training == 0


@pytest.mark.django_db
def test_a_bulk_import_adds_its_spans_in_one_update(
    labels, analyst, admin, settings, recorder, django_capture_on_commit_callbacks
):
    settings.HAMISH_RECOMMENDER_RETRAIN_EVERY = 1000
    project = studied("import", labels, analyst, articles=2)
    documents = []
    for article in project.articles.all():
        paragraph = article.paragraphs.get(position=0)
        span = add_span(paragraph, AUSTIN, "PER", author=analyst)
        add_span(article.paragraphs.get(position=2), STROUL, "PER", author=analyst)
        documents.append(json.loads("".join(FORMATS["hamish"].chunks(build_query(analyst, article=article.pk)))))
        Span.objects.filter(paragraph__article=article).delete()
        del span
    document = documents[0]
    document["articles"] += documents[1]["articles"]
    Recommender.objects.filter(project=project).update(spans_since_training=0)
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        report = import_document(read_document(json.dumps(document, ensure_ascii=False).encode()), user=admin)
    assert report.counts["spans created"] == 4
    assert Recommender.objects.get(project=project).spans_since_training == 4
    updates = [sql for sql in trigger_queries(queries) if sql.startswith("UPDATE")]
    assert len(updates) == 2  # the count, and the claim that found nothing due


# ---- dead runs -------------------------------------------------------------------------------------------


def stale(project, status=Recommender.Status.TRAINING, age=timedelta(hours=2)):
    Recommender.objects.filter(project=project).update(status=status, run=uuid.uuid4(), claimed_at=timezone.now() - age)


@pytest.mark.django_db
def test_a_run_older_than_the_timeout_is_stalled_and_train_now_replaces_it(
    labels, analyst, client, settings, recorder, django_capture_on_commit_callbacks
):
    settings.HAMISH_RECOMMENDER_TRAINING_TIMEOUT = 3600
    project = studied("stale", labels, analyst)
    stale(project, age=timedelta(minutes=5))  # alive: within the timeout
    assert runs.request_training(project) is False and recorder.queued == []
    stale(project)
    old_run = Recommender.objects.get(project=project).run
    client.force_login(analyst)
    page = client.get(reverse("recommenders:predictions", args=[project.pk])).content.decode()
    assert "Status: stalled." in page and "has not finished" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("recommenders:train", args=[project.pk]), follow=True)
    assert "training in the background" in response.content.decode()
    row = Recommender.objects.get(project=project)
    assert row.status == Recommender.Status.QUEUED and row.run != old_run and recorder.queued == [(project.pk, str(row.run))]
    assert "stalled" not in client.get(reverse("recommenders:predictions", args=[project.pk])).content.decode()


@pytest.mark.django_db
def test_the_trigger_replaces_a_dead_run_and_the_dead_one_stores_nothing(
    labels, analyst, settings, recorder, django_capture_on_commit_callbacks
):
    settings.HAMISH_RECOMMENDER_RETRAIN_EVERY = 1
    project = studied("trigger", labels, analyst)
    stale(project)
    dead_run = str(Recommender.objects.get(project=project).run)
    paragraph = project.articles.get().paragraphs.get(position=0)
    with django_capture_on_commit_callbacks(execute=True):
        add_span(paragraph, AUSTIN, "PER", author=analyst)
    row = Recommender.objects.get(project=project)
    assert row.status == Recommender.Status.QUEUED and str(row.run) != dead_run and len(recorder.queued) == 1
    # The killed worker's run, were it to wake up, finds itself replaced: it trains and stores nothing.
    assert train_project(project, run=dead_run) is None
    assert not Prediction.objects.exists() and Recommender.objects.get(project=project).status == Recommender.Status.QUEUED
    # The live run trains.
    train_project(project, run=str(row.run))
    row.refresh_from_db()
    assert row.status == Recommender.Status.IDLE and row.run is None and row.trained_at is not None


@pytest.mark.django_db
def test_a_run_whose_task_failed_or_vanished_in_the_task_table_is_dead(labels, analyst, settings, recorder):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    project = studied("tasks", labels, analyst)
    live = DBTaskResult.objects.create(
        status="RUNNING",
        args_kwargs={},
        task_path="recommenders.tasks.train_recommender",
        backend_name="default",
        run_after=timezone.now(),
    )
    Recommender.objects.filter(project=project).update(
        status=Recommender.Status.TRAINING, run=uuid.uuid4(), claimed_at=timezone.now(), task_id=live.pk
    )
    assert runs.request_training(project) is False
    DBTaskResult.objects.filter(pk=live.pk).update(status="FAILED")
    assert runs.is_stalled(Recommender.objects.get(project=project))
    assert runs.request_training(project) is True
    Recommender.objects.filter(project=project).update(status=Recommender.Status.TRAINING, task_id=uuid.uuid4())  # no such task
    assert runs.request_training(project) is True


# ---- races -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_two_train_nows_and_a_trigger_queue_one_run(labels, analyst, settings, recorder, django_capture_on_commit_callbacks):
    settings.HAMISH_RECOMMENDER_RETRAIN_EVERY = 1
    project = studied("twice", labels, analyst)
    with django_capture_on_commit_callbacks(execute=True):
        assert runs.request_training(project) is True
        assert runs.request_training(project) is False
        add_span(project.articles.get().paragraphs.get(position=0), AUSTIN, "PER", author=analyst)
    assert len(recorder.queued) == 1


def race(*actions):
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait()
            outcomes[index] = action()
        except Exception as exc:  # collected for the assertions in the main thread
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a racing claim hung"
    return outcomes


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(4))
def test_threads_racing_train_now_and_the_trigger_queue_exactly_one_run(attempt, django_user_model, labels, settings, recorder):
    settings.HAMISH_RECOMMENDER_RETRAIN_EVERY = 3
    user = django_user_model.objects.create_user(f"racer{attempt}")
    project = studied(f"race{attempt}", labels, user)
    paragraph_id = project.articles.get().paragraphs.get(position=0).pk
    Recommender.objects.filter(project=project).update(spans_since_training=2)
    outcomes = race(
        lambda: runs.request_training(Project.objects.get(pk=project.pk)),
        lambda: runs.request_training(Project.objects.get(pk=project.pk)),
        lambda: runs.count_new_span(paragraph_id),
        lambda: runs.count_new_span(paragraph_id),
    )
    assert not any(isinstance(outcome, Exception) for outcome in outcomes), outcomes
    assert len(recorder.queued) == 1, recorder.queued
    row = Recommender.objects.get(project=project)
    assert row.status == Recommender.Status.QUEUED and recorder.queued == [(project.pk, str(row.run))]
