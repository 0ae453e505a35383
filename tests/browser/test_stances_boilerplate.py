"""Stances and boilerplate in a real browser, on the demo seeds: record a stance from a selection, add and
remove evidence, the per-target page, boilerplate by keyboard with the clean text, permissions, undo."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from annotations.models import BoilerplateMark, Span, Stance, StanceEvidence
from annotations.stances import Choice
from corpus.models import Article
from tests.utils import add_span, add_stance, import_bytes

from .conftest import SHOTS, login, shot
from .test_annotating import card_open, open_article, segment, select, tag

pytestmark = pytest.mark.django_db(transaction=True)

DEMO = Path(__file__).resolve().parents[2] / "corpus" / "demo"

STROUL_TOPIC = "الوجود العسكري الأميركي الدائم في العراق"
STROUL_SAYS = "لا تسعى لوجود عسكري دائم في العراق"
STROUL_ADDS = "نشهد مرحلة جديدة من الشراكة الدفاعية بين الولايات المتحدة والعراق"


@pytest.fixture(autouse=True)
def defaults(labels, polarities, categories):
    """Labels, polarities and boilerplate categories (transactional tests flush the migration's rows)."""


def seed_article(number):
    """Import a demo seed through the real importer (one paragraph per non-empty line), as setup_demo does."""
    path = next(DEMO.glob(f"{number}_*.txt"))
    manifest = json.loads((DEMO / "manifest.json").read_text(encoding="utf-8"))
    source = next(entry["source"] for entry in manifest["articles"] if entry["file"] == path.name)
    outcome = import_bytes(path.name, path.read_bytes(), source_name=source)
    assert outcome.status == "imported", outcome.message
    article = Article.objects.get(pk=outcome.article_id)
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert article.paragraphs.count() == len(lines)
    return article


def shot_at(page, name, selector):
    """A viewport screenshot with `selector` in the middle (the full page of a seed is too tall to read)."""
    page.locator(selector).first.evaluate("e => e.scrollIntoView({block: 'center'})")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), caret="initial")


def paragraph_starting(article, prefix):
    return article.paragraphs.get(text__startswith=prefix)


def anchor(paragraph):
    return f"#{paragraph.anchor}"


def log_in_and_open(page, live_server, article, query="", user=("analyst1", "analyst-pass-123")):
    login(page, live_server, *user)
    open_article(page, live_server, article, query)


def stance_card(page, stance_id):
    """Wait until the stance's card is in #span-card and htmx has settled it."""
    card = page.locator("#span-card .stance-card[data-stance-id]")
    expect(card).to_have_attribute("data-stance-id", str(stance_id))
    expect(page.locator("#span-card.htmx-added, #span-card .htmx-added")).to_have_count(0)
    return card


def evidence_segments(page, selector):
    return page.locator(f"{selector} .seg.evidence")


# The underlined text of a paragraph (its evidence segments joined: other highlights may cut a passage into
# several segments), and the stances those segments name.
EVIDENCE_JS = """(selector) => {
  const segments = [...document.querySelectorAll(selector + " .seg.evidence")];
  return {text: segments.map((s) => s.textContent).join(""), stances: [...new Set(segments.map((s) => s.dataset.stances))]};
}"""


def expect_evidence(page, selector, text, stance_id=None):
    """Wait until exactly `text` is underlined in the paragraph (as evidence of `stance_id`, if given)."""
    expected = {"text": text, "stances": [str(stance_id)] if stance_id else None}
    for _ in range(50):
        found = page.evaluate(EVIDENCE_JS, selector)
        if found["text"] == text and (stance_id is None or found["stances"] == expected["stances"]):
            return
        page.wait_for_timeout(100)
    assert found == expected


def underline(locator):
    return locator.evaluate("s => getComputedStyle(s).textDecorationLine")


def start_stance(page, selector, quote):
    """Select the passage, press s; return the new-stance form once it is settled."""
    select(page, selector, quote)
    with page.expect_response(lambda r: r.request.method == "GET" and "/stances/new/" in r.url) as response:
        page.keyboard.press("s")
    assert response.value.status == 200, response.value.text()
    form = page.locator("#span-card [data-stance-form]")
    expect(form).to_be_visible()
    expect(page.locator("#span-card.htmx-added, #span-card .htmx-added")).to_have_count(0)
    return form


def save_stance(page, form, *, polarity, topic=None):
    form.get_by_role("radio", name=re.compile(f"^{polarity}")).check()
    if topic is not None:
        form.get_by_placeholder("or a topic (new or existing)").fill(topic)
    with page.expect_response(
        lambda r: r.request.method == "POST" and re.search(r"/paragraphs/\d+/stances/$", r.url)
    ) as response:
        form.get_by_role("button", name="Save stance").click()
    assert response.value.status == 200, response.value.text()
    stance = Stance.objects.order_by("-pk").first()
    return stance_card(page, stance.pk), stance


