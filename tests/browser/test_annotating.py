"""Entity span annotation in a real browser: select, tag, nest, card, delete/undo, permissions, help, entities."""

import re
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import expect

from annotations.models import Entity, Span
from tests.utils import SMALL_ARTICLE, add_span, make_article

from .conftest import ConsoleLog, login, shot

pytestmark = pytest.mark.django_db(transaction=True)

EMOJI_PARAGRAPH = "🇮🇶 وصل الوزير ثابت العباسي إلى واشنطن 😀 ثم التقى لويد أوستن"

# Select `quote` (its n-th occurrence in the paragraph's textContent) with a DOM Range that may cross
# the text nodes of existing highlights. Returns the UTF-16 offset where it starts.
SELECT_JS = """
([selector, quote, occurrence]) => {
  const p = document.querySelector(selector);
  p.focus({preventScroll: true});  // as a mouse selection would: the paragraph is focusable
  const text = p.textContent;
  let index = -1;
  for (let i = 0; i <= occurrence; i++) index = text.indexOf(quote, index + 1);
  if (index < 0) throw new Error(`"${quote}" is not in ${selector}`);
  const end = index + quote.length;
  const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
  let node, seen = 0, startNode = null, startOffset = 0, endNode = null, endOffset = 0;
  while ((node = walker.nextNode())) {
    const length = node.data.length;
    if (!startNode && index < seen + length) { startNode = node; startOffset = index - seen; }
    if (end <= seen + length) { endNode = node; endOffset = end - seen; break; }
    seen += length;
  }
  const range = document.createRange();
  range.setStart(startNode, startOffset);
  range.setEnd(endNode, endOffset);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  return index;
}
"""

WORD_RECT_JS = """
([selector, quote]) => {
  const p = document.querySelector(selector);
  const node = [...p.childNodes].find((n) => n.nodeType === Node.TEXT_NODE && n.data.includes(quote));
  const range = document.createRange();
  const index = node.data.indexOf(quote);
  range.setStart(node, index);
  range.setEnd(node, index + quote.length);
  const r = range.getBoundingClientRect();
  return {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
}
"""

# Arabic letters take a different form (and width) when joining is broken. For each text node of the
# rendered paragraph (a highlight segment or the text between), its width against the width of the same
# characters in an identical paragraph holding the text as one plain text node.
JOINED_WIDTHS_JS = """
(selector) => {
  const p = document.querySelector(selector);
  const plain = p.cloneNode(false);
  plain.removeAttribute("id");
  plain.textContent = p.textContent;
  p.after(plain);
  const width = (range) => [...range.getClientRects()].reduce((sum, r) => sum + r.width, 0);
  const result = [];
  const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
  let node, seen = 0;
  while ((node = walker.nextNode())) {
    const here = document.createRange();
    here.selectNodeContents(node);
    const there = document.createRange();
    there.setStart(plain.firstChild, seen);
    there.setEnd(plain.firstChild, seen + node.data.length);
    result.push([node.data, width(here), width(there)]);
    seen += node.data.length;
  }
  plain.remove();
  return result;
}
"""

# Width of a word drawn as a whole: a Range across the segment boundary inside it.
WORD_WIDTH_JS = """
([selector, quote]) => {
  const p = document.querySelector(selector);
  const text = p.textContent, index = text.indexOf(quote), end = index + quote.length;
  const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
  let node, seen = 0, range = document.createRange(), started = false;
  while ((node = walker.nextNode())) {
    const length = node.data.length;
    if (!started && index < seen + length) { range.setStart(node, index - seen); started = true; }
    if (end <= seen + length) { range.setEnd(node, end - seen); break; }
    seen += length;
  }
  return range.getBoundingClientRect().width;
}
"""


@pytest.fixture(autouse=True)
def labels(labels):
    """Every test here needs the default labels (tests/conftest.py recreates them after flushes)."""
    return labels


def select(page, selector, quote, occurrence=0):
    return page.evaluate(SELECT_JS, [selector, quote, occurrence])


def open_article(page, live_server, article, query=""):
    page.goto(f"{live_server.url}/articles/{article.pk}/{query}")
    expect(page.locator("#p0")).to_be_visible()
    page.evaluate("document.fonts.ready.then(() => true)")


