"""The reading side in a real browser: login, corpus list, the right-to-left article view, the filter."""

import re

import pytest
from playwright.sync_api import expect

from corpus.models import Paragraph
from tests.utils import make_article

from .conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)

RANGE_RECT_JS = """
([selector, start, end]) => {
  const node = document.querySelector(selector).firstChild;
  const range = document.createRange();
  range.setStart(node, start);
  range.setEnd(node, end);
  const r = range.getBoundingClientRect();
  return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width};
}
"""


def rect(page, selector, start, end):
    """Client rect of the characters [start, end) (UTF-16 offsets) of the element's only text node."""
    return page.evaluate(RANGE_RECT_JS, [selector, start, end])


def same_line(a, b):
    return abs(a["top"] - b["top"]) < 2 and abs(a["bottom"] - b["bottom"]) < 2


def test_anonymous_user_is_sent_to_login_then_sees_the_corpus(page, live_server, analyst, article, console):
    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.locator("h1")).to_have_text("Log in")
    expect(page.locator("#results")).to_have_count(0)  # nothing of the corpus leaks to anonymous users
    shot(page, "login")

    page.fill("#id_username", "analyst1")
    page.fill("#id_password", "analyst-pass-123")
    page.click("form.stacked button[type=submit]")

    expect(page).to_have_url(live_server.url + "/")
    expect(page.locator("h1")).to_have_text("Corpus")
    expect(page.locator(".topbar .username")).to_have_text("analyst1")
    group = page.locator(".source-group", has=page.locator("h2", has_text="الحرة"))
    link = group.locator(".article-list a")
    expect(link).to_have_text(article.title)
    expect(link).to_have_attribute("href", f"/articles/{article.pk}/")
    expect(link).to_have_attribute("dir", "rtl")
    expect(page.locator("#results")).to_contain_text("1 article")
    shot(page, "corpus-list")


def test_wrong_password_stays_on_login_with_an_error(page, live_server, analyst, console):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "analyst1")
    page.fill("#id_password", "not-the-password")
    page.click("form.stacked button[type=submit]")
    expect(page.locator("p.error[role=alert]")).to_contain_text("didn't match")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    shot(page, "login-error")


def test_article_page_renders_arabic_right_to_left_in_the_shipped_font(page, live_server, analyst, article, console):
    login(page, live_server, "analyst1", "analyst-pass-123")
    page.click(f"a[href='/articles/{article.pk}/']")
    expect(page).to_have_url(f"{live_server.url}/articles/{article.pk}/")

    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "ar")
    expect(page.locator("article.article h1")).to_have_text(article.title)
    first = page.locator("article.article p.paragraph#p0")
    expect(first).to_be_visible()

    # What the browser holds is exactly the stored text, paragraph by paragraph and in order
    # (textContent, not innerText: the third paragraph's double space must survive).
    stored = list(Paragraph.objects.filter(article=article).order_by("position").values_list("pk", "text"))
    shown = page.locator("p.paragraph").evaluate_all(
        "ps => ps.map(p => [Number(p.dataset.paragraphId), p.textContent, p.id])"
    )
    assert [(pk, text) for pk, text, _ in shown] == stored
    assert [anchor for _, _, anchor in shown] == [f"p{i}" for i in range(len(stored))]

    directions = page.locator("p.paragraph").evaluate_all("ps => ps.map(p => getComputedStyle(p).direction)")
    assert directions == ["rtl"] * len(stored)

    # Right alignment: the first (logical) letter of each paragraph sits at the column's right edge,
    # and a short paragraph leaves its space on the left.
    column = page.locator("article.article").bounding_box()
    para_box = first.bounding_box()
    assert abs(para_box["x"] + para_box["width"] - (column["x"] + column["width"])) < 2
    for position in range(len(stored)):
        first_letter = rect(page, f"#p{position}", 0, 1)
        assert abs(first_letter["right"] - (column["x"] + column["width"])) < 3, (position, first_letter, column)
    first_text = rect(page, "#p0", 0, len(stored[0][1]))
    assert first_text["left"] > column["x"] + 20, "the short first paragraph should not reach the left edge"

    # The webfont is loaded and is what the paragraphs are actually drawn with.
    page.evaluate("document.fonts.ready.then(() => true)")
    assert page.evaluate("document.fonts.check('16px \"Noto Naskh Arabic\"', 'ع')")
    faces = page.evaluate(
        "[...document.fonts].filter(f => f.family.replace(/\"/g, '') === 'Noto Naskh Arabic')"
        ".map(f => [f.weight, f.status])"
    )
    assert ["400", "loaded"] in faces, faces
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "#p0"})["nodeId"]
    used = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    assert used and used[0]["familyName"] == "Noto Naskh Arabic" and used[0]["isCustomFont"], used

    shot(page, "article")


