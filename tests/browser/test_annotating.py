"""Entity span annotation in a real browser: select, tag, nest, card, delete/undo, permissions, help, entities."""

import re
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import expect

from annotations.models import Entity, Label, Span
from tests.utils import SMALL_ARTICLE, make_article

from .conftest import ConsoleLog, login, shot

pytestmark = pytest.mark.django_db(transaction=True)

# The data migration's labels; transaction=True tests flush them after the first test, so recreate them.
LABELS = [
    ("PER", "شخص", "#1f77b4", "p", 1),
    ("ORG", "منظمة", "#2ca02c", "o", 2),
    ("LOC", "مكان", "#d62728", "l", 3),
    ("MISC", "متفرقات", "#9467bd", "m", 4),
]

EMOJI_PARAGRAPH = "🇮🇶 وصل الوزير ثابت العباسي إلى واشنطن 😀 ثم التقى لويد أوستن"

# Select `quote` (its n-th occurrence in the paragraph's textContent) with a DOM Range that may cross
# the text nodes of existing highlights. Returns the UTF-16 offset where it starts.
SELECT_JS = """
([selector, quote, occurrence]) => {
  const p = document.querySelector(selector);
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

# Width of the paragraph's text as rendered (with highlight segments) and as one plain text node in
# an identical paragraph: if a segment edge broke Arabic joining, letters would take other forms and
# the widths would differ.
JOINED_WIDTHS_JS = """
(selector) => {
  const p = document.querySelector(selector);
  const plain = p.cloneNode(false);
  plain.removeAttribute("id");
  plain.textContent = p.textContent;
  p.after(plain);
  const width = (element) => {
    const range = document.createRange();
    range.selectNodeContents(element);
    return [...range.getClientRects()].reduce((sum, r) => sum + r.width, 0);
  };
  const result = [width(p), width(plain)];
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
def labels(db):
    for name, display_name, colour, shortcut, position in LABELS:
        Label.objects.get_or_create(
            name=name,
            defaults={"display_name": display_name, "colour": colour, "shortcut": shortcut, "position": position},
        )


def select(page, selector, quote, occurrence=0):
    return page.evaluate(SELECT_JS, [selector, quote, occurrence])


def open_article(page, live_server, article, query=""):
    page.goto(f"{live_server.url}/articles/{article.pk}/{query}")
    expect(page.locator("#p0")).to_be_visible()
    page.evaluate("document.fonts.ready.then(() => true)")


def tag(page, selector, quote, key, occurrence=0):
    """Select the quote, press the label key, wait for the server's answer; return (request form, UTF-16 start)."""
    utf16_start = select(page, selector, quote, occurrence)
    with page.expect_response(lambda r: r.request.method == "POST" and "/spans/" in r.url) as response:
        page.keyboard.press(key)
    assert response.value.status == 200, response.value.text()
    form = {k: v[0] for k, v in parse_qs(response.value.request.post_data).items()}
    return form, utf16_start


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
    expect(page.locator("#span-card .card")).to_have_attribute("data-span-id", str(span.pk))
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

    # The layers are drawn differently: each depth adds a colour band under the text.
    shadows = [segment(page, "#p0", t).evaluate("s => getComputedStyle(s).boxShadow") for t in ("وزير الدفاع ", "ي", "العراق")]
    assert [s.count("inset") for s in shadows] == [1, 2, 3], shadows

    # Arabic stays joined across the segment edges: the word is as wide as without highlights,
    # and so is the whole paragraph.
    assert abs(page.evaluate(WORD_WIDTH_JS, ["#p0", "العراقي"]) - plain_width) < 0.5
    with_segments, without = page.evaluate(JOINED_WIDTHS_JS, "#p0")
    assert abs(with_segments - without) < 0.5, (with_segments, without)

    # Clicking a nested highlight opens the innermost span, clicking again the next one out.
    inner.click()
    expect(page.locator("#span-card .card")).to_have_attribute("data-span-id", str(loc))
    inner.click()
    expect(page.locator("#span-card .card")).to_have_attribute("data-span-id", str(misc))
    inner.click()
    expect(page.locator("#span-card .card")).to_have_attribute("data-span-id", str(per))
    page.keyboard.press("Escape")
    expect(page.locator("#span-card .card")).to_have_count(0)
    page.mouse.click(5, 5)
    shot(page, "annot-nested")


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
    expect(popover.locator("button[data-label]")).to_have_text([re.compile(n) for n, *_ in LABELS])
    box = popover.bounding_box()
    assert box["y"] >= word["bottom"] - 1, "the popup should open under the selection"
    shot(page, "annot-popover")

    with page.expect_response(lambda r: r.request.method == "POST" and "/spans/" in r.url):
        popover.locator("button[data-label=ORG]").click()
    expect(popover).to_be_hidden()
    span = Span.objects.get()
    assert (span.label.name, span.text) == ("ORG", "التحالف")
    expect(segment(page, "#p1", "التحالف")).to_have_attribute("data-spans", str(span.pk))


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
    expect(card).to_have_attribute("data-span-id", str(span.pk))
    expect(card.locator("h2")).to_contain_text("PER")
    expect(card.locator(".meta")).to_contain_text("by analyst1")
    expect(card.locator(".quote")).to_have_text("لويد أوستن")
    expect(card.locator("[data-delete-span]")).to_be_visible()
    expect(segment(page, "#p0", "لويد أوستن")).to_have_class(re.compile(r"\bselected\b"))
    shot(page, "annot-card")

    with page.expect_response(lambda r: "/delete/" in r.url) as response:
        page.keyboard.press("x")
    assert response.value.status == 200
    expect(page.locator("#p0 .seg")).to_have_count(0)
    expect(card).to_have_count(0)
    assert not Span.objects.exists()

    with page.expect_response(lambda r: r.url.endswith("/undo/")) as response:
        page.keyboard.press("u")
    assert response.value.status == 200
    expect(segment(page, "#p0", "لويد أوستن")).to_have_attribute("data-spans", str(span.pk))
    restored = Span.objects.get()
    assert (restored.pk, restored.start, restored.end, restored.text, restored.label_id) == original

    # Ctrl+z undoes the next action back: the span's creation.
    with page.expect_response(lambda r: r.url.endswith("/undo/")):
        page.keyboard.press("Control+z")
    expect(page.locator("#p0 .seg")).to_have_count(0)
    assert not Span.objects.exists()

    with page.expect_response(lambda r: r.url.endswith("/undo/")) as response:
        page.keyboard.press("u")
    assert response.value.status == 409
    expect(page.locator("#flash")).to_have_text("Nothing to undo.")
    assert not Span.objects.exists()


def test_other_analyst_sees_shared_span_but_cannot_delete_it(
    page, browser, live_server, analyst, other_analyst, article, console
):
    paragraph = article.paragraphs.get(position=0)
    text = paragraph.text
    start = text.index("ثابت العباسي")
    span = Span.objects.create(
        paragraph=paragraph, start=start, end=start + len("ثابت العباسي"), text="ثابت العباسي",
        label=Label.objects.get(name="PER"), author=analyst,
    )

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
        expect(card).to_have_attribute("data-span-id", str(span.pk))
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
    for expected in ("Tag the selection as PER", "Tag the selection as LOC", "Next / previous paragraph",
                     "Next / previous span", "Delete the open span", "Undo your last action", "Show or hide this help"):
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


def test_linking_a_span_to_a_new_entity_lists_it_in_the_panel(page, live_server, analyst, article, console):
    login(page, live_server, "analyst1", "analyst-pass-123")
    open_article(page, live_server, article)
    panel = page.locator("#entity-panel")
    expect(panel).to_contain_text("No span is linked to an entity yet")
    tag(page, "#p0", "لويد أوستن", "p")
    span = Span.objects.get()

    page.keyboard.press("Escape")
    segment(page, "#p0", "لويد أوستن").click()
    card = page.locator("#span-card .card")
    expect(card).to_have_attribute("data-span-id", str(span.pk))
    box = card.locator("input[name=new_entity]")
    box.fill("")
    with page.expect_response(lambda r: "/entities/search/" in r.url and "new_entity=" in r.url):
        box.press_sequentially("لويد")
    expect(card.locator(".entity-options")).to_contain_text("No entity matches")
    box.fill("لويد  أوستن")  # extra space: names are normalised

    with page.expect_response(lambda r: "/update/" in r.url) as response:
        card.get_by_role("button", name="New PER entity with this name").click()
    assert response.value.status == 200
    entity = Entity.objects.get()
    assert (entity.name, entity.label.name, entity.created_by) == ("لويد أوستن", "PER", analyst)
    assert Span.objects.get().entity == entity

    item = panel.locator("li", has=page.locator(".entity-toggle"))
    expect(item).to_have_count(1)
    expect(item.locator(".entity-toggle")).to_have_text(re.compile("لويد أوستن"))
    expect(item.locator(".count")).to_have_text("1")
    expect(page.locator("#span-card .entity-line a")).to_have_text("لويد أوستن")
    highlight = segment(page, "#p0", "لويد أوستن")
    expect(highlight).to_have_attribute("data-entities", str(entity.pk))

    item.locator(".entity-toggle").click()
    expect(item.locator(".entity-toggle")).to_have_attribute("aria-pressed", "true")
    expect(highlight).to_have_class(re.compile(r"\bentity-hit\b"))
    shot(page, "annot-entity")
    item.locator(".entity-toggle").click()
    expect(highlight).not_to_have_class(re.compile(r"\bentity-hit\b"))

    # The autocomplete now offers the entity with its mention count.
    segment(page, "#p0", "لويد أوستن").click()
    box = page.locator("#span-card input[name=new_entity]")
    box.fill("")
    with page.expect_response(lambda r: "/entities/search/" in r.url and "new_entity=" in r.url):
        box.press_sequentially("أوستن")
    expect(page.locator("#span-card .entity-option")).to_have_text([re.compile("لويد أوستن.*PER · 1 mention")])