def tag(page, selector, quote, key, occurrence=0):
    """Select the quote, press the label key, wait for the server's answer; return (request form, UTF-16 start)."""
    utf16_start = select(page, selector, quote, occurrence)
    page.locator(selector).evaluate("p => { p.dataset.old = 'yes'; }")
    with page.expect_response(lambda r: r.request.method == "POST" and "/spans/" in r.url) as response:
        page.keyboard.press(key)
    assert response.value.status == 200, response.value.text()
    # Wait for htmx to swap the re-rendered paragraph in, or the next selection may be made on the old one.
    expect(page.locator(f"{selector}:not([data-old])")).to_have_count(1)
    form = {k: v[0] for k, v in parse_qs(response.value.request.post_data).items()}
    return form, utf16_start


def card_open(page, span_id):
    """Wait until the card of this span is in #span-card and htmx has settled it (made its forms work)."""
    expect(page.locator("#span-card .card")).to_have_attribute("data-span-id", str(span_id))
    expect(page.locator("#span-card.htmx-added, #span-card .htmx-added")).to_have_count(0)


def text_index_of_word_start(article, word, position=0):
    """Which occurrence of the word's first letter in the paragraph starts the word (for select())."""
    text = article.paragraphs.get(position=position).text
    return text[: text.index(word)].count(word[0])


def segment(page, selector, text):
    """The highlight segment of `selector` whose text is exactly `text`."""
    return page.locator(f"{selector} .seg", has_text=re.compile(f"^{re.escape(text)}$"))


def test_span_after_emoji_is_stored_in_code_points_and_survives_reload(page, live_server, analyst, console):
    article = make_article([EMOJI_PARAGRAPH, *SMALL_ARTICLE[1:]])
    paragraph = article.paragraphs.get(position=0)
    login(page, live_server, "analyst1", "analyst-pass-123")
    open_article(page, live_server, article)
    page.evaluate("window.__noReload = 'still here'")

    form, utf16_start = tag(page, "#p0", "لويد أوستن", "p")

    # The browser sent UTF-16 offsets: the flag (two astral code points) and 😀 take two units each.
    assert form["quote"] == "لويد أوستن" and form["label"] == "PER"
    assert int(form["start"]) == utf16_start == EMOJI_PARAGRAPH.index("لويد أوستن") + 3
    assert int(form["end"]) == utf16_start + len("لويد أوستن")

    highlight = segment(page, "#p0", "لويد أوستن")
    expect(highlight).to_have_count(1)
    expect(highlight).to_have_class(re.compile(r"\bdepth-1\b.*\bc0-PER\b"))
    assert page.evaluate("window.__noReload") == "still here", "the page was reloaded"

    span = Span.objects.get()
    assert (span.author, span.label.name, span.paragraph) == (analyst, "PER", paragraph)
    assert span.text == "لويد أوستن"
    assert paragraph.text[span.start : span.end] == span.text  # code points
    assert span.start == utf16_start - 3 and span.end == int(form["end"]) - 3
    expect(highlight).to_have_attribute("data-spans", str(span.pk))
    # The new span's card opens out of band, and the paragraph's text is untouched.
    card_open(page, span.pk)
    assert page.locator("#p0").evaluate("p => p.textContent") == EMOJI_PARAGRAPH

    page.reload()
    highlight = segment(page, "#p0", "لويد أوستن")
    expect(highlight).to_have_attribute("data-spans", str(span.pk))
    assert page.locator("#p0").evaluate("p => p.textContent") == EMOJI_PARAGRAPH
    shot(page, "annot-emoji")