def test_recording_dana_strouls_stance_end_to_end(page, live_server, analyst, console):
    article = seed_article("001")
    paragraph = paragraph_starting(article, "وقالت نائبة مساعد وزير الدفاع")
    p = anchor(paragraph)
    log_in_and_open(page, live_server, article)
    expect(page.locator("#stance-panel")).to_contain_text("No stance yet")

    # Tag the speaker with the keyboard, then select what she said and press s.
    tag(page, p, "دانا سترول", "p")
    mention = Span.objects.get()
    form = start_stance(page, p, STROUL_SAYS)
    expect(form.locator(".quote")).to_have_text(STROUL_SAYS)
    holder = form.locator("select[name=holder]")
    expect(holder).to_be_focused()
    expect(holder).to_have_value(f"span:{mention.pk}")  # the person quoted before the evidence
    expect(holder.locator("option:checked")).to_have_text("دانا سترول · PER")
    shot_at(page, "stance-form", p)

    card, stance = save_stance(page, form, polarity="opposes", topic=STROUL_TOPIC)

    # The evidence is underlined (and only it), the panel lists the stance, its card is open.
    expect_evidence(page, p, STROUL_SAYS, stance.pk)
    evidence = evidence_segments(page, p)
    assert "underline" in underline(evidence.first)
    expect(segment(page, p, "دانا سترول")).to_have_attribute("data-spans", str(mention.pk))
    assert page.locator(p).evaluate("p => p.textContent") == paragraph.text
    expect(page.locator(f"{p} .seg.evidence:not(.selected)")).to_have_count(0)  # the open stance's evidence is marked
    items = page.locator("#stance-panel li")
    expect(items).to_have_count(1)
    expect(items.locator(".stance-open")).to_have_text(f"دانا سترول opposes {STROUL_TOPIC}")
    expect(card.locator(".holder")).to_have_text("دانا سترول")
    expect(card.locator(".polarity-badge")).to_contain_text("opposes")
    expect(card.locator(".target")).to_have_text(STROUL_TOPIC)
    expect(card.locator(".evidence-list .quote")).to_have_text([STROUL_SAYS])
    expect(card.locator(".meta")).to_contain_text("by analyst1")
    shot_at(page, "stance-saved", p)

    stance = Stance.objects.get()
    assert stance.author == analyst
    assert (stance.holder_entity.name, stance.holder_entity.label.name) == ("دانا سترول", "PER")
    assert stance.holder_span == mention
    assert stance.target_entity is None and stance.target_topic.name == STROUL_TOPIC
    assert stance.polarity.name == "opposes"
    (item,) = stance.evidence.all()
    assert item.paragraph == paragraph
    assert item.text == STROUL_SAYS == paragraph.text[item.start : item.end]

    # All of it is still there after a reload.
    page.reload()
    expect_evidence(page, p, STROUL_SAYS, stance.pk)
    expect(page.locator("#stance-panel .stance-open")).to_have_text(f"دانا سترول opposes {STROUL_TOPIC}")
    expect(page.locator("#span-card .card")).to_have_count(0)
    page.locator("#stance-panel .stance-open").click()
    card = stance_card(page, stance.pk)
    expect(card.locator(".target")).to_have_text(STROUL_TOPIC)

    # The card's target link leads to the topic's page: who holds which position toward it.
    card.get_by_role("link", name=STROUL_TOPIC).click()
    expect(page).to_have_url(re.compile(rf"/stances/topics/{stance.target_topic_id}/$"))
    expect(page.locator("h1")).to_contain_text(STROUL_TOPIC)
    table = page.locator("table.holder-table")
    headers = table.locator("thead th").all_text_contents()
    assert [h.split()[0] for h in headers] == ["Holder", "supports", "opposes", "neutral", "mixed"]
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.locator("th")).to_have_text("دانا سترول")
    cells = rows.locator("td")
    expect(cells).to_have_count(4)
    opposes = headers.index(next(h for h in headers if h.startswith("opposes"))) - 1
    for index in range(4):
        if index == opposes:
            expect(cells.nth(index)).to_have_class(re.compile(r"\bfilled\b"))
            expect(cells.nth(index).locator(".count")).to_have_text("1")
            expect(cells.nth(index).locator(".outlets")).to_have_text(article.source.name)
        else:
            expect(cells.nth(index)).to_have_text("")
    expect(page.locator(".stance-evidence blockquote")).to_have_text([STROUL_SAYS])
    shot(page, "stance-target-page")

    # The index of targets counts her stance under the topic.
    page.get_by_role("link", name="← All targets").click()
    expect(page).to_have_url(re.compile(r"/stances/$"))
    row = page.locator("table.data tbody tr", has=page.get_by_role("link", name=STROUL_TOPIC))
    expect(row.locator("td")).to_have_text([STROUL_TOPIC, "1", "1"])
    expect(page.get_by_text("No stance targets an entity yet.")).to_be_visible()
    shot(page, "stance-target-index")


