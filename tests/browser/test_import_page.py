"""The import page in a real browser: htmx upload, the per-file report, permissions."""

import io
import re
import zipfile

import pytest
from playwright.sync_api import expect

from corpus.models import Article, content_hash

from .conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)

GOOD_LINES = [
    "البرلمان العراقي يناقش موازنة العام المقبل",
    "ناقش مجلس النواب العراقي مشروع قانون الموازنة الاتحادية في جلسة مطولة.",
    "وقال رئيس اللجنة المالية إن التصويت قد يجري الأسبوع المقبل.",
]
ZIP_LINES = [
    "افتتاح معرض بغداد الدولي للكتاب",
    "افتتح معرض بغداد الدولي للكتاب أبوابه أمام الزوار بمشاركة مئات دور النشر.",
]


def txt(name, lines):
    return {"name": name, "mimeType": "text/plain", "buffer": "\n".join(lines).encode("utf-8")}


def in_memory_zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def submit(page, files, source=None):
    page.set_input_files("#id_files", files=files)
    if source is not None:
        page.fill("#id_source", source)
    with page.expect_response(lambda r: r.url.endswith("/import/") and r.request.method == "POST") as response:
        page.get_by_role("button", name="Import").click()
    assert response.value.status == 200
    assert response.value.request.headers.get("hx-request") == "true", "the form should post through htmx"
    report = page.locator("#import-panel .import-report")
    expect(report).to_be_visible()
    return report


def test_admin_imports_text_files_and_a_zip_through_the_page(page, live_server, admin, console):
    login(page, live_server, "admin", "admin-pass-123")
    expect(page.locator(".topbar nav a", has_text="Import")).to_have_attribute("href", "/import/")
    page.locator(".topbar nav a", has_text="Import").click()
    expect(page).to_have_url(live_server.url + "/import/")
    expect(page.locator("#id_files")).to_have_attribute("multiple", "")
    shot(page, "import-form")
    page.evaluate("window.__noReload = 1")

    # One good file, one empty file.
    report = submit(page, [txt("a.txt", GOOD_LINES), {"name": "empty.txt", "mimeType": "text/plain", "buffer": b""}])
    expect(report.locator("p.summary")).to_have_text("2 file(s): 1 imported, 0 already imported, 1 rejected.")
    expect(report.locator("tr.outcome")).to_have_count(2)
    imported = report.locator("tr.outcome.imported")
    rejected = report.locator("tr.outcome.rejected")
    expect(imported).to_have_count(1)
    expect(rejected).to_have_count(1)
    expect(imported.locator("td.file")).to_have_text("a.txt")
    expect(imported.locator("td.status")).to_have_text("imported")
    expect(imported).to_contain_text("3 paragraphs")
    expect(rejected.locator("td.file")).to_have_text("empty.txt")
    expect(rejected.locator("td").nth(2)).to_contain_text(re.compile("empty", re.IGNORECASE))
    assert page.evaluate("window.__noReload") == 1, "the import reloaded the whole page"
    # After a successful import the form is fresh: no file selected any more.
    assert page.locator("#id_files").evaluate("input => input.files.length") == 0
    shot(page, "import-report")

    article = Article.objects.get(content_hash=content_hash(GOOD_LINES))
    assert article.title == GOOD_LINES[0]
    assert article.original_filename == "a.txt"
    assert article.imported_by == admin
    assert article.source.name == "مصدر غير معروف"
    assert list(article.paragraphs.order_by("position").values_list("text", flat=True)) == GOOD_LINES
    assert Article.objects.count() == 1

    # Importing the same text again changes nothing and says so.
    report = submit(page, [txt("a-again.txt", GOOD_LINES)])
    expect(report.locator("p.summary")).to_have_text("1 file(s): 0 imported, 1 already imported, 0 rejected.")
    expect(report.locator("tr.outcome.already-imported a")).to_have_attribute("href", f"/articles/{article.pk}/")
    assert Article.objects.count() == 1

    # A zip: one good member, one that tries to climb out of the archive; filed under a chosen source.
    archive = in_memory_zip({"good.txt": "\n".join(ZIP_LINES).encode(), "../evil.txt": "نص خبيث".encode()})
    report = submit(page, [{"name": "bundle.zip", "mimeType": "application/zip", "buffer": archive}], source="  شبكة   الإعلام ")
    expect(report.locator("p.summary")).to_have_text("2 file(s): 1 imported, 0 already imported, 1 rejected.")
    expect(report.locator("tr.outcome.imported td.file")).to_have_text("bundle.zip/good.txt")
    evil = report.locator("tr.outcome.rejected")
    expect(evil.locator("td.file")).to_have_text("bundle.zip/../evil.txt")
    expect(evil).to_contain_text("climbs out of the archive")
    expect(evil).to_contain_text("not read")
    shot(page, "import-report-zip")
    zipped = Article.objects.get(content_hash=content_hash(ZIP_LINES))
    assert zipped.source.name == "شبكة الإعلام"
    assert not Article.objects.filter(paragraphs__text="نص خبيث").exists()
    assert Article.objects.count() == 2

    # Back to the first report's link: it opens the imported article.
    report = submit(page, [txt("a.txt", GOOD_LINES)])
    report.locator("tr.outcome a").click()
    expect(page).to_have_url(f"{live_server.url}/articles/{article.pk}/")
    expect(page.locator("article.article h1")).to_have_text(GOOD_LINES[0])
    expect(page.locator("p.paragraph")).to_have_text(GOOD_LINES)
    shot(page, "imported-article")