def test_nested_spans_get_deeper_segments_and_keep_arabic_joined(page, live_server, analyst, article, console):
    paragraph = article.paragraphs.get(position=0)
    login(page, live_server, "analyst1", "analyst-pass-123")
    open_article(page, live_server, article)
    plain_width = page.evaluate(WORD_WIDTH_JS, ["#p0", "العراقي"])

    tag(page, "#p0", "وزير الدفاع العراقي ثابت العباسي", "p")
    tag(page, "#p0", "العراقي", "m")  # a nationality inside the person's title
    tag(page, "#p0", "العراق", "l")  # the country inside the nationality: a segment edge mid-word, ق|ي

    spans = {s.label.name: s for s in Span.objects.all()}
    assert {name: s.text for name, s in spans.items()} == {
        "PER": "وزير الدفاع العراقي ثابت العباسي",
        "MISC": "العراقي",
        "LOC": "العراق",
    }
    for s in spans.values():
        assert paragraph.text[s.start : s.end] == s.text

    per, misc, loc = spans["PER"].pk, spans["MISC"].pk, spans["LOC"].pk
    expect(segment(page, "#p0", "وزير الدفاع ")).to_have_attribute("data-spans", str(per))
    expect(segment(page, "#p0", "وزير الدفاع ")).to_have_class(re.compile(r"\bdepth-1\b"))
    inner = segment(page, "#p0", "العراق")
    expect(inner).to_have_attribute("data-spans", f"{per} {misc} {loc}")
    expect(inner).to_have_class(re.compile(r"\bdepth-3\b.*\bc0-PER c1-MISC c2-LOC\b"))
    nisba = segment(page, "#p0", "ي")
    expect(nisba).to_have_attribute("data-spans", f"{per} {misc}")
    expect(nisba).to_have_class(re.compile(r"\bdepth-2\b.*\bc0-PER c1-MISC\b"))
    expect(segment(page, "#p0", " ثابت العباسي")).to_have_class(re.compile(r"\bdepth-1\b"))
    assert page.locator("#p0").evaluate("p => p.textContent") == paragraph.text

    # The new span's card is open, and its segment (only) is marked; Escape closes both.
    card_open(page, loc)
    expect(page.locator("#p0 .seg.selected")).to_have_count(1)
    expect(inner).to_have_class(re.compile(r"\bselected\b"))
    shot(page, "annot-nested-selected")
    page.keyboard.press("Escape")
    expect(page.locator("#span-card .card")).to_have_count(0)
    expect(page.locator("#p0 .seg.selected")).to_have_count(0)

    # The layers are drawn differently: each depth adds a colour band under the text.
    shadows = [segment(page, "#p0", t).evaluate("s => getComputedStyle(s).boxShadow") for t in ("وزير الدفاع ", "ي", "العراق")]
    assert [s.count("inset") for s in shadows] == [1, 2, 3], shadows

    # Arabic stays joined across the segment edges (ق|ي inside العراقي): the word is as wide as without
    # highlights, and each piece of text is drawn exactly as wide as the same letters in plain text.
    pieces = page.evaluate(JOINED_WIDTHS_JS, "#p0")
    assert [text for text, *_ in pieces][:4] == ["وزير الدفاع ", "العراق", "ي", " ثابت العباسي"]
    for text, rendered, plain in pieces:
        assert abs(rendered - plain) < 0.25, f"{text!r} is drawn {rendered} wide, {plain} as plain text"
    assert abs(page.evaluate(WORD_WIDTH_JS, ["#p0", "العراقي"]) - plain_width) < 0.5

    # Clicking a nested highlight opens the innermost span, clicking again the next one out.
    inner.click()
    card_open(page, loc)
    inner.click()
    card_open(page, misc)
    inner.click()
    card_open(page, per)
    expect(page.locator("#p0 .seg.selected")).to_have_count(4)  # every segment of the PER span
    page.keyboard.press("Escape")
    expect(page.locator("#span-card .card")).to_have_count(0)
    page.mouse.click(5, 5)
    shot(page, "annot-nested")

    # ] and [ walk the spans in reading order (outer before inner), wrapping around.
    for key, expected in (("]", per), ("]", misc), ("]", loc), ("]", per), ("[", loc)):
        page.keyboard.press(key)
        card_open(page, expected)


