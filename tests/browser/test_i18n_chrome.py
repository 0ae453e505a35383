"""The chrome in a real browser: the language switch in the header is one click, and the header, headings and
tables mirror under the Arabic interface (right to left) and come back left to right in English, while the
article text stays right to left in both."""

import pytest
from playwright.sync_api import expect

from accounts.models import Preference
from tests.utils import make_article

from .conftest import login, shot


@pytest.fixture
def arabic_default(settings):
    settings.LANGUAGE_CODE = "ar"  # the shipped default (the suite pins English)


def right_edge(box):
    return box["x"] + box["width"]


def test_the_header_switches_language_in_one_click_and_the_chrome_mirrors(page, live_server, arabic_default, analyst, console):
    article = make_article(["قال المتحدث إن التحالف باق في العراق.", "فقرة ثانية."], title="بيان التحالف")
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, live_server, "analyst1", "analyst-pass-123")
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "ar")
    brand, nav, account = (page.locator(f".topbar {part}").bounding_box() for part in (".brand", "nav", ".account"))
    assert brand["x"] > nav["x"] > account["x"], "right to left: the brand at the right, the account at the left"
    heading = page.locator("main h1").bounding_box()
    main = page.locator("main").bounding_box()
    assert right_edge(main) - right_edge(heading) < 40, "the page heading starts at the right"
    expect(page.locator("main h1")).to_have_text("المدوّنة")
    shot(page, "chrome-corpus-ar")

    page.get_by_role("button", name="English").click()  # one click, and the same page comes back in English
    expect(html).to_have_attribute("dir", "ltr")
    expect(page.locator("main h1")).to_have_text("Corpus")
    assert Preference.objects.get(user=analyst).language == "en"
    brand, nav, account = (page.locator(f".topbar {part}").bounding_box() for part in (".brand", "nav", ".account"))
    assert brand["x"] < nav["x"] < account["x"], "left to right: the brand at the left, the account at the right"
    heading = page.locator("main h1").bounding_box()
    assert heading["x"] - page.locator("main").bounding_box()["x"] < 40, "the page heading starts at the left"
    shot(page, "chrome-corpus-en")

    # The article reads right to left in the English interface too; its panel sits on the chrome's side.
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    expect(page.locator("article.article")).to_have_attribute("dir", "rtl")
    directions = page.locator("p.paragraph").evaluate_all("ps => ps.map(p => getComputedStyle(p).direction)")
    assert directions == ["rtl", "rtl"]

    page.get_by_role("button", name="العربية").click()
    expect(html).to_have_attribute("dir", "rtl")
    assert Preference.objects.get(user=analyst).language == "ar"
    expect(page.locator("article.article")).to_have_attribute("dir", "rtl")
    shot(page, "chrome-reader-ar")


def test_the_job_report_table_reads_right_to_left_in_arabic(page, live_server, arabic_default, admin, console):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, live_server, "admin", "admin-pass-123")
    page.goto(live_server.url + "/import/")
    page.set_input_files("#id_files", files=[{"name": "a.txt", "mimeType": "text/plain", "buffer": "عنوان الخبر\nنص.".encode()}])
    page.get_by_role("button", name="استيراد", exact=True).click()
    report = page.locator(".import-report table")
    expect(report).to_be_visible()
    first_header, last_header = report.locator("th").first.bounding_box(), report.locator("th").last.bounding_box()
    assert first_header["x"] > last_header["x"], "the first column (File) is the rightmost"
    cell = report.locator("td.file").first
    assert cell.evaluate("td => getComputedStyle(td).textAlign") == "start"
    assert cell.evaluate("td => getComputedStyle(td).direction") == "rtl"
    expect(report.locator("td.status").first).to_have_text("مستورد")
    shot(page, "chrome-import-report-ar")
