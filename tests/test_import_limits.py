"""Imports that bad input cannot crash or run away with (issue "Trust": bad input, requests that run away).

JSON nested too deeply or with a number too long, HTML that makes a parser quadratic, archives that unpack
to far more than they weigh, URLs that are not http(s), control and separator characters in text."""

import io
import json
import random
import threading
import time
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from corpus.importing import IMPORTED, REJECTED, IncomingFile, RejectedFile, import_files
from corpus.importing.files import READ_CHUNK_BYTES, ImportLimits, iter_archive, read_at_most
from corpus.importing.formats import draft_from_file
from corpus.importing.html import extract_html
from corpus.models import Article, Paragraph
from tests.utils import assert_corpus_unchanged, import_bytes, make_article

pytestmark = pytest.mark.django_db

GOOD = "بغداد وواشنطن يؤكدان التزامهما\nأكدت العاصمة العراقية بغداد والعاصمة الأمريكية واشنطن التزامهما.".encode()
OTHER = "عنوان آخر\nنص آخر تماماً.".encode()
DEEP_JSON = b'{"paragraphs": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
LONG_NUMBER_JSON = b'{"paragraphs": ["\xd9\x86\xd8\xb5"], "title": ' + b"7" * 5000 + b"}"


def batch():
    return [
        IncomingFile("good.txt", data=GOOD),
        IncomingFile("deep.json", data=DEEP_JSON),
        IncomingFile("number.json", data=LONG_NUMBER_JSON),
        IncomingFile("other.txt", data=OTHER),
    ]


# --- JSON ---------------------------------------------------------------------------------------------------


def test_json_nested_too_deeply_or_with_a_number_too_long_is_rejected_and_the_rest_imported():
    report = import_files(batch())
    assert [o.status for o in report.outcomes] == [IMPORTED, REJECTED, REJECTED, IMPORTED]
    assert "nested too deeply" in report.outcomes[1].message
    assert "a number too long" in report.outcomes[2].message
    assert Article.objects.count() == 2


def test_the_import_page_reports_them_and_imports_the_others(staff_client):
    files = [SimpleUploadedFile(f.name, f.data) for f in batch()]
    response = staff_client.post(reverse("corpus:import"), {"files": files}, follow=True)  # to the job's page
    html = response.content.decode()
    assert response.status_code == 200
    assert "4 file(s): 2 imported, 0 already imported, 2 rejected." in html
    assert "nested too deeply" in html and "a number too long" in html
    assert Article.objects.count() == 2


def test_the_command_reports_them_and_imports_the_others(tmp_path):
    for incoming in batch():
        (tmp_path / incoming.name).write_bytes(incoming.data)
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_articles", str(tmp_path), "--no-progress", stdout=out)
    assert raised.value.returncode == 1
    assert "nested too deeply" in out.getvalue() and "a number too long" in out.getvalue()
    assert "4 file(s): 2 imported, 0 already imported, 2 rejected." in out.getvalue()
    assert Article.objects.count() == 2


# --- HTML: bounded work ---------------------------------------------------------------------------------------