def test_mouse_selection_opens_the_popup_and_its_button_labels_the_span(page, live_server, analyst, article, console):
    login(page, live_server, "analyst1", "analyst-pass-123")
    open_article(page, live_server, article)
    popover = page.locator("#label-popover")
    expect(popover).to_be_hidden()

    # Drag from just right of التحالف (its logical start, right to left) to just left of it.
    word = page.evaluate(WORD_RECT_JS, ["#p1", "التحالف"])
    middle = (word["top"] + word["bottom"]) / 2
    page.mouse.move(word["right"] + 1, middle)
    page.mouse.down()
    page.mouse.move((word["left"] + word["right"]) / 2, middle, steps=3)
    page.mouse.move(word["left"] - 1, middle, steps=3)
    page.mouse.up()

    expect(popover).to_be_visible()
    expect(popover.locator("button[data-label]")).to_have_text([re.compile(n) for n in ("PER", "ORG", "LOC", "MISC")])
    box = popover.bounding_box()
    assert box["y"] >= word["bottom"] - 1, "the popup should open under the selection"
    shot(page, "annot-popover")

    with page.expect_response(lambda r: r.request.method == "POST" and "/spans/" in r.url):
        popover.locator("button[data-label=ORG]").click()
    expect(popover).to_be_hidden()
    span = Span.objects.get()
    assert (span.label.name, span.text) == ("ORG", "التحالف")
    expect(segment(page, "#p1", "التحالف")).to_have_attribute("data-spans", str(span.pk))

    # A drag from one paragraph into the next is refused (not silently cut to the first paragraph).
    page.keyboard.press("Escape")
    a = page.evaluate(WORD_RECT_JS, ["#p0", "واشنطن"])
    b = page.evaluate(WORD_RECT_JS, ["#p2", "دانا"])
    page.mouse.move(a["right"] - 2, (a["top"] + a["bottom"]) / 2)
    page.mouse.down()
    page.mouse.move(b["left"] + 2, (b["top"] + b["bottom"]) / 2, steps=5)
    page.mouse.up()
    assert "واشنطن" in page.evaluate("getSelection().toString()")
    expect(page.locator("#flash")).to_contain_text("A span stays inside one paragraph")
    expect(popover).to_be_hidden()
    page.keyboard.press("p")
    expect(page.locator("#flash.error")).to_contain_text("A span stays inside one paragraph")
    assert Span.objects.count() == 1

    # A triple click selects a whole paragraph (the range ends at the start of the next one): tag it all.
    word = page.evaluate(WORD_RECT_JS, ["#p2", "عسكري"])
    page.mouse.click((word["left"] + word["right"]) / 2, (word["top"] + word["bottom"]) / 2, click_count=3)
    expect(popover).to_be_visible()
    with page.expect_response(lambda r: r.request.method == "POST" and "/spans/" in r.url):
        page.keyboard.press("m")
    whole = Span.objects.get(label__name="MISC")
    assert whole.text == SMALL_ARTICLE[2].strip() and (whole.start, whole.end) == (0, len(SMALL_ARTICLE[2]))


def test_refused_spans_explain_why_and_save_nothing(page, live_server, analyst, console):
    article = make_article(["قال مُحَمَّد إن الاجتماع انتهى", "فقرة ثانية"])
    login(page, live_server, "analyst1", "analyst-pass-123")
    open_article(page, live_server, article)
    flash = page.locator("#flash")

    # Ending between a letter and its shadda: the server refuses with a 422 message shown to the analyst.
    select(page, "#p0", "مُحَم")
    with page.expect_response(lambda r: r.request.method == "POST" and "/spans/" in r.url) as response:
        page.keyboard.press("p")
    assert response.value.status == 422
    expect(flash).to_have_class(re.compile(r"\berror\b"))
    expect(flash).to_have_text("The span ends between a letter and its combining mark.")
    assert not Span.objects.exists()
    expect(page.locator("#p0 .seg")).to_have_count(0)
    assert page.locator("#p0").evaluate("p => p.textContent") == "قال مُحَمَّد إن الاجتماع انتهى"

    # The whole name is fine; the same text with the same label a second time is not.
    tag(page, "#p0", "مُحَمَّد", "p")
    assert Span.objects.get().text == "مُحَمَّد"
    select(page, "#p0", "مُحَمَّد")
    with page.expect_response(lambda r: r.request.method == "POST" and "/spans/" in r.url) as response:
        page.keyboard.press("p")
    assert response.value.status == 422
    expect(flash).to_have_text("You have already tagged exactly this text with this label.")
    assert Span.objects.count() == 1
    expect(page.locator("#p0 .seg")).to_have_count(1)


