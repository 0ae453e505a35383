"""The import service: duplicates, atomicity, batches, limits, folders and archives."""

import io
import zipfile

import pytest

from corpus.importing import ALREADY_IMPORTED, IMPORTED, REJECTED, IncomingFile, import_files, iter_paths
from corpus.importing.files import ImportLimits, iter_archive
from corpus.models import Article, Paragraph, Source
from tests.utils import assert_corpus_unchanged, import_bytes

pytestmark = pytest.mark.django_db

GOOD = "بغداد وواشنطن يؤكدان التزامهما\nأكدت العاصمة العراقية بغداد والعاصمة الأمريكية واشنطن التزامهما.".encode()
OTHER = "عنوان آخر\nنص آخر تماماً.".encode()


def make_zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def test_it_imports_an_article_with_its_paragraphs_source_and_importer(admin):
    outcome = import_bytes("article.txt", GOOD, user=admin, source_name="الأمصار")
    assert outcome.status == IMPORTED
    article = Article.objects.get(pk=outcome.article_id)
    assert article.source.name == "الأمصار"
    assert article.imported_by == admin
    assert article.original_filename == "article.txt"
    assert article.language == "ar"
    assert len(article.content_hash) == 64
    assert article.paragraphs.count() == 2


def test_reimporting_an_identical_article_changes_nothing():
    first = import_bytes("a.txt", GOOD)
    with assert_corpus_unchanged():
        again = import_bytes("copy-of-a.txt", GOOD, source_name="Another outlet")
    assert again.status == ALREADY_IMPORTED
    assert again.article_id == first.article_id
    assert "Already imported" in again.message


def test_the_same_text_twice_in_one_batch_is_imported_once():
    report = import_files([IncomingFile("a.txt", data=GOOD), IncomingFile("b.txt", data=GOOD)])
    assert [o.status for o in report.outcomes] == [IMPORTED, ALREADY_IMPORTED]
    assert Article.objects.count() == 1


def test_one_bad_file_does_not_stop_the_good_ones():
    report = import_files(
        [IncomingFile("good.txt", data=GOOD), IncomingFile("bad.txt", data=b"\x00\x01"), IncomingFile("other.txt", data=OTHER)]
    )
    assert [o.status for o in report.outcomes] == [IMPORTED, REJECTED, IMPORTED]
    assert report.summary() == "3 file(s): 2 imported, 0 already imported, 1 rejected."
    assert Article.objects.count() == 2


@pytest.mark.parametrize(
    "step",
    [
        "corpus.importing.service._insert_paragraphs",  # the paragraphs (plain SQL since issue 7)
        "corpus.search.index_paragraphs",  # the search index, after the paragraphs
        "corpus.duplicates.enqueue",  # the near-duplicate queue, last
    ],
)
def test_a_failure_while_saving_leaves_no_partial_article(monkeypatch, step):
    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(step, fail)
    with assert_corpus_unchanged(), pytest.raises(RuntimeError):
        import_files([IncomingFile("a.txt", data=GOOD)])
    assert not Source.objects.exists()


def test_a_race_with_another_importer_is_reported_as_already_imported(monkeypatch):
    """Another process saved the same text after our duplicate check but before our insert."""
    from corpus.importing import service

    first = import_bytes("a.txt", GOOD)
    real_lookup = service._existing_articles
    lookups = []

    def blind_first_lookup(hashes):
        lookups.append(hashes)
        return {} if len(lookups) == 1 else real_lookup(hashes)  # the first check saw nothing yet

    monkeypatch.setattr(service, "_existing_articles", blind_first_lookup)
    report = import_files([IncomingFile("a-again.txt", data=GOOD), IncomingFile("b.txt", data=OTHER)])
    assert [o.status for o in report.outcomes] == [ALREADY_IMPORTED, IMPORTED]
    assert report.outcomes[0].article_id == first.article_id
    assert Article.objects.count() == 2
    assert Paragraph.objects.count() == 4


def test_it_saves_in_batches_and_reports_in_file_order():
    files = [IncomingFile(f"{i}.txt", data=f"مقال رقم {i}\nنص {i}".encode()) for i in range(7)]
    report = import_files(files, batch_size=3)
    assert [o.name for o in report.outcomes] == [f"{i}.txt" for i in range(7)]
    assert all(o.status == IMPORTED for o in report.outcomes)
    assert Article.objects.count() == 7
    assert Paragraph.objects.filter(article__title="مقال رقم 6").values_list("text", flat=True).get(position=1) == "نص 6"


def test_it_rejects_files_over_the_size_limit(settings, tmp_path):
    settings.HAMISH_IMPORT_MAX_FILE_BYTES = 100
    big = tmp_path / "big.txt"
    big.write_bytes("ع".encode() * 200)
    with assert_corpus_unchanged():
        [outcome] = import_files(iter_paths([big])).outcomes
    assert outcome.status == REJECTED
    assert outcome.message == "The file is 400 bytes; the limit is 100 bytes."