def finishes_within(seconds, function, *args):
    """function(*args), run in a thread; fails the test if it is not done after `seconds` (a safety net: the
    quadratic parser this replaced took minutes on these inputs)."""
    result = {}

    def run():
        try:
            result["value"] = function(*args)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            result["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"{function.__name__} did not finish within {seconds} s"
    if "error" in result:
        raise result["error"]
    return result["value"]


PATHOLOGICAL_PAGES = {
    "unclosed attributes": '<p a="' * 50_000,  # 300 KB; 60 KB took html.parser 20 s
    "unclosed href": '<html><body><a href="x' * 20_000,
    "deep nesting": "<div>" * 100_000 + "نص",
    "100k unclosed tags": "<span>نص " * 100_000,
    "stray end tags under the depth limit": "<div>" * 990 + "</x>" * 100_000 + "<p>نص</p>",
    "a second body under the depth limit": "<div>" * 990 + "<body>" * 60_000,
    "unclosed comments": "<p>نص<!--" * 60_000,
}


def read_page(markup):
    """What the import makes of the page, without the database (the guard's thread has no test transaction)."""
    try:
        return draft_from_file(IncomingFile("page.html", data=markup.encode()))
    except RejectedFile as exc:
        return exc.reason


@pytest.mark.parametrize("markup", PATHOLOGICAL_PAGES.values(), ids=PATHOLOGICAL_PAGES.keys())
def test_pathological_pages_are_handled_in_bounded_work(markup):
    result = finishes_within(10, read_page, markup)
    # Then the real import, in the test's transaction: one report line with a reason or an article.
    outcome = import_bytes("page.html", markup.encode())
    if isinstance(result, str):
        assert (outcome.status, outcome.message) == (REJECTED, result)
    else:
        assert outcome.status == IMPORTED
        assert list(Article.objects.get(pk=outcome.article_id).paragraphs.values_list("text", flat=True)) == result.paragraphs


def test_a_page_nested_past_the_limit_is_rejected_with_the_reason_and_changes_nothing():
    with assert_corpus_unchanged():
        outcome = import_bytes("deep.html", ("<div>" * 5000 + "<p>نص</p>").encode())
    assert outcome.status == REJECTED
    assert outcome.message == "The page nests elements more than 1,000 deep (tags left open?); Hamish does not read such pages."
    # Nesting below the limit is read as before.
    outcome = import_bytes("nested.html", ("<div>" * 900 + "<p>نص عميق</p>").encode())
    assert outcome.status == IMPORTED
    assert Article.objects.get(pk=outcome.article_id).paragraphs.get().text == "نص عميق"


def best_of_three(markup):
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        extract_html(markup)
        timings.append(time.perf_counter() - started)
    return min(timings)


@pytest.mark.parametrize("unit", ['<p a="', '<a href="x', "<p>ن<b>ص</b>", "</x>"])
def test_four_times_the_input_is_not_far_more_than_four_times_the_work(unit):
    # Linear: 4x the input takes about 4x; quadratic would take 16x. 8x plus a quarter second of slack keeps a
    # busy machine from failing the test; the timeout guard above catches the quadratic case in any case.
    small = unit * 25_000
    assert best_of_three(unit * 100_000) <= 8 * best_of_three(small) + 0.25


# --- Archives: bounded memory -------------------------------------------------------------------------------

LIMIT = 128 * 1024
LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
VOCABULARY = ["".join(random.Random(i).choices(LETTERS, k=3 + i % 6)) for i in range(3000)]


def article_bytes(size, seed):
    """About `size` bytes of UTF-8 Arabic text, lines of words from a fixed vocabulary (so the search and
    near-duplicate caches are warm after a first import, and no two articles share a sentence)."""
    rng = random.Random(seed)
    lines, total = [], 0
    while total < size - 400:
        line = " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(8, 30)))
        lines.append(line)
        total += len(line.encode()) + 1
    return "\n".join(lines).encode()


def lie_about_sizes(archive_bytes, names, declared):
    """The archive with the central directory claiming `declared` bytes for members `names`."""
    data = bytearray(archive_bytes)
    with zipfile.ZipFile(io.BytesIO(archive_bytes)) as archive:
        offsets = {info.filename: info.header_offset for info in archive.infolist()}
    position = data.find(b"PK\x01\x02")
    while position != -1:
        name_length = int.from_bytes(data[position + 28 : position + 30], "little")
        name = data[position + 46 : position + 46 + name_length].decode()
        if name in names:
            assert offsets[name] >= 0
            data[position + 24 : position + 28] = declared.to_bytes(4, "little")
        position = data.find(b"PK\x01\x02", position + 46)
    return bytes(data)


def bomb_archive(good_members, seed):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for n in range(good_members):
            archive.writestr(f"good{n:02}.txt", article_bytes(int(0.9 * LIMIT), seed + n))
        for n in range(8):
            archive.writestr(f"honest-bomb{n}.txt", b"a" * (40 * LIMIT))
        for n in range(4):
            archive.writestr(f"lying-bomb{n}.txt", b"b" * (40 * LIMIT))
    return lie_about_sizes(buffer.getvalue(), {f"lying-bomb{n}.txt" for n in range(4)}, LIMIT)


def import_peak(archive_bytes):
    """(report, peak bytes allocated while importing) for the archive."""
    limits = ImportLimits(max_file_bytes=LIMIT, max_archive_bytes=1000 * LIMIT, max_archive_members=100)
    tracemalloc.start()
    try:
        baseline = tracemalloc.get_traced_memory()[0]
        report = import_files(iter_archive("bomb.zip", io.BytesIO(archive_bytes), limits))
        return report, tracemalloc.get_traced_memory()[1] - baseline
    finally:
        tracemalloc.stop()


def test_an_archive_bomb_is_imported_in_memory_that_does_not_grow_with_its_members(settings):
    settings.HAMISH_IMPORT_MAX_FILE_BYTES = LIMIT  # also the text an import batch may hold before it is saved
    import_peak(bomb_archive(2, seed=1000))  # warm the per-process caches (bounded; not this import's memory)

    report_4, peak_4 = import_peak(bomb_archive(4, seed=0))
    report_16, peak_16 = import_peak(bomb_archive(16, seed=100))

    for report, good in ((report_4, 4), (report_16, 16)):
        by_name = {o.name.split("/")[-1]: o for o in report.outcomes}
        assert [by_name[f"good{n:02}.txt"].status for n in range(good)] == [IMPORTED] * good
        for n in range(8):
            assert by_name[f"honest-bomb{n}.txt"].status == REJECTED
            assert "the limit is 128 KB" in by_name[f"honest-bomb{n}.txt"].message
        for n in range(4):
            # The header claims the limit; reading stops there, and the member is refused as damaged.
            assert by_name[f"lying-bomb{n}.txt"].status == REJECTED
    assert Article.objects.count() == 2 + 4 + 16
    # Each member's bytes go as soon as it is read and the batch is saved once it holds the limit's worth of
    # text, so four times the members costs no more memory. (Before: every draft of the archive waited in one
    # batch and peak grew with the archive: 40 members of 5 MB took a worker to 4 GB.)
    assert peak_16 < 1.3 * peak_4
    # The rest is the search index and the near-duplicate pass of at most one batch (~60x the per-file limit
    # here, mostly their per-word objects); none of it is an archive member waiting.
    assert peak_16 < 100 * LIMIT


class EndlessStream:
    """A member that never ends, whatever its header said."""

    def __init__(self):
        self.given = 0

    def read(self, size=-1):
        assert 0 < size <= READ_CHUNK_BYTES, "read in bounded chunks"
        self.given += size
        return b"a" * size


def test_a_member_is_read_in_chunks_and_given_up_just_past_the_limit():
    stream = EndlessStream()
    with pytest.raises(Exception) as raised:
        read_at_most(stream, LIMIT)
    assert type(raised.value).__name__ == "_OverLimit"
    assert LIMIT < stream.given <= LIMIT + READ_CHUNK_BYTES
    assert read_at_most(io.BytesIO(b"x" * LIMIT), LIMIT) == b"x" * LIMIT


def test_a_file_that_grew_past_the_limit_since_it_was_listed_is_rejected(tmp_path, monkeypatch):
    from corpus.importing import files

    path = tmp_path / "growing.txt"
    path.write_bytes(b"a" * (LIMIT + 1))
    # stat() says what it said when the file was small; what is read is what counts.
    monkeypatch.setattr(files.Path, "stat", lambda self, **kw: type("S", (), {"st_size": 10, "st_mode": 0o100644})())
    limits = ImportLimits(max_file_bytes=LIMIT, max_archive_bytes=10 * LIMIT, max_archive_members=10)
    [incoming] = list(files._iter_disk_file(path, "growing.txt", limits))
    assert incoming.data is None and "the limit is 128 KB" in incoming.error


# --- URLs -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["javascript:alert(document.cookie)", "data:text/html,<script>alert(1)</script>", "JaVaScRiPt:x"])
def test_a_page_whose_metadata_url_is_not_http_keeps_the_article_without_it_and_says_so(url):
    page = f'<html><head><meta property="og:url" content="{url}"></head><body><p>نص المقال</p></body></html>'
    outcome = import_bytes("page.html", page.encode())
    assert outcome.status == IMPORTED
    assert Article.objects.get(pk=outcome.article_id).url == ""
    assert any("is not a valid http(s) address" in note and "dropped" in note for note in outcome.notes)


@pytest.mark.parametrize("url", ["data:text/html,<script>alert(1)</script>", " javascript:alert(1)", "file:///etc/passwd"])
def test_article_json_with_a_url_that_is_not_http_is_rejected(url):
    with assert_corpus_unchanged():
        outcome = import_bytes("a.json", json.dumps({"paragraphs": ["نص"], "url": url}).encode())
    assert outcome.status == REJECTED
    assert "is not a valid http(s) address" in outcome.message


def test_the_reading_view_links_only_http_urls(analyst_client):
    # Rows written before the import checked URLs, or through other paths, may hold anything.
    unsafe = make_article(["نص أول"])
    Article.objects.filter(pk=unsafe.pk).update(url="javascript:alert(document.cookie)")
    safe = make_article(["نص ثان"])
    Article.objects.filter(pk=safe.pk).update(url="https://example.org/news/1")

    html = analyst_client.get(unsafe.get_absolute_url()).content.decode()
    assert 'href="javascript:' not in html
    assert "javascript:alert(document.cookie)" in html  # shown as text, not as a link
    html = analyst_client.get(safe.get_absolute_url()).content.decode()
    assert '<a href="https://example.org/news/1"' in html


# --- Text: controls and separators ----------------------------------------------------------------------------

UNWANTED = ["\n", "\r", "\x85", "\u2028", "\u2029", "\x0b", "\x0c", "\x01", "\x1f", "\x7f", "\x9b", "\u202e", "\u2066"]


def assert_clean(article):
    for text in [article.title, *article.paragraphs.values_list("text", flat=True)]:
        found = [hex(ord(c)) for c in UNWANTED if c in text]
        assert not found, f"{text!r} holds {found}"


def test_json_titles_and_paragraphs_lose_controls_and_separators_split_paragraphs():
    document = {
        "title": "عنوان\x01 مع\u202e تحكم\u2028وفاصل\x9b",
        "source": "مصدر\x07 ما",
        "paragraphs": ["الأول\u2028الثاني", "الثالث\u2029الرابع\x85الخامس", "سادس\x01"],
    }
    outcome = import_bytes("a.json", json.dumps(document).encode())
    assert outcome.status == IMPORTED, outcome.message
    article = Article.objects.get(pk=outcome.article_id)
    assert article.title == "عنوان مع تحكم وفاصل"
    assert article.source.name == "مصدر ما"
    assert list(article.paragraphs.order_by("position").values_list("text", flat=True)) == [
        "الأول", "الثاني", "الثالث", "الرابع", "الخامس", "سادس",
    ]  # fmt: skip
    assert any("from the title" in note for note in outcome.notes)
    assert_clean(article)


def test_html_titles_and_paragraphs_lose_controls_and_separators_split_paragraphs():
    page = (
        "<html><head><title>عنوان&#x1;\u202eالصفحة&#x2028;هنا</title></head><body>"
        "<p>الأول&#x2028;الثاني</p><p>الثالث\u2029الرابع</p><pre>سطر\rسطر آخر\r\nوثالث</pre></body></html>"
    )
    outcome = import_bytes("page.html", page.encode())
    assert outcome.status == IMPORTED, outcome.message
    article = Article.objects.get(pk=outcome.article_id)
    assert article.title == "عنوانالصفحة هنا"
    assert list(article.paragraphs.order_by("position").values_list("text", flat=True)) == [
        "الأول", "الثاني", "الثالث", "الرابع", "سطر", "سطر آخر", "وثالث",
    ]  # fmt: skip
    assert_clean(article)


def test_no_imported_paragraph_ever_holds_a_line_break_whatever_the_format():
    text = "أ\u2028ب\rج\x85د\x0be\x0cو\u2029ز\r\nح\x1ci"
    files = [
        IncomingFile("a.txt", data=text.encode()),
        IncomingFile("b.json", data=json.dumps({"text": text + " 2"}).encode()),
        IncomingFile("c.json", data=json.dumps({"paragraphs": [text + " 3"]}).encode()),
        IncomingFile("d.html", data=f"<html><body><p>{text} 4</p><pre>{text} 5</pre></body></html>".encode()),
    ]
    report = import_files(files)
    assert [o.status for o in report.outcomes] == [IMPORTED] * 4, [o.message for o in report.outcomes]
    for article in Article.objects.all():
        assert_clean(article)
    assert not Paragraph.objects.filter(text__contains="\n").exists()