def test_link_in_imported_row_opens_the_new_article(page, live_server, admin, console):
    login(page, live_server, "admin", "admin-pass-123")
    page.goto(live_server.url + "/import/")
    report = submit(page, [txt("a.txt", GOOD_LINES)])
    link = report.locator("tr.outcome.imported a")
    expect(link).to_contain_text("Imported as")
    link.click()
    article = Article.objects.get(content_hash=content_hash(GOOD_LINES))
    expect(page).to_have_url(f"{live_server.url}/articles/{article.pk}/")
    # The interface is English here (the suite's); the article reads right to left in any interface.
    expect(page.locator("article.article")).to_have_attribute("dir", "rtl")
    expect(page.locator("p.paragraph")).to_have_text(GOOD_LINES)


def test_import_without_files_explains_itself(page, live_server, admin, article, console):
    login(page, live_server, "admin", "admin-pass-123")
    page.goto(live_server.url + "/import/")
    page.evaluate("window.__noReload = 1")
    with page.expect_response(lambda r: r.url.endswith("/import/") and r.request.method == "POST") as response:
        page.get_by_role("button", name="Import").click()
    assert response.value.status == 200
    error = page.locator("#import-panel .error[role=alert]")
    expect(error).to_have_text("Choose at least one file to import.")
    expect(page.locator(".import-report")).to_have_count(0)
    expect(page.get_by_role("button", name="Import")).to_be_enabled()  # hx-disabled-elt is undone
    assert page.evaluate("window.__noReload") == 1
    assert Article.objects.count() == 1
    shot(page, "import-no-files")


def test_analyst_may_not_import(page, live_server, analyst, console):
    login(page, live_server, "analyst1", "analyst-pass-123")
    nav = page.locator(".topbar nav")
    expect(nav.locator("a")).to_have_text(["Corpus", "Projects", "Search", "Stances", "Export"])
    expect(nav.get_by_role("link", name="Import")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("Import"))).to_have_count(0)
    shot(page, "analyst-corpus")

    response = page.goto(live_server.url + "/import/")
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("Not allowed")
    expect(page.locator("#id_files")).to_have_count(0)
    expect(page.locator(".topbar nav").get_by_role("link", name="Import")).to_have_count(0)
    shot(page, "analyst-import-403")