def test_card_delete_and_undo_by_keyboard(page, live_server, analyst, article, console):
    login(page, live_server, "analyst1", "analyst-pass-123")
    open_article(page, live_server, article)
    tag(page, "#p0", "لويد أوستن", "p")
    span = Span.objects.get()
    original = (span.pk, span.start, span.end, span.text, span.label_id)

    page.mouse.click(5, 5)  # close nothing, just leave the selection
    page.keyboard.press("Escape")
    expect(page.locator("#span-card .card")).to_have_count(0)
    segment(page, "#p0", "لويد أوستن").click()
    card = page.locator("#span-card .card")
    card_open(page, span.pk)
    expect(card.locator("h2")).to_contain_text("PER")
    expect(card.locator(".meta")).to_contain_text("by analyst1")
    expect(card.locator(".quote")).to_have_text("لويد أوستن")
    expect(card.locator("[data-delete-span]")).to_be_in_viewport()
    expect(segment(page, "#p0", "لويد أوستن")).to_have_class(re.compile(r"\bselected\b"))
    shot(page, "annot-card")

    # Relabel from the card: the paragraph is re-rendered, the card stays open on the span and marked.
    with page.expect_response(lambda r: "/update/" in r.url):
        card.get_by_role("button", name="ORG", exact=True).click()
    expect(segment(page, "#p0", "لويد أوستن")).to_have_class(re.compile(r"\bc0-ORG\b.*\bselected\b"))
    expect(card.locator("h2")).to_contain_text("ORG")
    assert Span.objects.get().label.name == "ORG"
    with page.expect_response(lambda r: r.url.endswith("/undo/")):
        page.keyboard.press("u")  # says what it would undo
        expect(page.locator("#flash [data-undo-confirm]")).to_be_visible()
        page.keyboard.press("u")
    expect(segment(page, "#p0", "لويد أوستن")).to_have_class(re.compile(r"\bc0-PER\b"))
    assert Span.objects.get().label.name == "PER"
    expect(card).to_have_count(0)  # undo closes the card
    segment(page, "#p0", "لويد أوستن").click()
    card_open(page, span.pk)

    with page.expect_response(lambda r: "/delete/" in r.url) as response:
        page.keyboard.press("x")
    assert response.value.status == 200
    expect(page.locator("#p0 .seg")).to_have_count(0)
    expect(card).to_have_count(0)
    assert not Span.objects.exists()

    with page.expect_response(lambda r: r.url.endswith("/undo/")) as response:
        page.keyboard.press("u")  # says what it would undo

        expect(page.locator("#flash [data-undo-confirm]")).to_be_visible()

        page.keyboard.press("u")
    assert response.value.status == 200
    expect(segment(page, "#p0", "لويد أوستن")).to_have_attribute("data-spans", str(span.pk))
    restored = Span.objects.get()
    assert (restored.pk, restored.start, restored.end, restored.text, restored.label_id) == original

    # Ctrl+z undoes the next action back: the span's creation.
    with page.expect_response(lambda r: r.url.endswith("/undo/")):
        page.keyboard.press("Control+z")  # says what it would undo
        expect(page.locator("#flash [data-undo-confirm]")).to_be_visible()
        page.keyboard.press("Control+z")
    expect(page.locator("#p0 .seg")).to_have_count(0)
    assert not Span.objects.exists()

    with page.expect_response(lambda r: "/undo/preview/" in r.url) as response:
        page.keyboard.press("u")  # u first asks what it would undo: here, nothing
    assert response.value.status == 409
    expect(page.locator("#flash")).to_have_text("Nothing to undo in this article.")
    assert not Span.objects.exists()


def test_other_analyst_sees_shared_span_but_cannot_delete_it(
    page, browser, live_server, analyst, other_analyst, article, console
):
    span = add_span(article.paragraphs.get(position=0), "ثابت العباسي", "PER", author=analyst)

    context = browser.new_context()
    other = context.new_page()
    other.set_default_timeout(5_000)
    other_console = ConsoleLog(other)
    try:
        login(other, live_server, "analyst2", "analyst-pass-456")
        open_article(other, live_server, article)
        expect(other.locator("#p0 .seg")).to_have_count(0)  # by default, only one's own spans

        open_article(other, live_server, article, "?spans=all")
        highlight = segment(other, "#p0", "ثابت العباسي")
        expect(highlight).to_have_attribute("data-spans", str(span.pk))
        highlight.click()
        card = other.locator("#span-card .card")
        card_open(other, span.pk)
        expect(card.locator(".meta")).to_contain_text("by analyst1")
        expect(card).to_contain_text("Only analyst1 or an administrator may change this span.")
        expect(card.locator("[data-delete-span]")).to_have_count(0)
        expect(card.locator("form")).to_have_count(0)
        shot(other, "annot-other-analyst")

        other.keyboard.press("x")
        expect(other.locator("#flash")).to_contain_text("Only the span's author")

        status = other.evaluate(
            """async (url) => {
                const token = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
                const response = await fetch(url, {method: "POST", headers: {"X-CSRFToken": token, "HX-Request": "true"}});
                return response.status;
            }""",
            f"/spans/{span.pk}/delete/",
        )
        assert status == 403
        assert Span.objects.filter(pk=span.pk).exists()
        # Nor can analyst2 change it.
        status = other.evaluate(
            """async (url) => {
                const token = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
                const body = new URLSearchParams({label: "ORG"});
                return (await fetch(url, {method: "POST", headers: {"X-CSRFToken": token}, body})).status;
            }""",
            f"/spans/{span.pk}/update/",
        )
        assert status == 403
        assert Span.objects.get(pk=span.pk).label.name == "PER"
        other_console.assert_clean()
    finally:
        context.close()