def test_second_passage_added_with_e_and_removed_from_the_card(page, live_server, analyst, console):
    article = seed_article("001")
    said, added = paragraph_starting(article, "وقالت نائبة"), paragraph_starting(article, "وأضافت سترول")
    p_said, p_added = anchor(said), anchor(added)
    log_in_and_open(page, live_server, article)
    tag(page, p_said, "دانا سترول", "p")
    card, stance = save_stance(page, start_stance(page, p_said, STROUL_SAYS), polarity="opposes", topic=STROUL_TOPIC)

    # With the stance's card open, select another of her sentences and press e.
    select(page, p_added, STROUL_ADDS)
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith(f"/stances/{stance.pk}/evidence/")
    ) as response:
        page.keyboard.press("e")
    assert response.value.status == 200, response.value.text()
    card = stance_card(page, stance.pk)
    expect(card.locator(".evidence-list .quote")).to_have_text([STROUL_SAYS, STROUL_ADDS])
    expect_evidence(page, p_said, STROUL_SAYS, stance.pk)
    expect_evidence(page, p_added, STROUL_ADDS, stance.pk)
    # Each paragraph is still itself, once: no paragraph was swapped into the other's place.
    for paragraph in (said, added):
        expect(page.locator(anchor(paragraph))).to_have_count(1)
        assert page.locator(anchor(paragraph)).evaluate("p => p.textContent") == paragraph.text
    expect(page.locator(".paragraph")).to_have_count(article.paragraphs.count())
    expect(page.locator(".seg.evidence:not(.selected)")).to_have_count(0)
    assert [(e.paragraph_id, e.text) for e in StanceEvidence.objects.order_by("paragraph__position")] == [
        (said.pk, STROUL_SAYS),
        (added.pk, STROUL_ADDS),
    ]
    for item in StanceEvidence.objects.all():
        assert item.paragraph.text[item.start : item.end] == item.text
    shot_at(page, "stance-two-passages", p_said)

    # The same passage again is refused with a message.
    select(page, p_added, STROUL_ADDS)
    with page.expect_response(lambda r: r.url.endswith("/evidence/")) as response:
        page.keyboard.press("e")
    assert response.value.status == 422
    expect(page.locator("#flash.error")).to_have_text("This passage is already evidence of the stance.")
    assert StanceEvidence.objects.count() == 2

    # Remove the first passage from the card: its paragraph loses the underline, the other keeps it.
    page.evaluate("getSelection().removeAllRanges()")
    first = card.locator(".evidence-list li", has_text=STROUL_SAYS)
    with page.expect_response(lambda r: "/evidence/" in r.url and r.url.endswith("/delete/")) as response:
        first.get_by_role("button", name="Remove this passage from the evidence").click()
    assert response.value.status == 200, response.value.text()
    card = stance_card(page, stance.pk)
    expect(card.locator(".evidence-list .quote")).to_have_text([STROUL_ADDS])
    expect(evidence_segments(page, p_said)).to_have_count(0)
    expect_evidence(page, p_added, STROUL_ADDS, stance.pk)
    for paragraph in (said, added):
        expect(page.locator(anchor(paragraph))).to_have_count(1)
        assert page.locator(anchor(paragraph)).evaluate("p => p.textContent") == paragraph.text
    expect(segment(page, p_said, "دانا سترول")).to_have_count(1)  # her span stays
    assert list(StanceEvidence.objects.values_list("paragraph_id", "text")) == [(added.pk, STROUL_ADDS)]
    # The last passage cannot be removed: the card offers no remove button for it.
    expect(card.get_by_role("button", name="Remove this passage from the evidence")).to_have_count(0)

    page.reload()
    expect(evidence_segments(page, p_said)).to_have_count(0)
    expect_evidence(page, p_added, STROUL_ADDS, stance.pk)


CAPTION_JS = "p => getComputedStyle(p, '::before').content"
# Folded: its height is capped (at the caption and one line of text), and whatever is longer is cut off.
FOLDED_JS = """p => {
  const cap = getComputedStyle(p).maxHeight;
  return cap !== "none" && p.getBoundingClientRect().height <= parseFloat(cap) + 0.5 && getComputedStyle(p).overflowY === "hidden";
}"""
CLIPPED_JS = "p => p.scrollHeight > p.clientHeight + 4"
# Whether a highlight lies within its paragraph's box (a folded paragraph cuts off what is below).
INSIDE_PARAGRAPH_JS = """s => {
  const inner = s.getBoundingClientRect(), outer = s.closest(".paragraph").getBoundingClientRect();
  return outer.top <= inner.top && inner.bottom <= outer.bottom;
}"""


def press_until_current(page, key, paragraph):
    """Press j or k until `paragraph` is the current one (at most once per paragraph)."""
    current = page.locator(".paragraph.current")
    for _ in range(paragraph.article.paragraphs.count() + 1):
        if current.count() == 1 and current.get_attribute("id") == paragraph.anchor:
            return
        page.keyboard.press(key)
    expect(current).to_have_attribute("id", paragraph.anchor)


def press_b(page, paragraph):
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith(f"/paragraphs/{paragraph.pk}/boilerplate/change/")
    ) as response:
        page.keyboard.press("b")
    assert response.value.status == 200, response.value.text()
    # Wait for the re-rendered paragraph and the card to settle.
    expect(page.locator("#span-card .boilerplate-card")).to_have_attribute("data-boilerplate-paragraph", str(paragraph.pk))
    expect(page.locator(".htmx-added, .htmx-settling")).to_have_count(0)
    return response.value