def test_it_rejects_unsupported_file_types():
    with assert_corpus_unchanged():
        outcome = import_bytes("report.docx", GOOD)
    assert outcome.status == REJECTED
    assert "Unsupported file type '.docx'" in outcome.message


def test_it_reads_folders_recursively_in_a_stable_order_and_skips_hidden_files(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_bytes(OTHER)
    (tmp_path / "1.txt").write_bytes(GOOD)
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    report = import_files(iter_paths([tmp_path]))
    assert [o.name for o in report.outcomes] == [str(tmp_path / "1.txt"), str(tmp_path / "b" / "2.txt")]
    assert report.imported == 2


def test_a_missing_path_gets_its_own_line():
    [outcome] = import_files(iter_paths(["/nonexistent/hamish.txt"])).outcomes
    assert (outcome.status, outcome.message) == (REJECTED, "No such file or folder.")


# --- .zip archives -------------------------------------------------------------------------------


def zip_report(data, name="batch.zip"):
    return import_files(iter_archive(name, io.BytesIO(data), ImportLimits.from_settings()))


def test_it_imports_every_article_in_a_zip_and_reports_each_member():
    report = zip_report(
        make_zip([("2023/a.txt", GOOD), ("2023/b.html", b"<p>\xd9\x86\xd8\xb5</p>"), ("__MACOSX/._a.txt", b"junk")])
    )
    assert [(o.name, o.status) for o in report.outcomes] == [
        ("batch.zip/2023/a.txt", IMPORTED),
        ("batch.zip/2023/b.html", IMPORTED),
    ]


@pytest.mark.parametrize(
    ("member", "reason"),
    [
        ("../evil.txt", "climbs out of the archive"),
        ("a/../../evil.txt", "climbs out of the archive"),
        ("/etc/evil.txt", "absolute"),
        ("C:/evil.txt", "absolute"),
        ("..\\evil.txt", "climbs out of the archive"),
    ],
)
def test_it_refuses_zip_members_with_unsafe_paths_and_imports_the_rest(member, reason, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    report = zip_report(make_zip([(member, OTHER), ("ok.txt", GOOD)]))
    bad, good = report.outcomes
    assert bad.status == REJECTED and reason in bad.message and "not read" in bad.message
    assert good.status == IMPORTED
    assert Article.objects.count() == 1
    assert list(tmp_path.iterdir()) == []  # nothing was written anywhere
    assert not any(p.text == "نص آخر تماماً." for p in Paragraph.objects.all())


def test_it_refuses_an_archive_with_too_many_members(settings):
    settings.HAMISH_IMPORT_MAX_ARCHIVE_MEMBERS = 3
    with assert_corpus_unchanged():
        [outcome] = zip_report(make_zip([(f"{i}.txt", f"نص {i}".encode()) for i in range(4)])).outcomes
    assert outcome.status == REJECTED
    assert outcome.message == "The archive holds 4 files; the limit is 3. Nothing in it was imported."


def test_it_refuses_a_zip_bomb_by_its_uncompressed_size(settings):
    settings.HAMISH_IMPORT_MAX_ARCHIVE_BYTES = 1024 * 1024
    bomb = make_zip([("bomb.txt", b"a" * (2 * 1024 * 1024)), ("ok.txt", GOOD)])
    assert len(bomb) < 10_000  # it really is small on disk
    with assert_corpus_unchanged():
        [outcome] = zip_report(bomb).outcomes
    assert outcome.status == REJECTED
    assert "would unpack to 2.0 MB; the limit is 1.0 MB. Nothing in it was imported." in outcome.message


def test_it_refuses_a_member_over_the_file_limit_but_imports_the_others(settings):
    settings.HAMISH_IMPORT_MAX_FILE_BYTES = 1000
    report = zip_report(make_zip([("big.txt", "ع".encode() * 1000), ("ok.txt", GOOD)]))
    assert [o.status for o in report.outcomes] == [REJECTED, IMPORTED]
    assert "the limit is 1000 bytes" in report.outcomes[0].message


def test_it_refuses_a_damaged_archive():
    with assert_corpus_unchanged():
        [outcome] = zip_report(make_zip([("a.txt", GOOD)])[:30]).outcomes
    assert outcome.status == REJECTED
    assert "not a valid .zip archive" in outcome.message


def test_it_refuses_archives_inside_archives():
    report = zip_report(make_zip([("inner.zip", make_zip([("a.txt", GOOD)]))]))
    assert report.outcomes[0].status == REJECTED
    assert "Archives inside archives" in report.outcomes[0].message


def test_it_refuses_an_empty_archive():
    [outcome] = zip_report(make_zip([])).outcomes
    assert (outcome.status, outcome.message) == (REJECTED, "The archive is empty.")


def test_it_reads_a_zip_from_disk(tmp_path):
    path = tmp_path / "batch.zip"
    path.write_bytes(make_zip([("a.txt", GOOD), ("b.txt", OTHER)]))
    report = import_files(iter_paths([path]))
    assert report.imported == 2
