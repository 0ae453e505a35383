"""Background jobs: the import page queues a job, the worker imports and reports as it goes; exports of more
than one article become a job with a download. Logic runs on the immediate backend (tests/conftest.py); the
last test drives the real `manage.py db_worker` against the test database."""

import io
import os
import subprocess
import sys
import time
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from corpus.models import Article
from jobs import imports, lifecycle, storage
from jobs.models import Job, JobChunk, JobFile, JobRow
from tests.utils import import_bytes, make_article

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("corpus:import")
ROOT = Path(__file__).resolve().parents[1]


def upload(name, data, content_type="text/plain"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def zipped(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def articles(n, prefix="مقال"):
    return {f"{i:03}.txt": f"{prefix} رقم {i}\nنص المقال {i} في سطره الثاني.".encode() for i in range(n)}


def status_html(client, job):
    return client.get(reverse("jobs:status", args=[job.pk]), headers={"HX-Request": "true"}).content.decode()


# --- importing through the page ---------------------------------------------------------------------------


def test_it_answers_the_import_with_a_job_page_and_keeps_the_report(staff_client, admin):
    files = [upload("batch.zip", zipped({**articles(3), "../x.txt": b"x"}), "application/zip"), upload("empty.txt", b"")]
    response = staff_client.post(IMPORT_URL, {"files": files, "source": "الأمصار"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert (job.kind, job.user, job.status) == (Job.Kind.IMPORT, admin, Job.Status.DONE)
    assert (job.files_total, job.files_done, job.imported, job.already_imported, job.rejected) == (5, 5, 3, 0, 2)
    assert job.description == "batch.zip, empty.txt" and job.started_at and job.finished_at
    rows = list(job.rows.values_list("name", "status"))
    assert ("batch.zip/../x.txt", "rejected") in rows and ("empty.txt", "rejected") in rows
    assert sorted(r for r in rows if r[1] == "imported") == [(f"batch.zip/00{i}.txt", "imported") for i in range(3)]
    assert set(Article.objects.values_list("source__name", flat=True)) == {"الأمصار"}
    assert not JobFile.objects.exists() and not JobChunk.objects.exists(), "the uploads are deleted when the job ends"
    page = staff_client.get(response["Location"]).content.decode()
    assert "5 file(s): 3 imported, 0 already imported, 2 rejected." in page and "climbs out of the archive" in page
    assert "<progress" in page and 'hx-trigger="every 1s"' not in page, "a finished job stops polling"
    article = Article.objects.order_by("pk").first()
    assert f'href="{article.get_absolute_url()}"' in page


def test_an_htmx_import_answers_with_a_fresh_form_and_the_jobs_status(staff_client):
    response = staff_client.post(IMPORT_URL, {"files": [upload("a.txt", "نص\nآخر".encode())]}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<div id="import-panel">') and "<html" not in html
    assert 'id="job-status"' in html and "1 file(s): 1 imported" in html


def test_a_running_job_polls_and_shows_its_counts_and_latest_rows(staff_client, admin):
    job = Job.objects.create(
        kind=Job.Kind.IMPORT,
        user=admin,
        status=Job.Status.RUNNING,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
        files_total=10,
        files_done=4,
        imported=3,
        rejected=1,
    )
    JobRow.objects.create(job=job, position=0, name="a.txt", status="rejected", message="The file is empty.")
    html = status_html(staff_client, job)
    assert html.lstrip().startswith('<section id="job-status"') and "<html" not in html
    assert f'hx-get="{reverse("jobs:status", args=[job.pk])}"' in html and 'hx-trigger="every 1s"' in html
    assert '<progress max="10" value="4"' in html and "4 of 10 file(s) done: 3 imported" in html
    assert "The file is empty." in html and "Cancel" in html
    assert " style=" not in html  # strict CSP: no inline styles


def test_posting_no_file_is_a_form_error_and_queues_nothing(staff_client):
    response = staff_client.post(IMPORT_URL, {"source": "x"})
    assert response.status_code == 200 and "Choose at least one file to import." in response.content.decode()
    assert not Job.objects.exists()


def test_the_import_history_lists_who_imported_what_and_links_each_report(staff_client, admin, django_user_model):
    other_admin = django_user_model.objects.create_superuser("admin2", password="x-123456789")
    mine = Job.objects.create(kind=Job.Kind.IMPORT, user=admin, description="mine.zip", status=Job.Status.DONE)
    theirs = Job.objects.create(kind=Job.Kind.IMPORT, user=other_admin, description="theirs.zip", status=Job.Status.FAILED)
    html = staff_client.get(reverse("jobs:imports")).content.decode()
    for job, who in [(mine, "admin"), (theirs, "admin2")]:
        assert job.description in html and f'href="{job.get_absolute_url()}"' in html and f"<td><bdi>{who}</bdi></td>" in html
    assert "failed" in html


# --- the task: progress, cancel, failure, a killed worker -----------------------------------------------------


def queued_import(admin, files, source=""):
    return imports.create_import_job(user=admin, uploads=[upload(n, d) for n, d in files.items()], source_name=source)


def test_it_reads_a_zip_stored_in_many_chunks(admin, monkeypatch):
    monkeypatch.setattr(storage, "CHUNK_BYTES", 97)  # a few hundred chunk rows for one small archive
    job = imports.create_import_job(user=admin, uploads=[upload("b.zip", zipped(articles(5)), "application/zip")], source_name="")
    assert JobChunk.objects.filter(file__job=job).count() > 5
    imports.run_import.enqueue(job.pk)
    job.refresh_from_db()
    assert (job.status, job.imported) == (Job.Status.DONE, 5)


def test_it_stops_between_files_when_cancelled_and_keeps_what_it_saved(admin, monkeypatch):
    monkeypatch.setattr(lifecycle, "FLUSH_SECONDS", 0)
    monkeypatch.setattr(imports, "JOB_BATCH_SIZE", 1)
    job = queued_import(admin, {"b.zip": zipped(articles(5))})
    real_import_files = imports.import_files

    def cancel_after_the_first(incoming, **kwargs):
        def files():
            for n, item in enumerate(incoming):
                yield item
                if n == 0:
                    lifecycle.request_cancel(job)  # as the cancel button does, while the worker is running

        return real_import_files(files(), **kwargs)

    monkeypatch.setattr(imports, "import_files", cancel_after_the_first)
    imports.run_import.enqueue(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED and job.cancel_requested
    assert 1 <= Article.objects.count() < 5 and job.imported == Article.objects.count()
    assert not JobChunk.objects.exists()


def test_cancelling_a_queued_job_ends_it_before_any_work(staff_client, admin):
    job = queued_import(admin, {"a.txt": "نص".encode()})
    response = staff_client.post(reverse("jobs:cancel", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED and not JobChunk.objects.exists()
    imports.run_import.enqueue(job.pk)  # a worker that takes the task later does nothing
    assert not Article.objects.exists()


def test_a_job_that_fails_is_marked_failed_with_a_message(staff_client, admin, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(imports, "import_files", broken)
    job = queued_import(admin, {"a.txt": "نص".encode()})
    imports.run_import.enqueue(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.finished_at
    assert "internal error (RuntimeError)" in job.error and "disk on fire" not in job.error
    assert not JobChunk.objects.exists()
    page = staff_client.get(job.get_absolute_url()).content.decode()
    assert "internal error (RuntimeError)" in page and "Run again" not in page  # its uploads are gone


def test_a_job_whose_worker_died_runs_again_and_skips_what_it_saved(staff_client, admin):
    files = articles(3)
    job = queued_import(admin, {"b.zip": zipped(files)})
    # The killed worker had claimed the job and saved one article (whole: its own transaction) before dying.
    lifecycle.claim(job.pk)
    import_bytes("000.txt", files["000.txt"], user=admin)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1), files_done=1, imported=1)
    page = staff_client.get(job.get_absolute_url()).content.decode()
    assert "has not reported for a long time" in page and "Run again" in page
    response = staff_client.post(reverse("jobs:retry", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.attempts, job.imported, job.already_imported) == (Job.Status.DONE, 2, 2, 1)
    assert Article.objects.count() == 3


def test_a_job_that_is_running_or_done_cannot_run_again(staff_client, admin):
    job = queued_import(admin, {"a.txt": "نص".encode()})
    imports.run_import.enqueue(job.pk)
    response = staff_client.post(reverse("jobs:retry", args=[job.pk]))
    assert response.status_code == 409 and "cannot run again" in response.content.decode()


# --- permissions ----------------------------------------------------------------------------------------------


def test_analysts_get_403_on_imports_and_404_on_other_peoples_jobs(analyst_client, admin, other_analyst):
    import_job = Job.objects.create(kind=Job.Kind.IMPORT, user=admin)
    assert analyst_client.get(reverse("jobs:detail", args=[import_job.pk])).status_code == 403
    assert analyst_client.get(reverse("jobs:imports")).status_code == 403
    assert analyst_client.post(IMPORT_URL, {"files": [upload("a.txt", "نص".encode())]}).status_code == 403
    theirs = Job.objects.create(kind=Job.Kind.EXPORT, user=other_analyst, status=Job.Status.DONE, description="their export")
    for name in ["jobs:detail", "jobs:status", "jobs:download"]:
        assert analyst_client.get(reverse(name, args=[theirs.pk])).status_code == 404, name
    for name in ["jobs:cancel", "jobs:retry"]:
        assert analyst_client.post(reverse(name, args=[theirs.pk])).status_code == 404, name
    assert theirs.description not in analyst_client.get(reverse("jobs:list")).content.decode()


@pytest.mark.parametrize("job_id", ["999999", "0", "99999999999999999999"])
def test_unknown_job_ids_are_404(staff_client, job_id):
    assert staff_client.get(f"/jobs/{job_id}/").status_code == 404


def test_cancel_needs_a_post_and_a_csrf_token(admin):
    job = Job.objects.create(kind=Job.Kind.EXPORT, user=admin)
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    assert client.get(reverse("jobs:cancel", args=[job.pk])).status_code == 405
    assert client.post(reverse("jobs:cancel", args=[job.pk])).status_code == 403
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED


# --- exports ------------------------------------------------------------------------------------------------


def test_a_corpus_export_becomes_a_job_whose_owner_downloads_it(analyst_client, analyst, other_analyst, admin):
    for i in range(3):
        make_article([f"مقال {i}", "نص"])
    response = analyst_client.post(reverse("jobs:export_start"), {"format": "doccano", "article": ""})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert (job.kind, job.user, job.status, job.files_done, job.files_total) == (Job.Kind.EXPORT, analyst, Job.Status.DONE, 3, 3)
    page = analyst_client.get(job.get_absolute_url()).content.decode()
    assert f'href="{reverse("jobs:download", args=[job.pk])}"' in page
    download = analyst_client.get(reverse("jobs:download", args=[job.pk]))
    assert download["Cache-Control"] == "no-store" and download["Content-Disposition"].startswith(
        'attachment; filename="hamish-corpus'
    )
    streamed = analyst_client.get(reverse("annotations:export_download"), {"format": "doccano"})
    assert b"".join(download.streaming_content) == b"".join(streamed.streaming_content)
    stranger = Client()
    stranger.force_login(other_analyst)
    assert stranger.get(reverse("jobs:download", args=[job.pk])).status_code == 404
    boss = Client()
    boss.force_login(admin)
    assert boss.get(reverse("jobs:download", args=[job.pk])).status_code == 200


def test_a_one_article_export_still_downloads_at_once(analyst_client, article):
    response = analyst_client.post(reverse("jobs:export_start"), {"format": "conll", "article": str(article.pk), "clean": "1"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("annotations:export_download") + "?format=conll&article=")
    assert "clean=1" in response["Location"] and not Job.objects.exists()


@pytest.mark.parametrize(
    "data, message",
    [({"format": "pdf"}, "Unknown export format."), ({"article": "²"}, "must be given by its number")],
)
def test_a_bad_export_request_is_400_and_queues_nothing(analyst_client, data, message):
    response = analyst_client.post(reverse("jobs:export_start"), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Job.objects.exists()


def test_an_export_of_an_unknown_outlet_is_404_and_queues_nothing(analyst_client):
    assert analyst_client.post(reverse("jobs:export_start"), {"source": "لا يوجد"}).status_code == 404
    assert not Job.objects.exists()


# --- the real worker ----------------------------------------------------------------------------------------


def _database_url():
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_the_real_worker_imports_an_uploaded_zip_while_the_page_polls(admin, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": _database_url()}
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        client = Client()
        client.force_login(admin)
        response = client.post(IMPORT_URL, {"files": [upload("batch.zip", zipped(articles(30)), "application/zip")]})
        assert response.status_code == 302  # answered at once: the worker does the import
        job = Job.objects.get()
        seen = set()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            html = status_html(client, job)
            seen.add(Job.objects.values_list("status", flat=True).get(pk=job.pk))
            if 'hx-trigger="every 1s"' not in html:
                break
            assert worker.poll() is None, worker.stderr.read().decode()
            time.sleep(0.2)
        job.refresh_from_db()
        assert job.status == Job.Status.DONE, (job.status, job.error)
        assert "30 file(s): 30 imported, 0 already imported, 0 rejected." in html
        assert Article.objects.count() == 30 and Job.Status.QUEUED in seen
        assert not JobChunk.objects.exists()
    finally:
        worker.terminate()
        worker.wait(timeout=10)