def test_latin_run_and_number_keep_left_to_right_order_inside_arabic(page, live_server, analyst, article, console):
    login(page, live_server, "analyst1", "analyst-pass-123")
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    text = page.locator("#p1").evaluate("p => p.textContent")
    start = text.index("CJTF-OIR")
    c = rect(page, "#p1", start, start + 1)
    r = rect(page, "#p1", start + 7, start + 8)
    run = rect(page, "#p1", start, start + len("CJTF-OIR"))
    assert same_line(c, r), "CJTF-OIR was broken across lines"
    assert c["right"] <= r["left"] + 0.5, f"C should be left of R: C={c} R={r}"
    assert run["width"] >= r["right"] - c["left"] - 0.5

    # Logical order "… التحالف CJTF-OIR منذ 2023." reads right to left around the Latin run.
    word_before = "التحالف"
    before = rect(page, "#p1", text.index(word_before), text.index(word_before) + len(word_before))
    after_word = rect(page, "#p1", text.index("منذ"), text.index("منذ") + 3)
    assert same_line(before, run)
    assert before["left"] >= run["right"] - 0.5, f"the Arabic before the run should be to its right: {before} {run}"
    if same_line(after_word, run):
        assert after_word["right"] <= run["left"] + 0.5, "the Arabic after the run should be to its left"

    year = text.index("2023")
    two, three = rect(page, "#p1", year, year + 1), rect(page, "#p1", year + 3, year + 4)
    assert same_line(two, three) and two["right"] <= three["left"] + 0.5, "2023 must read 2-0-2-3 left to right"
    if same_line(after_word, two):
        assert three["right"] <= after_word["left"] + 0.5, "the year follows منذ, so it sits to its left"
    period = rect(page, "#p1", len(text) - 1, len(text))
    assert same_line(period, two) and period["right"] <= two["left"] + 0.5, "the final full stop ends the RTL line, on the left"
    shot(page, "article-latin-run")


def test_title_filter_updates_results_in_place(page, live_server, analyst, article, console):
    other = make_article(["تقرير عن أسعار النفط في الأسواق العالمية", "ارتفعت الأسعار."], source="الجزيرة")
    login(page, live_server, "analyst1", "analyst-pass-123")
    links = page.locator("#results .article-list a")
    expect(links).to_have_count(2)
    expect(page.locator("#results")).to_contain_text("2 articles")
    shot(page, "filter-before")

    page.evaluate("window.__noReload = 'still here'")
    with page.expect_response(lambda r: "q=" in r.url and r.request.headers.get("hx-request") == "true") as response:
        page.fill("#id_q", "العباسي")
    assert response.value.status == 200
    expect(links).to_have_count(1)
    expect(links).to_have_text(article.title)
    expect(page.locator("#results")).to_contain_text("1 article whose title contains")
    expect(page.locator(".source-group h2")).to_have_text(["الحرة"])
    assert page.evaluate("window.__noReload") == "still here", "the page was reloaded"
    expect(page).to_have_url(re.compile(r"\?q=%D8%A7%D9%84%D8%B9%D8%A8%D8%A7%D8%B3%D9%8A$"))  # hx-push-url
    shot(page, "filter-match")

    page.fill("#id_q", "النفط")
    expect(links).to_have_text([other.title])

    page.fill("#id_q", "لا يوجد عنوان كهذا")
    expect(page.locator("#results p.empty")).to_have_text("No article title contains “لا يوجد عنوان كهذا”.")
    expect(links).to_have_count(0)
    assert page.evaluate("window.__noReload") == "still here", "the page was reloaded"
    shot(page, "filter-empty")

    # The pushed URL works on its own too (a plain, full-page GET).
    page.reload()
    expect(page.locator("#id_q")).to_have_value("لا يوجد عنوان كهذا")
    expect(page.locator("#results p.empty")).to_be_visible()
