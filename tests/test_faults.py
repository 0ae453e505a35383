"""Faults: an import killed with SIGKILL halfway leaves no partial article, and a rerun finishes the job."""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from corpus import search
from corpus.models import Article

ROOT = Path(__file__).resolve().parents[1]
FILES = 1000
LINES = 3


def database_url():
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"


def run_import(folder, **kwargs):
    env = {**os.environ, "DATABASE_URL": database_url(), "DEBUG": "1"}
    command = [
        sys.executable,
        "manage.py",
        "import_articles",
        str(folder),
        "--no-progress",
        "--batch-size",
        "50",
        "--verbosity",
        "0",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kwargs)


def index_and_paragraph_counts():
    """(indexed paragraphs, paragraphs) read in one statement, so an import committing meanwhile cannot split them."""
    table = search.SQLITE_TABLE if connection.vendor == "sqlite" else search.POSTGRES_TABLE
    key = "rowid" if connection.vendor == "sqlite" else "paragraph_id"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {table} WHERE {key} IN (SELECT id FROM corpus_paragraph)), "
            "(SELECT COUNT(*) FROM corpus_paragraph)"
        )
        return cursor.fetchone()


def assert_whole():
    """Every article has all its paragraphs, and every paragraph is in the search index."""
    counts = set(Article.objects.with_paragraph_counts().values_list("paragraph_count", flat=True))
    assert counts <= {LINES}, f"an article was saved in part: paragraph counts {counts}"
    indexed, paragraphs = index_and_paragraph_counts()
    assert indexed == paragraphs, f"{paragraphs - indexed} paragraphs are not in the search index"


@pytest.mark.django_db(transaction=True)
def test_an_import_killed_halfway_leaves_no_partial_article_and_a_rerun_completes(tmp_path):
    words = "العراق واشنطن بغداد الوزير الدفاع الحوار الأمني التعاون البيان المشترك القوات التحالف".split()
    generator = random.Random(7)
    for n in range(FILES):  # varied text: the import also looks for near-duplicates, and copies would all match
        lines = [" ".join(generator.choices(words, k=12)) + f" {n}-{k}" for k in range(LINES)]
        (tmp_path / f"{n:04}.txt").write_text("\n".join(lines), encoding="utf-8")
    process = run_import(tmp_path)
    deadline = time.monotonic() + 120
    while Article.objects.count() < FILES // 4 and process.poll() is None and time.monotonic() < deadline:
        assert_whole()  # at every moment we look, not only at the end
        time.sleep(0.05)
    assert process.poll() is None, "the import finished before it could be killed; make it bigger"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    killed_at = Article.objects.count()
    assert 0 < killed_at < FILES
    assert_whole()

    rerun = run_import(tmp_path)
    _, errors = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, errors.decode()
    assert Article.objects.count() == FILES  # every file exactly once (content hashes are unique)
    assert_whole()