def summary_text(marked, total, clean_paragraphs, clean_characters):
    return (
        f"{marked} of {total} paragraphs marked. Clean text: {clean_paragraphs} paragraph{'s' if clean_paragraphs != 1 else ''}, "
        f"{clean_characters} characters."
    )


def clean_summary(article, marked_ids):
    kept = [p for p in article.paragraphs.order_by("position") if p.pk not in marked_ids]
    return summary_text(len(marked_ids), article.paragraphs.count(), len(kept), sum(len(p.text) for p in kept) + len(kept) - 1)


def test_read_also_paragraphs_marked_as_boilerplate_by_keyboard(page, live_server, analyst, console):
    article = seed_article("003")
    related = list(article.paragraphs.filter(text__startswith="إقرأ أيضا").order_by("position"))
    assert len(related) == 3
    log_in_and_open(page, live_server, article)
    summary = page.locator("#boilerplate-summary p").first
    expect(summary).to_have_text(clean_summary(article, set()))
    expect(page.locator(".paragraph.boilerplate")).to_have_count(0)
    # ? lists the new keys.
    page.keyboard.press("?")
    rows = page.locator("#help tr")
    for key, text in (
        ("s", "Record a stance"),
        ("e", "Add the selection as evidence"),
        ("b", "Mark the current paragraph as boilerplate"),
    ):
        expect(rows.filter(has_text=text).locator("kbd")).to_have_text(key)
    page.keyboard.press("Escape")
    expect(page.locator("#help")).to_be_hidden()

    # Keyboard only: j to each «إقرأ أيضا» paragraph, b marks it, guessing the category "related links".
    marked = set()
    for paragraph in related:
        p = anchor(paragraph)
        press_until_current(page, "j", paragraph)
        full_height = page.locator(p).evaluate("p => p.getBoundingClientRect().height")
        response = press_b(page, paragraph)
        marked.add(paragraph.pk)
        element = page.locator(p)
        expect(element).to_have_class(re.compile(r"\bboilerplate\b"))
        expect(element).to_have_attribute("data-boilerplate", "Boilerplate: related links")
        assert element.evaluate(CAPTION_JS) == '"Boilerplate: related links · click to show"'
        assert element.evaluate(FOLDED_JS), "a boilerplate paragraph is folded"
        # Folded to the caption and at most one line: a paragraph of several lines is cut off.
        lines = round(full_height / element.evaluate("p => parseFloat(getComputedStyle(p).lineHeight)"))
        assert element.evaluate(CLIPPED_JS) == (lines > 1), (paragraph.anchor, lines)
        assert element.evaluate("p => p.textContent") == paragraph.text  # the caption is not text
        expect(page.locator(".paragraph.current")).to_have_attribute("id", paragraph.anchor)
        expect(summary).to_have_text(clean_summary(article, marked))
        assert "hamish:flash" in response.headers.get("hx-trigger", "")
        expect(page.locator("#flash")).to_have_text("Marked as boilerplate (related links).")
        card = page.locator("#span-card .boilerplate-card")
        expect(card).to_contain_text("You marked it as related links")
        expect(card.get_by_role("button", name="related links")).to_have_attribute("aria-pressed", "true")
    marks = BoilerplateMark.objects.select_related("category").order_by("paragraph__position")
    assert [(m.paragraph_id, m.category.name, m.author) for m in marks] == [(p.pk, "related", analyst) for p in related]
    expect(page.locator(".paragraph.boilerplate")).to_have_count(3)
    page.keyboard.press("Escape")
    shot_at(page, "boilerplate-collapsed", anchor(related[0]))

    # The clean text page leaves them out and keeps every other paragraph, in order.
    page.locator("#boilerplate-summary").get_by_role("link", name="Read the clean text").click()
    expect(page).to_have_url(re.compile(rf"/articles/{article.pk}/clean/$"))
    kept = [p for p in article.paragraphs.order_by("position") if p.pk not in marked]
    expect(page.locator(".clean-text .paragraph")).to_have_text([p.text for p in kept])
    expect(page.locator(".clean-text")).not_to_contain_text("إقرأ أيضا")
    expect(page.get_by_text(re.compile(r"Clean text: 30 paragraphs, 3 left out as boilerplate"))).to_be_visible()
    shot(page, "boilerplate-clean-text")
    # Back to the article: it shows the marks made since it was first loaded, not a stale cached copy.
    page.go_back()
    expect(page).to_have_url(re.compile(rf"/articles/{article.pk}/$"))
    expect(page.locator(".paragraph.boilerplate")).to_have_count(3)

    # One click on a folded paragraph opens it in full, and its card.
    first = page.locator(anchor(related[0]))
    first.click()
    expect(first).to_have_class(re.compile(r"\bexpanded\b"))
    assert not first.evaluate(FOLDED_JS) and not first.evaluate(CLIPPED_JS)
    assert first.evaluate(CAPTION_JS) == '"Boilerplate: related links"'
    card = page.locator("#span-card .boilerplate-card")
    expect(card).to_have_attribute("data-boilerplate-paragraph", str(related[0].pk))
    expect(card).to_contain_text("You marked it as related links")
    assert page.locator(anchor(related[1])).evaluate(FOLDED_JS)  # the others stay folded
    shot_at(page, "boilerplate-expanded", anchor(related[0]))

    # "Show boilerplate" shows them all in full; unticked, they fold again.
    checkbox = page.get_by_label("Show boilerplate paragraphs in full")
    checkbox.check()
    for paragraph in related[1:]:
        assert not page.locator(anchor(paragraph)).evaluate(FOLDED_JS)
    shot_at(page, "boilerplate-shown", anchor(related[1]))
    checkbox.uncheck()
    assert page.locator(anchor(related[1])).evaluate(FOLDED_JS)

    # b again on the clicked (current) paragraph unmarks it (the ticked checkbox keeps the focus: keys still work).
    expect(checkbox).to_be_focused()
    expect(page.locator(".paragraph.current")).to_have_attribute("id", related[0].anchor)
    press_b(page, related[0])
    marked.discard(related[0].pk)
    expect(first).not_to_have_class(re.compile(r"\bboilerplate\b"))
    expect(first).not_to_have_attribute("data-boilerplate", re.compile("."))
    # Unmarked, it shows the hint again: it still looks like boilerplate, and says why.
    assert first.evaluate(CAPTION_JS).startswith('"Looks like boilerplate (related links')
    expect(page.locator("#flash")).to_have_text("No longer boilerplate.")
    expect(summary).to_have_text(clean_summary(article, marked))
    assert set(BoilerplateMark.objects.values_list("paragraph_id", flat=True)) == marked


