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

    # The article carries its own language and direction, whatever the interface's (English in the suite).
    body = page.locator("article.article")
    expect(body).to_have_attribute("dir", "rtl")
    expect(body).to_have_attribute("lang", "ar")
    expect(page.locator("article.article h1")).to_have_text(article.title)
    first = page.locator("article.article p.paragraph#p0")
    expect(first).to_be_visible()

    # What the browser holds is exactly the stored text, paragraph by paragraph and in order
    # (textContent, not innerText: the third paragraph's double space must survive).
    stored = list(Paragraph.objects.filter(article=article).order_by("position").values_list("pk", "text"))
    shown = page.locator("p.paragraph").evaluate_all("ps => ps.map(p => [Number(p.dataset.paragraphId), p.textContent, p.id])")
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
        "[...document.fonts].filter(f => f.family.replace(/\"/g, '') === 'Noto Naskh Arabic').map(f => [f.weight, f.status])"
    )
    assert ["400", "loaded"] in faces, faces
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "#p0"})["nodeId"]
    used = {f["familyName"]: f for f in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]}
    naskh = used.pop("Noto Naskh Arabic", None)
    assert naskh and naskh["isCustomFont"], f"#p0 is not drawn with the shipped webfont: {used}"
    # Every letter is drawn in Naskh; the fallback only draws what the font's unicode-range leaves out (spaces).
    spaces = stored[0][1].count(" ")
    assert sum(f["glyphCount"] for f in used.values()) == spaces, (naskh, used)
    assert naskh["glyphCount"] >= 0.8 * (len(stored[0][1]) - spaces), naskh
    heading = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "article.article h1"})["nodeId"]
    heading_fonts = [f["postScriptName"] for f in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": heading})["fonts"]]
    assert "NotoNaskhArabic-Bold" in heading_fonts, f"the title is not set in the shipped bold face: {heading_fonts}"

    shot(page, "article")


def check_run_reads_left_to_right(page, selector, start, length):
    """Each character of a Latin run is right of the one before, or starts the next line down."""
    chars = [rect(page, selector, i, i + 1) for i in range(start, start + length)]
    for a, b in zip(chars, chars[1:]):
        if same_line(a, b):
            assert a["right"] <= b["left"] + 0.5, f"characters out of order: {a} then {b}"
        else:
            assert b["top"] >= a["bottom"] - 0.5, f"run continues on a line above: {a} then {b}"
    return chars


@pytest.mark.parametrize("width", [1280, 600])
def test_latin_run_and_number_keep_left_to_right_order_inside_arabic(page, live_server, analyst, article, console, width):
    page.set_viewport_size({"width": width, "height": 800})
    login(page, live_server, "analyst1", "analyst-pass-123")
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    text = page.locator("#p1").evaluate("p => p.textContent")
    start = text.index("CJTF-OIR")
    chars = check_run_reads_left_to_right(page, "#p1", start, len("CJTF-OIR"))
    c, r = chars[0], chars[-1]
    if width == 600:
        # In a 560 px column the run fits on one line: C then R, left to right.
        assert same_line(c, r), "CJTF-OIR should fit on one line of a 560 px column"
    if same_line(c, r):
        assert c["right"] <= r["left"] + 0.5, f"C should be left of R: C={c} R={r}"

    # Logical order "… التحالف CJTF-OIR منذ 2023." reads right to left around the Latin run.
    word_before = "التحالف"
    before = rect(page, "#p1", text.index(word_before), text.index(word_before) + len(word_before))
    assert same_line(before, c)
    assert before["left"] >= c["right"] - 0.5, f"the Arabic before the run should be to its right: {before} {c}"
    after_word = rect(page, "#p1", text.index("منذ"), text.index("منذ") + 3)
    assert same_line(after_word, r)
    assert after_word["right"] <= r["left"] + 0.5, "the Arabic after the run should be to its left"

    year = text.index("2023")
    digits = check_run_reads_left_to_right(page, "#p1", year, 4)
    assert same_line(digits[0], digits[-1]), "2023 was split"
    if same_line(after_word, digits[0]):
        assert digits[-1]["right"] <= after_word["left"] + 0.5, "the year follows منذ, so it sits to its left"
    period = rect(page, "#p1", len(text) - 1, len(text))
    assert same_line(period, digits[0]) and period["right"] <= digits[0]["left"] + 0.5, (
        "the final full stop ends the right-to-left line, so it is leftmost"
    )
    shot(page, f"article-latin-run-{width}")


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
    expect(page.locator(".source-group h2 span[lang=ar]")).to_have_text(["الحرة"])
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