def test_help_overlay_and_paragraph_navigation(page, live_server, analyst, article, console):
    login(page, live_server, "analyst1", "analyst-pass-123")
    open_article(page, live_server, article)
    help_box = page.locator("#help")
    expect(help_box).to_be_hidden()

    page.keyboard.press("?")
    expect(help_box).to_be_visible()
    rows = help_box.locator("tr")
    for expected in (
        "Tag the selection as PER",
        "Tag the selection as LOC",
        "Next / previous paragraph",
        "Next / previous span",
        "Delete the open span",
        "Undo your last action",
        "Show or hide this help",
    ):
        expect(rows.filter(has_text=expected)).to_have_count(1)
    expect(rows.filter(has_text="Tag the selection as ORG").locator("kbd")).to_have_text("o")
    shot(page, "annot-help")
    page.keyboard.press("Escape")
    expect(help_box).to_be_hidden()

    current = page.locator(".paragraph.current")
    expect(current).to_have_count(0)
    page.keyboard.press("j")
    expect(current).to_have_attribute("id", "p0")
    page.keyboard.press("j")
    expect(current).to_have_attribute("id", "p1")
    page.keyboard.press("j")
    page.keyboard.press("j")  # stays on the last paragraph
    expect(current).to_have_attribute("id", "p2")
    page.keyboard.press("k")
    expect(current).to_have_attribute("id", "p1")
    expect(current).to_have_count(1)

    # A label key without a selection explains itself instead of doing anything.
    page.keyboard.press("p")
    expect(page.locator("#flash")).to_contain_text("Select some text first")
    assert not Span.objects.exists()

    # Shift+arrows widen a selection; in right-to-left text, ArrowLeft goes forward in reading order.
    select(page, "#p0", "ل", occurrence=text_index_of_word_start(article, "لويد"))
    for _ in range(3):
        page.keyboard.press("Shift+ArrowLeft")
    assert page.evaluate("getSelection().toString()") == "لويد"
    expect(page.locator("#label-popover")).to_be_visible()  # opened on keyup
    for _ in range(6):
        page.keyboard.press("Shift+ArrowLeft")
    assert page.evaluate("getSelection().toString()") == "لويد أوستن"
    with page.expect_response(lambda r: r.request.method == "POST" and "/spans/" in r.url):
        page.keyboard.press("p")
    expect(page.locator("#label-popover")).to_be_hidden()
    expect(segment(page, "#p0", "لويد أوستن")).to_have_count(1)
    assert Span.objects.get().text == "لويد أوستن"

    # Keyboard only: k to the first paragraph, Shift+ArrowLeft starts at its first word, more presses widen.
    page.evaluate("getSelection().removeAllRanges()")
    page.keyboard.press("k")
    expect(current).to_have_attribute("id", "p0")
    page.keyboard.press("Shift+ArrowLeft")
    assert page.evaluate("getSelection().toString()").strip() == "وزير"
    for _ in range(len(" الدفاع")):
        page.keyboard.press("Shift+ArrowLeft")
    assert page.evaluate("getSelection().toString()").strip() == "وزير الدفاع"
    with page.expect_response(lambda r: r.request.method == "POST" and "/spans/" in r.url):
        page.keyboard.press("o")
    assert Span.objects.get(label__name="ORG").text == "وزير الدفاع"