def test_marking_a_paragraph_with_a_span_warns_that_the_span_is_kept(page, live_server, analyst, console):
    article = seed_article("001")
    caption = paragraph_starting(article, "العباسي 1")  # a photo caption between two paragraphs
    p = anchor(caption)
    log_in_and_open(page, live_server, article)
    tag(page, p, "العباسي", "p")
    span = Span.objects.get()
    expect(page.locator(".paragraph.current")).to_have_attribute("id", caption.anchor)

    press_b(page, caption)
    flash = page.locator("#flash")
    expect(flash).to_have_text(
        "Marked as boilerplate (other). This paragraph holds 1 span. It is kept, and stays in the full export."
    )
    expect(flash).to_have_class("flash warning")  # not the plain news of a mark
    expect(page.locator(p)).to_have_class(re.compile(r"\bboilerplate\b"))
    shot_at(page, "boilerplate-kept-warning", p)

    # The span is kept: in the database, and in the paragraph once it is opened.
    assert Span.objects.get() == span
    assert BoilerplateMark.objects.get().paragraph == caption
    page.locator(p).click()
    expect(page.locator(p)).to_have_class(re.compile(r"\bexpanded\b"))
    expect(segment(page, p, "العباسي")).to_have_attribute("data-spans", str(span.pk))
    # Once open, the span is clicked like any other, and the paragraph stays open while one works in it.
    segment(page, p, "العباسي").click()
    card_open(page, span.pk)
    tag(page, p, "قريش", "o")
    # Past htmx's settle, which gives the swapped-in paragraph the server's class list (without expanded).
    expect(page.locator(".htmx-added, .htmx-settling")).to_have_count(0)
    expect(page.locator(p)).to_have_class(re.compile(r"\bboilerplate\b.*\bexpanded\b"))
    expect(segment(page, p, "قريش")).to_have_count(1)
    assert Span.objects.count() == 2

    # A paragraph without annotations gets no warning.
    other = paragraph_starting(article, "واشنطن -بغداد")
    page.keyboard.press("Escape")
    press_until_current(page, "k", other)
    press_b(page, other)
    expect(flash).to_have_text("Marked as boilerplate (other).")
    expect(flash).to_have_class("flash info")
    assert Span.objects.count() == 2

    # A span on a later line of a long paragraph is hidden once the paragraph folds; ] to the span opens it.
    long = paragraph_starting(article, "وقع الجانبان")
    tag(page, anchor(long), "الحشد الشعبي", "o")
    militia = Span.objects.get(text="الحشد الشعبي")
    press_b(page, long)
    expect(flash).to_have_text(re.compile(r"This paragraph holds 1 span\."))
    folded = page.locator(anchor(long))
    assert folded.evaluate(FOLDED_JS) and folded.evaluate(CLIPPED_JS)
    hidden = segment(page, anchor(long), "الحشد الشعبي")
    assert not hidden.evaluate(INSIDE_PARAGRAPH_JS), "the span is below the folded paragraph's edge"
    page.keyboard.press("Escape")
    page.keyboard.press("]")  # the first span in reading order
    card_open(page, militia.pk)
    expect(folded).to_have_class(re.compile(r"\bexpanded\b"))
    expect(hidden).to_be_in_viewport()
    assert hidden.evaluate(INSIDE_PARAGRAPH_JS), "the span is drawn inside its opened paragraph"


