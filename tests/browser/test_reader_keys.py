"""The reading view's keyboard and mouse rough edges: its messages in Arabic, j / k from what is on screen, a drag
that overshoots its paragraph, and undo that says what it will take back and reaches back only so far."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from annotations.history import UNDO_WINDOW
from annotations.models import AnnotationEvent, Span
from tests.utils import add_span, make_article

from .conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)

# Thirty paragraphs of a few lines each: the page is several screens tall.
LONG = [f"الفقرة رقم {n} من المقال، وفيها قال وزير الدفاع إن التعاون الأمني مستمر مع الحلفاء في المنطقة. " * 3 for n in range(30)]


@pytest.fixture(autouse=True)
def labels(labels):
    return labels


def open_article(page, live_server, article):
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    expect(page.locator("#p0")).to_be_visible()


# A selection made as a script would: from the start of one paragraph's text into the next's.
ACROSS_JS = """() => {
  const a = document.querySelector("#p0").firstChild, b = document.querySelector("#p1").firstChild;
  const range = document.createRange();
  range.setStart(a, 0);
  range.setEnd(b, 5);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}"""


def test_a_refused_selection_is_explained_in_arabic(page, live_server, analyst, article, settings, console):
    settings.LANGUAGE_CODE = "ar"
    login(page, live_server, "analyst1", "analyst-pass-123")
    open_article(page, live_server, article)
    page.evaluate(ACROSS_JS)
    page.keyboard.press("p")
    expect(page.locator("#flash")).to_have_text("المقتطف لا يتجاوز فقرة واحدة: حدّد نصاً داخل فقرة واحدة.")
    assert not Span.objects.exists()
    # The catalogue is the Arabic one, loaded before reader.js under the CSP (the console fixture checks).
    assert page.evaluate("gettext('No spans in this article yet.')") == "لا مقتطفات في هذا المقال بعد."
    shot(page, "reader-keys-arabic-refusal")


def wait_for_top(page):
    for _ in range(50):  # wait_for_function would eval a string, which the CSP forbids
        if page.evaluate("() => window.scrollY") == 0:
            return
        page.wait_for_timeout(100)
    raise AssertionError("the page did not scroll to the top")


def current_anchor(page):
    return page.evaluate("document.querySelector('.paragraph.current')?.id")


def test_j_starts_from_the_first_paragraph_on_screen(page, live_server, analyst, console):
    article = make_article(LONG)
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, live_server, "analyst1", "analyst-pass-123")
    open_article(page, live_server, article)
    # Work far down the article, then scroll back to the top: the current paragraph is off screen.
    page.locator("#p20").scroll_into_view_if_needed()
    page.locator("#p20").click()
    assert current_anchor(page) == "p20"
    page.evaluate("() => window.scrollTo({top: 0, behavior: 'instant'})")  # as the scroll bar would
    wait_for_top(page)
    page.wait_for_timeout(200)
    for _ in range(5):
        page.keyboard.press("j")
    expect(page.locator(".paragraph.current")).to_have_id("p4")  # p0 .. p4: five presses from the top
    # k from an off-screen current paragraph (p4, after scrolling down) lands on the last one on screen.
    page.wait_for_timeout(1600)  # j's own smooth scroll has ended
    page.locator("#p25").scroll_into_view_if_needed()
    page.wait_for_timeout(200)
    page.keyboard.press("k")
    last_seen = page.evaluate(
        """() => [...document.querySelectorAll('.paragraph')].filter((p) => {
             const r = p.getBoundingClientRect();
             return Math.min(r.bottom, innerHeight) - Math.max(r.top, 0) >= Math.min(r.height, 24);
           }).pop().id"""
    )
    assert current_anchor(page) == last_seen and int(last_seen[1:]) >= 25
    # Shift+Left from an off-screen current paragraph selects the first word of the first one on screen.
    page.wait_for_timeout(1600)  # k's smooth scroll has ended
    page.evaluate("() => window.scrollTo({top: 0, behavior: 'instant'})")
    wait_for_top(page)
    page.wait_for_timeout(1600)
    page.keyboard.press("Shift+ArrowLeft")
    assert page.evaluate("() => getSelection().anchorNode.parentElement.closest('.paragraph').id") == "p0"
    expect(page.locator(".paragraph.current")).to_have_id("p0")


def test_a_drag_that_ends_below_the_text_is_cut_back_to_its_paragraph(page, live_server, analyst, article, console):
    login(page, live_server, "analyst1", "analyst-pass-123")
    open_article(page, live_server, article)
    p1 = article.paragraphs.get(position=1)
    word = "الولايات"
    box = page.evaluate(
        """(word) => {
          const p = document.querySelector('#p1'), node = p.firstChild, i = node.data.indexOf(word);
          const range = document.createRange(); range.setStart(node, i); range.setEnd(node, i + 1);
          const r = range.getBoundingClientRect(); return {x: r.right - 1, y: r.top + r.height / 2};
        }""",
        word,
    )
    last = page.locator(".paragraph").last.bounding_box()
    page.mouse.move(box["x"], box["y"])
    page.mouse.down()
    page.mouse.move(last["x"] + 20, last["y"] + last["height"] + 150, steps=8)  # below the article's last line
    page.mouse.up()
    expect(page.locator("#label-popover")).to_be_visible()
    expect(page.locator("#flash")).to_contain_text("The selection stops at the end of the paragraph where it began")
    shot(page, "reader-keys-drag-clamped")
    with page.expect_response(lambda r: r.request.method == "POST" and "/spans/" in r.url) as response:
        page.keyboard.press("o")
    assert response.value.status == 200, response.value.text()
    span = Span.objects.get()
    start = p1.text.index(word)
    assert (span.paragraph_id, span.start, span.text) == (p1.pk, start, p1.text[start:].strip())


def select(page, selector, quote):
    """Select `quote` in the paragraph, across the text nodes of its highlights."""
    page.evaluate(
        """([selector, quote]) => {
          const p = document.querySelector(selector), index = p.textContent.indexOf(quote), end = index + quote.length;
          const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT), range = document.createRange();
          let node, seen = 0, started = false;
          while ((node = walker.nextNode())) {
            if (!started && index < seen + node.data.length) { range.setStart(node, index - seen); started = true; }
            if (end <= seen + node.data.length) { range.setEnd(node, end - seen); break; }
            seen += node.data.length;
          }
          getSelection().removeAllRanges();
          getSelection().addRange(range);
        }""",
        [selector, quote],
    )


def tag(page, selector, quote, key):
    select(page, selector, quote)
    with page.expect_response(lambda r: r.request.method == "POST" and "/spans/" in r.url) as response:
        page.keyboard.press(key)
    assert response.value.status == 200, response.value.text()


def test_undo_says_what_it_will_undo_and_reaches_back_only_so_far(page, live_server, analyst, article, console):
    login(page, live_server, "analyst1", "analyst-pass-123")
    open_article(page, live_server, article)
    tag(page, "#p0", "لويد أوستن", "p")
    expect(page.locator("#p0 .seg")).to_have_count(1)

    posted = []
    page.on("request", lambda r: posted.append(r.url) if r.method == "POST" and r.url.endswith("/undo/") else None)
    with page.expect_response(lambda r: "/undo/preview/" in r.url):
        page.keyboard.press("u")
    flash = page.locator("#flash")
    expect(flash).to_have_text("Undo your PER tag on «\u2068لويد أوستن\u2069»? Press u again to undo it. Undo")
    expect(flash.get_by_role("button", name="Undo")).to_be_visible()
    shot(page, "reader-keys-undo-offer")
    assert posted == [] and Span.objects.count() == 1  # the first press only asks
    with page.expect_response(lambda r: r.url.endswith("/undo/")) as response:
        page.keyboard.press("u")
    assert response.value.status == 200
    expect(page.locator("#p0 .seg")).to_have_count(0)
    expect(flash).to_have_text("Undone: your PER tag on «\u2068لويد أوستن\u2069».")
    assert not Span.objects.exists()

    # An offer goes stale with any other write: u after a new tag asks again, about the new tag.
    tag(page, "#p0", "وزير", "m")
    with page.expect_response(lambda r: "/undo/preview/" in r.url):
        page.keyboard.press("u")
    expect(flash).to_contain_text("Undo your MISC tag on")
    tag(page, "#p2", "دانا", "p")
    with page.expect_response(lambda r: "/undo/preview/" in r.url):
        page.keyboard.press("u")  # asks again: the offer was for the MISC tag
    expect(flash).to_contain_text("Undo your PER tag on «\u2068دانا\u2069»")
    assert len(posted) == 1 and Span.objects.count() == 2

    # Actions of yesterday are out of reach: the server says so, and nothing changes.
    AnnotationEvent.objects.update(at=timezone.now() - UNDO_WINDOW - timezone.timedelta(hours=20))
    page.wait_for_timeout(10_500)  # the offer above has lapsed (reader.js UNDO_OFFER_MS)
    with page.expect_response(lambda r: "/undo/preview/" in r.url) as response:
        page.keyboard.press("u")
    assert response.value.status == 409
    expect(flash).to_have_text(re.compile(r"^Nothing recent to undo: undo takes back only your actions of the last 2 hours\."))
    page.keyboard.press("u")
    page.wait_for_timeout(300)
    assert len(posted) == 1 and Span.objects.count() == 2


def test_everyones_spans_tell_the_annotators_apart(page, live_server, analyst, other_analyst, article, console):
    p0 = article.paragraphs.get(position=0)
    add_span(p0, "لويد أوستن", "PER", author=analyst)
    theirs = add_span(p0, "لويد أوستن", "PER", author=other_analyst)
    add_span(p0, "واشنطن", "LOC", author=other_analyst)
    login(page, live_server, "analyst1", "analyst-pass-123")
    page.goto(f"{live_server.url}/articles/{article.pk}/?spans=all")
    both = page.locator(f"#p0 .seg[data-spans~='{theirs.pk}']")
    expect(both).to_have_attribute("title", "PER · analyst1 / PER · analyst2")
    # The two bands' annotator lines are drawn in two different colours.
    lines = both.evaluate("s => [getComputedStyle(s).getPropertyValue('--a0'), getComputedStyle(s).getPropertyValue('--a1')]")
    assert lines[0].strip() and lines[1].strip() and lines[0] != lines[1]
    legend = page.locator(".annotators")
    expect(legend).to_be_visible()
    expect(legend.locator("li")).to_have_count(2)
    page.locator(".scope").scroll_into_view_if_needed()
    shot(page, "reader-keys-everyones-spans")
    # From the keyboard: the filter is a link; only analyst2's spans remain.
    legend.get_by_role("link", name="only theirs").last.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(f"#p0 .seg[data-spans='{theirs.pk}']")).to_have_count(1)
    expect(page.locator("#p0 .seg")).to_have_count(2)  # his PER and LOC, not mine
    expect(legend.locator("strong")).to_have_text("only theirs shown")
