"""manage.py import_articles and setup_demo."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from corpus.models import Article, Paragraph, Source
from tests.utils import corpus_snapshot

pytestmark = pytest.mark.django_db


def run(*args, **kwargs):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err, **kwargs)
    return out.getvalue(), err.getvalue()


def test_import_articles_imports_files_and_folders_with_a_source_and_prints_a_summary(tmp_path):
    (tmp_path / "one.txt").write_text("الأول\nنص", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "two.txt").write_bytes("الثاني\nنص".encode("cp1256"))
    out, err = run("import_articles", str(tmp_path), source="الحرة")
    assert "2 file(s): 2 imported, 0 already imported, 0 rejected." in out
    assert "note: Decoded from Windows-1256." in out
    assert "file/s" in err or "100%" in err  # the progress bar
    assert set(Article.objects.values_list("source__name", flat=True)) == {"الحرة"}


def test_import_articles_reports_duplicates_and_rejections_and_fails_on_rejection(tmp_path):
    (tmp_path / "a.txt").write_text("الأول", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(CommandError, match="1 file\\(s\\) rejected") as raised:
        run("import_articles", str(tmp_path / "a.txt"), str(tmp_path / "empty.txt"), "--no-progress")
    assert raised.value.returncode == 1
    before = corpus_snapshot()
    out, _ = run("import_articles", str(tmp_path / "a.txt"), "--no-progress")
    assert "already imported: " in out and "1 file(s): 0 imported, 1 already imported, 0 rejected." in out
    assert corpus_snapshot() == before


def test_import_articles_refuses_a_bad_source_name(tmp_path):
    (tmp_path / "a.txt").write_text("الأول", encoding="utf-8")
    with pytest.raises(CommandError, match="--source must be 1 to 200 characters"):
        run("import_articles", str(tmp_path / "a.txt"), source="x" * 201)
    assert not Article.objects.exists()


def test_setup_demo_loads_the_seed_corpus_and_accounts_once():
    out, _ = run("setup_demo")
    assert Article.objects.count() == 5
    assert Source.objects.count() == 5
    users = get_user_model().objects.order_by("username")
    assert [(u.username, u.is_superuser) for u in users] == [("admin", True), ("analyst1", False), ("analyst2", False)]
    assert out.count("password ") == 3

    paragraphs = Paragraph.objects.count()
    again, _ = run("setup_demo")
    assert (Article.objects.count(), Paragraph.objects.count(), users.count()) == (5, paragraphs, 3)
    assert "password " not in again  # no stale passwords
    assert "already exist" in again


def test_setup_demo_reset_passwords_prints_passwords_that_work(client):
    run("setup_demo")
    out, _ = run("setup_demo", reset_passwords=True)
    line = next(line for line in out.splitlines() if line.strip().startswith("analyst1"))
    password = line.split("password")[1].split()[0]
    assert client.login(username="analyst1", password=password)


def test_the_demo_corpus_keeps_the_seed_text_exactly(settings):
    from pathlib import Path

    run("setup_demo")
    seed = Path(__file__).resolve().parents[1] / "corpus" / "demo" / "002_4063dbf922b405ad.txt"
    lines = [line.strip() for line in seed.read_text(encoding="utf-8").splitlines() if line.strip()]
    article = Article.objects.get(source__name="الشرق الأوسط")
    assert list(article.paragraphs.values_list("text", flat=True)) == lines