def stroul_stance(article, author, polarities, evidence=STROUL_SAYS):
    """Stroul's stance recorded by `author` through the services, with her tagged mention as holder."""
    paragraph = paragraph_starting(article, "وقالت نائبة")
    mention = add_span(paragraph, "دانا سترول", "PER", author=author)
    stance = add_stance(
        paragraph,
        evidence,
        author=author,
        holder=Choice("span", mention.pk),
        target=Choice("name", name=STROUL_TOPIC),
        polarity=polarities["opposes"],
    )
    return paragraph, mention, stance


def test_another_analysts_stance_is_shown_but_cannot_be_changed(page, live_server, analyst, other_analyst, polarities, console):
    article = seed_article("001")
    paragraph, _, stance = stroul_stance(article, analyst, polarities)
    p = anchor(paragraph)

    log_in_and_open(page, live_server, article, user=("analyst2", "analyst-pass-456"))
    expect(evidence_segments(page, p)).to_have_count(0)  # by default, only one's own annotations
    expect(page.locator("#stance-panel")).to_contain_text("No stance yet")

    open_article(page, live_server, article, "?spans=all")
    expect_evidence(page, p, STROUL_SAYS, stance.pk)
    item = page.locator("#stance-panel li")
    expect(item.locator(".stance-open")).to_have_text(f"دانا سترول opposes {STROUL_TOPIC}")
    expect(item.locator(".muted")).to_have_text("analyst1")

    evidence_segments(page, p).first.click()
    card = stance_card(page, stance.pk)
    expect(card.locator(".meta")).to_contain_text("by analyst1")
    expect(card).to_contain_text("Only analyst1 or an administrator may change this stance.")
    expect(card.locator("form")).to_have_count(0)
    expect(card.get_by_role("button")).to_have_count(0)
    expect(card.get_by_text("press e to add it")).to_have_count(0)
    shot_at(page, "stance-other-analyst", p)

    # x does not delete it, nor does e add evidence to it: each says why, and sends nothing.
    writes = []
    page.on("request", lambda request: writes.append(request.url) if request.method == "POST" else None)
    page.keyboard.press("x")
    expect(page.locator("#flash.error")).to_have_text("Only the stance's author or an administrator may delete it.")
    select(page, anchor(paragraph_starting(article, "وأضافت سترول")), STROUL_ADDS)
    page.keyboard.press("e")
    expect(page.locator("#flash.error")).to_have_text("Only the stance's author or an administrator may change it.")
    assert writes == []
    assert Stance.objects.filter(pk=stance.pk).exists() and StanceEvidence.objects.count() == 1

    # After analyst2's own write re-renders the panel, it still says whose stance it is.
    page.keyboard.press("Escape")
    tag(page, p, "سترول", "p")
    expect(page.locator("#span-card .card")).to_have_attribute("data-span-id", str(Span.objects.get(author=other_analyst).pk))
    expect(item.locator(".muted")).to_have_text("analyst1")

    # The server refuses it too.
    status = page.evaluate(
        """async (url) => {
            const token = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
            return (await fetch(url, {method: "POST", headers: {"X-CSRFToken": token, "HX-Request": "true"}})).status;
        }""",
        f"/stances/{stance.pk}/delete/",
    )
    assert status == 403
    assert Stance.objects.filter(pk=stance.pk).exists()


