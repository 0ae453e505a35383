"""Rebuilding the derived indexes: the search index in batches (same index as the imports wrote, resumable,
never indexing a paragraph twice) and both rebuilds as background jobs from the administrators' page."""

import pytest
from django.db import connection
from django.urls import reverse

from corpus import duplicates, search
from corpus.models import Article, FamilyMember, Paragraph, PendingNearDuplicates
from jobs import rebuilds
from jobs.models import Job
from tests.utils import import_bytes

pytestmark = pytest.mark.django_db

REBUILD_URL = reverse("jobs:rebuild")
SHARED = "قال المسؤول الأميركي إن الإدارة الأميركية ستواصل دعم القوات العراقية في مواجهة تنظيم داعش خلال العام المقبل"
RESPELLED = "وقال المسؤول الأمريكي إن الإدارة الأمريكية ستواصل دعم القوات العراقية في مواجهة تنظيم داعش خلال العام القادم"
QUERIES = ["العراقية", "الامريكية", "عبد العزيز", "عبدالعزيز", "بغداد", "تنظيم داعش", "الأمير"]


def story(n):
    return f"خبر رقم {n} عن اجتماع اللجنة {n} في بغداد لبحث الملف رقم {n} مع الوفد الزائر عبد العزيز يوم {n}"


@pytest.fixture
def corpus():
    for n in range(7):
        lines = [f"عنوان {n}", story(n), SHARED if n % 2 else RESPELLED, f"التقى الأمير عبدالعزيز بالوفد {n}"]
        assert import_bytes(f"{n}.txt", "\n".join(lines).encode(), source_name=f"منفذ {n % 3}").status == "imported"
    return list(Paragraph.objects.order_by("pk").values_list("pk", flat=True))