def test_linking_spans_to_an_entity_lists_it_in_the_panel(page, live_server, analyst, console):
    article = make_article([*SMALL_ARTICLE, "وقال أوستن إن الشراكة مستمرة."])
    login(page, live_server, "analyst1", "analyst-pass-123")
    open_article(page, live_server, article)
    panel = page.locator("#entity-panel")
    expect(panel).to_contain_text("No span is linked to an entity yet")
    tag(page, "#p0", "لويد أوستن", "p")
    tag(page, "#p3", "أوستن", "p")
    first, second = Span.objects.order_by("pk")

    page.keyboard.press("Escape")
    segment(page, "#p0", "لويد أوستن").click()
    card = page.locator("#span-card .card")
    card_open(page, first.pk)
    box = card.locator("input[name=new_entity]")
    expect(box).to_have_value("لويد أوستن")  # the span's text is the suggested name
    box.fill("")
    with page.expect_response(lambda r: "/entities/search/" in r.url and "new_entity=%D9%84" in r.url):
        box.press_sequentially("لويد")
    expect(card.locator(".entity-options")).to_contain_text("No entity matches")
    box.fill("لويد  أوستن")  # the extra space is normalised away

    with page.expect_response(lambda r: "/update/" in r.url) as response:
        card.get_by_role("button", name="New PER entity with this name").click()
    assert response.value.status == 200
    entity = Entity.objects.get()
    assert (entity.name, entity.label.name, entity.created_by) == ("لويد أوستن", "PER", analyst)
    assert Span.objects.get(pk=first.pk).entity == entity

    item = panel.locator("li", has=page.locator(".entity-toggle"))
    expect(item).to_have_count(1)
    expect(item.locator(".entity-toggle")).to_have_text(re.compile("لويد أوستن"))
    expect(item.locator(".count")).to_have_text("1")
    expect(page.locator("#span-card .entity-line a")).to_have_text("لويد أوستن")
    expect(segment(page, "#p0", "لويد أوستن")).to_have_attribute("data-entities", str(entity.pk))

    # The second mention (أوستن alone) finds the entity in the autocomplete and links to it.
    page.keyboard.press("Escape")
    segment(page, "#p3", "أوستن").click()
    card_open(page, second.pk)
    box = card.locator("input[name=new_entity]")
    box.fill("")
    with page.expect_response(lambda r: "/entities/search/" in r.url and "new_entity=%D8%A3" in r.url):
        box.press_sequentially("أوستن")
    option = card.locator(".entity-option")
    expect(option).to_have_text([re.compile("لويد أوستن.*PER · 1 mention")])
    with page.expect_response(lambda r: "/update/" in r.url):
        option.click()
    assert Span.objects.get(pk=second.pk).entity == entity
    assert Entity.objects.count() == 1
    expect(item.locator(".count")).to_have_text("2")

    # A note keeps its allowed markup and loses the rest.
    note = card.locator("textarea[name=note]")
    note.fill("<b>وزير</b> الدفاع الأمريكي <img src=x onerror=alert(1)>")
    with page.expect_response(lambda r: "/update/" in r.url):
        card.get_by_role("button", name="Save note").click()
    expect(card.locator(".note-view b")).to_have_text("وزير")
    expect(card.locator(".note-view img")).to_have_count(0)
    assert Span.objects.get(pk=second.pk).note == "<b>وزير</b> الدفاع الأمريكي"

    toggle = item.locator(".entity-toggle")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".seg.entity-hit")).to_have_count(2)
    expect(segment(page, "#p0", "لويد أوستن")).to_have_class(re.compile(r"\bentity-hit\b"))
    expect(segment(page, "#p3", "أوستن")).to_have_class(re.compile(r"\bentity-hit\b"))
    expect(page.locator(".seg:not(.entity-hit)")).to_have_count(0)
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "annot-entity")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(page.locator(".seg.entity-hit")).to_have_count(0)


def test_undo_of_a_change_in_another_article_leaves_this_page_alone(page, live_server, analyst, article, console):
    other = make_article(["نص آخر لا علاقة له بالمقال الأول", "فقرة ثانية"], title="مقال آخر")
    login(page, live_server, "analyst1", "analyst-pass-123")
    open_article(page, live_server, article)
    tag(page, "#p0", "لويد أوستن", "p")

    open_article(page, live_server, other)
    own_p0 = other.paragraphs.get(position=0)
    with page.expect_response(lambda r: "/undo/preview/" in r.url):
        page.keyboard.press("u")
    # Undo here reaches only this article's actions: the span in the first article stays.
    expect(page.locator("#flash")).to_have_text("Nothing to undo in this article.")
    expect(page.locator("#p0")).to_have_attribute("data-paragraph-id", str(own_p0.pk))
    expect(page.locator("#p0")).to_have_text(own_p0.text)
    assert Span.objects.count() == 1