def test_undo_removes_a_new_stance_and_restores_boilerplate_marks(page, live_server, analyst, console):
    article = seed_article("001")
    said = paragraph_starting(article, "وقالت نائبة")
    p = anchor(said)
    log_in_and_open(page, live_server, article)
    tag(page, p, "دانا سترول", "p")
    mention = Span.objects.get()

    # The form filled from the keyboard alone: Tab to the polarities, an arrow to "opposes", Tab to the
    # topic box, type, Enter.
    form = start_stance(page, p, STROUL_SAYS)
    expect(form.locator("select[name=holder]")).to_be_focused()
    for _ in range(3):
        page.keyboard.press("Tab")
    expect(form.get_by_role("radio", name=re.compile("^supports"))).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(form.get_by_role("radio", name=re.compile("^opposes"))).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(form.locator("input[name=target_name]")).to_be_focused()
    page.keyboard.type(STROUL_TOPIC)
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/stances/")) as response:
        page.keyboard.press("Enter")
    assert response.value.status == 200, response.value.text()
    stance_card(page, Stance.objects.get().pk)
    expect_evidence(page, p, STROUL_SAYS, Stance.objects.get().pk)
    assert Stance.objects.get().polarity.name == "opposes" and Stance.objects.get().target_topic.name == STROUL_TOPIC

    def undo(expected_flash):
        with page.expect_response(lambda r: r.url.endswith("/undo/")) as response:
            page.keyboard.press("u")  # says what it would undo
            expect(page.locator("#flash [data-undo-confirm]")).to_be_visible()
            page.keyboard.press("u")
        assert response.value.status == 200, response.value.text()
        expect(page.locator("#flash")).to_have_text(re.compile("^" + re.escape(expected_flash)))  # then what it was
        expect(page.locator(".htmx-added, .htmx-settling")).to_have_count(0)

    undo("Undone: your new stance")
    expect(evidence_segments(page, p)).to_have_count(0)
    expect(page.locator("#stance-panel")).to_contain_text("No stance yet")
    expect(page.locator("#span-card .card")).to_have_count(0)
    expect(segment(page, p, "دانا سترول")).to_have_attribute("data-spans", str(mention.pk))  # one step back only
    assert not Stance.objects.exists() and not StanceEvidence.objects.exists()
    assert Span.objects.get() == mention

    # Boilerplate: b marks the byline (guessed), a card button changes its category, b unmarks;
    # each u goes one step back.
    byline = paragraph_starting(article, "آخر تحديث")
    b = page.locator(anchor(byline))
    press_until_current(page, "k", byline)
    press_b(page, byline)
    expect(b).to_have_attribute("data-boilerplate", "Boilerplate: byline, dateline or credit")
    undo("Undone: your boilerplate mark")
    expect(b).not_to_have_class(re.compile(r"\bboilerplate\b"))
    assert not BoilerplateMark.objects.exists()

    press_b(page, byline)
    card = page.locator("#span-card .boilerplate-card")
    with page.expect_response(lambda r: r.url.endswith("/boilerplate/change/")):
        card.get_by_role("button", name="caption").click()
    expect(b).to_have_attribute("data-boilerplate", "Boilerplate: caption")
    expect(card.get_by_role("button", name="caption")).to_have_attribute("aria-pressed", "true")
    press_b(page, byline)
    expect(b).not_to_have_class(re.compile(r"\bboilerplate\b"))
    assert not BoilerplateMark.objects.exists()

    undo("Undone: the removal of a boilerplate mark")
    expect(b).to_have_attribute("data-boilerplate", "Boilerplate: caption")
    assert BoilerplateMark.objects.get().category.name == "caption"
    undo("Undone: your change to the boilerplate mark")
    expect(b).to_have_attribute("data-boilerplate", "Boilerplate: byline, dateline or credit")
    assert BoilerplateMark.objects.get().category.name == "byline"
    expect(page.locator("#boilerplate-summary p").first).to_have_text(clean_summary(article, {byline.pk}))
    undo("Undone: your boilerplate mark")
    expect(b).not_to_have_class(re.compile(r"\bboilerplate\b"))
    assert not BoilerplateMark.objects.exists()
    expect(page.locator("#boilerplate-summary p").first).to_have_text(clean_summary(article, set()))
    expect(page.locator(".paragraph.current")).to_have_attribute("id", byline.anchor)


def test_clicks_on_evidence_open_the_stance_and_cycle_through_a_span_inside(page, live_server, analyst, polarities, console):
    article = seed_article("001")
    # The evidence is the whole clause, so the country named in it is both a span and evidence.
    paragraph, mention, stance = stroul_stance(
        article, analyst, polarities, evidence="الولايات المتحدة “لا تسعى لوجود عسكري دائم في العراق”"
    )
    country = add_span(paragraph, "الولايات المتحدة", "LOC", author=analyst)
    p = anchor(paragraph)

    log_in_and_open(page, live_server, article)
    expect(evidence_segments(page, p)).to_have_text(["الولايات المتحدة", " “لا تسعى لوجود عسكري دائم في العراق”"])
    both = segment(page, p, "الولايات المتحدة")
    expect(both).to_have_class(re.compile(r"\bevidence\b"))
    expect(both).to_have_attribute("data-spans", str(country.pk))
    expect(both).to_have_attribute("data-stances", str(stance.pk))
    assert "underline" in underline(both)  # underlined under its colour band

    # A click on evidence opens the stance, and marks all of its evidence.
    plain = page.locator(f"{p} .seg.evidence:not([data-spans~='{country.pk}'])")
    plain.click()
    stance_card(page, stance.pk)
    expect(page.locator(".seg.selected")).to_have_count(2)
    shot_at(page, "stance-click-evidence", p)

    # On the country: its span first, then the stance, then the span again.
    both.click()
    card_open(page, country.pk)
    expect(page.locator(".seg.selected")).to_have_count(1)
    both.click()
    stance_card(page, stance.pk)
    both.click()
    card_open(page, country.pk)
    both.click()
    stance_card(page, stance.pk)

    # Once the card is closed, the next click starts again at the span.
    page.keyboard.press("Escape")
    expect(page.locator("#span-card .card")).to_have_count(0)
    both.click()
    card_open(page, country.pk)

    # The holder's mention, outside the evidence, only opens its span.
    page.keyboard.press("Escape")
    segment(page, p, "دانا سترول").click()
    card_open(page, mention.pk)
    segment(page, p, "دانا سترول").click()
    card_open(page, mention.pk)