def indexed_ids():
    """The paragraph ids the search index holds a row for (one row each, if it is right)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"SELECT id FROM {search.SQLITE_SIZES} ORDER BY id")
        else:
            cursor.execute(f"SELECT paragraph_id FROM {search.POSTGRES_TABLE} ORDER BY paragraph_id")
        return [pk for (pk,) in cursor.fetchall()]


def answers():
    return {query: search.matching_ids(query) for query in QUERIES}


def families():
    """The near-duplicate families as sets of paragraph ids (their ids change on a rebuild)."""
    groups = {}
    for pk, family in FamilyMember.objects.values_list("paragraph_id", "family_id"):
        groups.setdefault(family, set()).add(pk)
    return sorted(sorted(group) for group in groups.values())


def test_a_batched_rebuild_gives_the_index_the_imports_wrote(corpus):
    written = answers()
    assert written["العراقية"] and written["عبدالعزيز"] and indexed_ids() == corpus
    for batch_size in (1, 3, 10_000):
        assert search.rebuild(batch_size=batch_size) == len(corpus)
        assert indexed_ids() == corpus  # every paragraph, once
        assert answers() == written


def test_a_rebuild_reports_each_committed_batch(corpus):
    seen = []
    search.rebuild(batch_size=5, progress=lambda paragraphs, last: seen.append((paragraphs, last)))
    assert sum(count for count, _last in seen) == len(corpus) and all(count <= 5 for count, _ in seen)
    assert [last for _count, last in seen] == [corpus[min(i + 4, len(corpus) - 1)] for i in range(0, len(corpus), 5)]


def test_resuming_indexes_the_rest_and_never_a_paragraph_twice(corpus):
    written = answers()
    search.clear_index()
    assert indexed_ids() == [] and search.matching_ids("بغداد") == []
    search.rebuild(batch_size=4, after=corpus[9])  # as if batches up to that paragraph had been committed
    assert indexed_ids() == corpus[10:]
    search.rebuild(batch_size=4, after=corpus[2])  # over rows indexed already (an import meanwhile): replaced
    assert indexed_ids() == corpus[3:]
    search.rebuild()
    assert indexed_ids() == corpus and answers() == written


def test_a_killed_rebuild_job_runs_again_from_its_last_batch(corpus, client, admin, monkeypatch):
    written = answers()
    monkeypatch.setattr(search, "REBUILD_BATCH", 4)
    monkeypatch.setattr(search.rebuild, "__defaults__", (4, None, None))
    real, calls = search.index_paragraphs, []

    def dies_on_the_third_batch(rows, **kwargs):  # once: the run again gets past it
        calls.append([pk for pk, _text in rows])
        if len(calls) == 3:
            raise OSError("worker killed")
        return real(rows, **kwargs)

    monkeypatch.setattr(search, "index_paragraphs", dies_on_the_third_batch)
    client.force_login(admin)
    client.post(REBUILD_URL, {"what": "search"})  # the worker logs the error; the job says it failed
    job = Job.objects.get(kind=Job.Kind.REBUILD)
    assert job.status == Job.Status.FAILED and "internal error (OSError)" in job.error
    assert job.parameters["after"] == corpus[7] and job.files_done == 8
    assert indexed_ids() == corpus[:8]  # two whole batches, nothing of the third
    response = client.post(reverse("jobs:retry", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.attempts, job.files_done, job.files_total) == (Job.Status.DONE, 2, len(corpus), len(corpus))
    assert calls[3][0] == corpus[8]  # went on after the last committed batch
    assert indexed_ids() == corpus and answers() == written


def test_an_admin_rebuilds_the_search_index_from_the_page(corpus, client, admin):
    written = answers()
    client.force_login(admin)
    page = client.get(REBUILD_URL).content.decode()
    assert "Rebuild the search index" in page and f"{len(corpus)} paragraph(s)" in page
    assert reverse("jobs:rebuild") in client.get(reverse("jobs:list")).content.decode()
    response = client.post(REBUILD_URL, {"what": "search"})
    job = Job.objects.get(kind=Job.Kind.REBUILD)
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert (job.status, job.user, job.description) == (Job.Status.DONE, admin, "Search index")
    detail = client.get(job.get_absolute_url()).content.decode()
    assert f"{len(corpus)} of {len(corpus)} paragraph(s) indexed." in detail
    assert indexed_ids() == corpus and answers() == written
    assert "Search index" in client.get(REBUILD_URL).content.decode()  # listed under the buttons


def test_an_admin_rebuilds_the_near_duplicate_families(corpus, client, admin):
    before = families()
    assert any(len(group) > 1 for group in before)
    FamilyMember.objects.all().delete()
    client.force_login(admin)
    client.post(REBUILD_URL, {"what": "duplicates"})
    job = Job.objects.get(kind=Job.Kind.REBUILD)
    assert job.status == Job.Status.DONE and job.parameters["queued"] is True
    assert families() == before and not PendingNearDuplicates.objects.exists()
    assert (
        f"{Article.objects.count()} of {Article.objects.count()} article(s) placed"
        in client.get(job.get_absolute_url()).content.decode()
    )


def test_the_pending_pass_places_only_the_queued_articles_and_stops_when_cancelled(corpus, admin, monkeypatch):
    before = families()
    duplicates.queue_all()  # every family forgotten, every article queued
    monkeypatch.setattr(duplicates.families, "CHUNK_ARTICLES", 2)
    monkeypatch.setattr(duplicates.families.process_pending, "__kwdefaults__", {"chunk": 2, "progress": None, "stop": None})
    job = rebuilds.create_rebuild_job(user=admin, what=rebuilds.PENDING)
    real_flush = rebuilds.lifecycle.Progress.flush

    def cancel_after_the_first_chunk(progress):
        if progress.counts["files_done"] >= 2:
            Job.objects.filter(pk=job.pk).update(cancel_requested=True)
        return real_flush(progress)

    monkeypatch.setattr(rebuilds.lifecycle.Progress, "flush", cancel_after_the_first_chunk)
    rebuilds.run_rebuild.enqueue(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED and job.files_done == 2
    assert PendingNearDuplicates.objects.count() == Article.objects.count() - 2  # the rest stays queued
    monkeypatch.setattr(rebuilds.lifecycle.Progress, "flush", real_flush)
    again = rebuilds.create_rebuild_job(user=admin, what=rebuilds.PENDING)
    rebuilds.run_rebuild.enqueue(again.pk)
    again.refresh_from_db()
    assert again.status == Job.Status.DONE and again.files_done == Article.objects.count() - 2
    assert families() == before and not PendingNearDuplicates.objects.exists()


def test_only_superusers_rebuild_and_one_rebuild_at_a_time(corpus, client, admin, django_user_model):
    staff = django_user_model.objects.create_user("staff", password="staff-pass-123", is_staff=True)
    client.force_login(staff)
    assert client.get(REBUILD_URL).status_code == 403
    assert client.post(REBUILD_URL, {"what": "search"}).status_code == 403
    assert not Job.objects.exists()
    client.force_login(admin)
    assert client.post(REBUILD_URL, {"what": "everything"}).status_code == 400
    waiting = rebuilds.create_rebuild_job(user=admin, what=rebuilds.SEARCH)  # queued, not yet taken by a worker
    response = client.post(REBUILD_URL, {"what": "duplicates"})
    assert response.status_code == 409 and "already queued or running" in response.content.decode()
    assert list(Job.objects.values_list("pk", flat=True)) == [waiting.pk]


def test_rebuild_indexes_command_still_rebuilds_both(corpus, capsys):
    from django.core.management import call_command

    written, before = answers(), families()
    call_command("rebuild_indexes", "--no-progress")
    assert indexed_ids() == corpus and answers() == written and families() == before