def test_stance_from_the_popup_edited_deleted_and_restored(page, live_server, analyst, console):
    article = seed_article("001")
    said, wished = paragraph_starting(article, "وقالت نائبة"), paragraph_starting(article, "وتابعت سترول")
    log_in_and_open(page, live_server, article)
    tag(page, anchor(said), "دانا سترول", "p")
    mention = Span.objects.get()

    # Esc leaves a new-stance form (whose first field has the focus) without saving anything.
    start_stance(page, anchor(said), STROUL_SAYS)
    expect(page.locator("#span-card select[name=holder]")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#span-card .card")).to_have_count(0)
    # From a box with unsaved text, the first Esc only leaves the box; the second closes the form.
    form = start_stance(page, anchor(said), STROUL_SAYS)
    note = form.locator("textarea[name=note]")
    note.fill("ملاحظة")
    page.keyboard.press("Escape")
    expect(note).not_to_be_focused()
    expect(note).to_have_value("ملاحظة")
    page.keyboard.press("Escape")
    expect(page.locator("#span-card .card")).to_have_count(0)
    assert not Stance.objects.exists()

    # A triple click takes her whole paragraph; the popup's Stance button opens the form for it.
    p = anchor(wished)
    box = page.locator(p).bounding_box()
    page.mouse.click(box["x"] + box["width"] - 40, box["y"] + 20, click_count=3)
    popover = page.locator("#label-popover")
    expect(popover).to_be_visible()
    expect(popover.get_by_role("button", name="Evidence")).to_be_hidden()  # no stance is open
    with page.expect_response(lambda r: "/stances/new/" in r.url):
        popover.get_by_role("button", name="Stance").click()
    expect(popover).to_be_hidden()
    form = page.locator("#span-card [data-stance-form]")
    expect(form.locator(".quote")).to_have_text(wished.text)
    holder = form.locator("select[name=holder]")
    expect(holder).to_have_value("")  # nobody is tagged in this paragraph
    holder.select_option(label="دانا سترول · PER")
    card, stance = save_stance(page, form, polarity="opposes", topic="نفوذ إيران في المنطقة")
    assert (stance.holder_span, stance.holder_entity.name, stance.target_topic.name) == (
        mention,
        "دانا سترول",
        "نفوذ إيران في المنطقة",
    )
    assert [(e.paragraph, e.text) for e in stance.evidence.all()] == [(wished, wished.text)]
    expect_evidence(page, p, wished.text, stance.pk)

    # The card's edit form changes the polarity; the panel follows.
    card.get_by_text("Change holder, polarity, target or note").click()
    card.get_by_role("radio", name=re.compile("^mixed")).check()
    with page.expect_response(lambda r: r.url.endswith(f"/stances/{stance.pk}/update/")) as response:
        card.get_by_role("button", name="Save changes").click()
    assert response.value.status == 200
    card = stance_card(page, stance.pk)
    expect(card.locator(".polarity-badge")).to_contain_text("mixed")
    expect(card.locator("h2")).to_be_in_viewport()  # the panel shows the changed card from its top
    expect(page.locator("#stance-panel .stance-open")).to_have_text("دانا سترول mixed نفوذ إيران في المنطقة")
    assert Stance.objects.get().polarity.name == "mixed"
    shot_at(page, "stance-edited", p)

    # u sets it back.
    with page.expect_response(lambda r: r.url.endswith("/undo/")):
        page.keyboard.press("u")  # says what it would undo
        expect(page.locator("#flash [data-undo-confirm]")).to_be_visible()
        page.keyboard.press("u")
    expect(page.locator("#stance-panel .stance-open")).to_have_text("دانا سترول opposes نفوذ إيران في المنطقة")
    assert Stance.objects.get().polarity.name == "opposes"

    # x deletes the open stance, u brings it back whole (same id, same evidence).
    page.locator("#stance-panel .stance-open").click()
    stance_card(page, stance.pk)
    with page.expect_response(lambda r: r.url.endswith(f"/stances/{stance.pk}/delete/")):
        page.keyboard.press("x")
    expect(evidence_segments(page, p)).to_have_count(0)
    expect(page.locator("#stance-panel")).to_contain_text("No stance yet")
    expect(page.locator("#span-card .card")).to_have_count(0)
    assert not Stance.objects.exists()
    with page.expect_response(lambda r: r.url.endswith("/undo/")):
        page.keyboard.press("u")  # says what it would undo
        expect(page.locator("#flash [data-undo-confirm]")).to_be_visible()
        page.keyboard.press("u")
    expect_evidence(page, p, wished.text, stance.pk)
    restored = Stance.objects.get()
    assert (restored.pk, restored.polarity.name, restored.holder_span) == (stance.pk, "opposes", mention)
    assert [(e.paragraph, e.text) for e in restored.evidence.all()] == [(wished, wished.text)]

    # With the stance open, the popup offers Evidence: a triple click on another paragraph adds it whole.
    page.locator("#stance-panel .stance-open").click()
    card = stance_card(page, stance.pk)
    added = paragraph_starting(article, "وأضافت سترول")
    box = page.locator(anchor(added)).bounding_box()
    page.mouse.click(box["x"] + box["width"] - 40, box["y"] + 20, click_count=3)
    expect(popover.get_by_role("button", name="Evidence")).to_be_visible()
    shot_at(page, "stance-popover-evidence", anchor(added))
    with page.expect_response(lambda r: r.url.endswith(f"/stances/{stance.pk}/evidence/")) as response:
        popover.get_by_role("button", name="Evidence").click()
    assert response.value.status == 200
    expect(card.locator(".evidence-list .quote")).to_have_text([added.text, wished.text])
    expect_evidence(page, anchor(added), added.text, stance.pk)
    expect_evidence(page, p, wished.text, stance.pk)
