"""Suggestions and near-duplicate paragraphs in a real browser, on the five demo seeds imported through the
real importer (which fingerprints and matches paragraphs): tag a name once and find it one key away in the
other outlets (g, y, n), accept all, the versions page, and that suggestions are never exported."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from annotations.models import Entity, Span, SuggestionRejection
from corpus.models import Article
from tests.utils import add_span, import_bytes

from .conftest import SHOTS, login, shot
from .test_annotating import card_open, open_article, segment, tag

pytestmark = pytest.mark.django_db(transaction=True)

DEMO = Path(__file__).resolve().parents[2] / "corpus" / "demo"
AUSTIN = "لويد أوستن"
SURNAME = "أوستن"
ABBASI = "ثابت العباسي"
ANALYST1 = ("analyst1", "analyst-pass-123")
ANALYST2 = ("analyst2", "analyst-pass-456")


@pytest.fixture(autouse=True)
def defaults(labels):
    """The default labels (transactional tests flush the migration's rows)."""


@pytest.fixture
def seeds():
    """All five demo seeds, imported in order through the real importer, as setup_demo does: each import
    fingerprints its paragraphs and records their near-duplicates in the articles imported before it."""
    manifest = json.loads((DEMO / "manifest.json").read_text(encoding="utf-8"))
    articles = {}
    for entry in manifest["articles"]:
        path = DEMO / entry["file"]
        outcome = import_bytes(path.name, path.read_bytes(), source_name=entry["source"])
        assert outcome.status == "imported", outcome.message
        articles[path.name[:3]] = Article.objects.get(pk=outcome.article_id)
    return articles


def austin_entity(labels):
    return Entity.objects.create(name=AUSTIN, label=labels["PER"])


def anchor(paragraph):
    return f"#{paragraph.anchor}"


def paragraph_starting(article, prefix):
    return article.paragraphs.get(text__startswith=prefix)


def shot_at(page, name, selector):
    """A viewport screenshot with `selector` in the middle (a whole seed is too tall to read)."""
    page.locator(selector).first.evaluate("e => e.scrollIntoView({block: 'center'})")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), caret="initial")


# Every suggestion on the page, in reading order: its key and the text of its dashed segments.
SUGGESTIONS_JS = """() => {
  const found = new Map();
  document.querySelectorAll(".seg.suggestion").forEach((s) => {
    for (const key of s.dataset.suggestions.split(" ").filter(Boolean)) {
      if (!found.has(key)) found.set(key, {key, text: "", paragraph: s.closest(".paragraph").id, title: s.title});
      found.get(key).text += s.textContent;
    }
  });
  return [...found.values()];
}"""


# How a suggestion's box is drawn (hamish.css): an outline outside the text, cut off by a clip path on a side
# where another segment of the same suggestion continues it.
BOX_JS = """s => {
  const style = getComputedStyle(s);
  return [style.outlineStyle, style.outlineWidth, style.outlineOffset, style.clipPath];
}"""
SIDES = ("top", "right", "bottom", "left")


def box_sides(locator):
    """[(side, outline style, outline width)] of the box drawn around a suggestion's segment, without the
    sides its clip path cuts off (closer to the text than where the outline ends)."""
    style, width, offset, clip = locator.evaluate(BOX_JS)
    if clip == "none":
        return [(side, style, width) for side in SIDES]
    insets = [float(value.removesuffix("px")) for value in re.fullmatch(r"inset\((.*)\)", clip).group(1).split()]
    insets = (insets * 2)[:4] if len(insets) == 2 else insets  # inset(a b) is inset(a b a b)
    reach = float(offset.removesuffix("px")) + float(width.removesuffix("px"))
    return [(side, style, width) for side, inset in zip(SIDES, insets) if -inset >= reach]


DASHED_BOX = [(side, "dashed", "1px") for side in SIDES]
SOLID_BOX = [(side, "solid", "2px") for side in SIDES]


def suggestions_on_page(page):
    return page.evaluate(SUGGESTIONS_JS)


def current_keys(page):
    return page.evaluate(
        "() => [...new Set([...document.querySelectorAll('.seg.current-suggestion')].map((s) => s.dataset.suggestions))]"
    )


def key_parts(key):
    paragraph_id, start, end, label, entity = key.split(":")
    return int(paragraph_id), int(start), int(end), label, int(entity) if entity else None


def press_g(page, expected_key):
    page.keyboard.press("g")
    expect(page.locator(".seg.current-suggestion").first).to_have_attribute(
        "data-suggestions", re.compile(rf"(^| ){re.escape(expected_key)}( |$)")
    )


def decide_with(page, letter, paragraph_id):
    """Press y or n; wait for the server's answer and for htmx to settle the re-rendered paragraph."""
    page.locator(f"[data-paragraph-id='{paragraph_id}']").evaluate("p => { p.dataset.old = 'yes'; }")
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith(f"/paragraphs/{paragraph_id}/suggestions/")
    ) as response:
        page.keyboard.press(letter)
    assert response.value.status == 200, response.value.text()
    expect(page.locator(f"[data-paragraph-id='{paragraph_id}']:not([data-old])")).to_have_count(1)
    expect(page.locator(".htmx-settling, .htmx-swapping, .htmx-added")).to_have_count(0)
    return response.value


def test_tag_lloyd_austin_once_and_accept_his_other_mentions_one_key_away(page, live_server, analyst, seeds, console):
    first = paragraph_starting(seeds["000"], "والتقى الوزير العباسي")
    login(page, live_server, *ANALYST1)
    open_article(page, live_server, seeds["000"])
    expect(page.locator("#suggestion-count")).to_have_text("0")
    expect(page.locator("[data-accept-all]")).to_be_disabled()

    # Tag him with the keyboard, then link the span to a new entity from its card.
    tag(page, anchor(first), AUSTIN, "p")
    span = Span.objects.get()
    card_open(page, span.pk)
    with page.expect_response(lambda r: r.url.endswith(f"/spans/{span.pk}/update/")) as response:
        page.locator("#span-card").get_by_role("button", name="New PER entity with this name").click()
    assert response.value.status == 200, response.value.text()
    entity = Entity.objects.get()
    assert (entity.name, entity.label.name) == (AUSTIN, "PER")
    span.refresh_from_db()
    assert span.entity == entity
    card_open(page, span.pk)
    expect(page.locator("#span-card .entity-line")).to_contain_text(AUSTIN)
    # The tagged mention is a span, not a suggestion: no other mention of him in this article.
    expect(page.locator(".seg.suggestion")).to_have_count(0)

    for number in ("001", "002", "003"):
        article = seeds[number]
        paragraphs = list(article.paragraphs.order_by("position"))
        mentions = {p.anchor: p.text.count(SURNAME) for p in paragraphs if SURNAME in p.text}
        assert sum(mentions.values()) > 0
        open_article(page, live_server, article)

        # Every mention of his name, and nothing else, is a dashed suggestion linked to him.
        found = suggestions_on_page(page)
        assert {a: sum(1 for s in found if s["paragraph"] == a) for a in mentions} == mentions, number
        assert len(found) == sum(mentions.values())
        by_anchor = {p.anchor: p for p in paragraphs}
        for suggestion in found:
            paragraph_id, start, end, label, entity_id = key_parts(suggestion["key"])
            paragraph = by_anchor[suggestion["paragraph"]]
            assert paragraph_id == paragraph.pk and label == "PER" and entity_id == entity.pk
            assert suggestion["text"] == paragraph.text[start:end]
            assert suggestion["text"] in (AUSTIN, SURNAME)
            assert f"suggested PER: the name of {AUSTIN}" in suggestion["title"]
        assert box_sides(page.locator(".seg.suggestion").first) == DASHED_BOX
        expect(page.locator("#suggestion-count")).to_have_text(str(len(found)))
        expect(page.locator("#suggestion-summary")).to_have_text(
            f"{len(found)} dashed suggestion{'' if len(found) == 1 else 's'} in this article"
        )
        expect(page.locator("[data-accept-all]")).to_be_enabled()
        # The page's text is the paragraphs' text: the suggestions add nothing to it.
        for paragraph in paragraphs:
            if paragraph.anchor in mentions:
                assert page.locator(anchor(paragraph)).evaluate("p => p.textContent") == paragraph.text

        # g goes to the first, y accepts it: a span linked to him; the next one becomes the current one.
        keys = [s["key"] for s in found]
        press_g(page, keys[0])
        expect(page.locator("#flash")).to_have_text(f"Suggested PER: the name of {AUSTIN}. y accepts, n rejects, g goes on.")
        assert box_sides(page.locator(".seg.current-suggestion")) == SOLID_BOX
        if number == "001":
            shot_at(page, "suggest-current", ".seg.current-suggestion")
        paragraph_id, start, end, _label, _entity = key_parts(keys[0])
        decide_with(page, "y", paragraph_id)
        accepted = Span.objects.get(paragraph_id=paragraph_id, start=start, end=end)
        assert (accepted.author, accepted.label.name, accepted.entity) == (analyst, "PER", entity)
        assert accepted.text == accepted.paragraph.text[accepted.start : accepted.end] == found[0]["text"]
        new_segment = page.locator(f".seg[data-spans~='{accepted.pk}']")
        expect(new_segment).to_have_text(accepted.text)
        expect(new_segment).not_to_have_class(re.compile(r"\bsuggestion\b"))
        card_open(page, accepted.pk)
        expect(page.locator("#suggestion-count")).to_have_text(str(len(found) - 1))
        expect(page.locator("#suggestion-summary")).to_have_text(
            f"{len(found) - 1} dashed suggestion{'' if len(found) == 2 else 's'} in this article"
        )
        if len(keys) > 1:
            expect(page.locator(".seg.current-suggestion")).not_to_have_count(0)
            assert current_keys(page) == [keys[1]]
            if number == "001":
                shot_at(page, "suggest-accepted-next-current", ".seg.current-suggestion")
            expect(page.locator("#flash")).to_have_text(f"Suggested PER: the name of {AUSTIN}. y accepts, n rejects, g goes on.")
        else:
            expect(page.locator(".seg.current-suggestion")).to_have_count(0)
            expect(page.locator("[data-accept-all]")).to_be_disabled()
            expect(page.locator("#flash")).to_have_text("That was the last suggestion in this article.")
            page.keyboard.press("g")
            expect(page.locator("#flash")).to_have_text("No suggestions left in this article.")

        # After a reload the span stays, and its suggestion is gone; the others are still offered.
        page.reload()
        expect(page.locator(f".seg[data-spans~='{accepted.pk}']")).to_have_text(accepted.text)
        assert [s["key"] for s in suggestions_on_page(page)] == keys[1:]
        expect(page.locator("#suggestion-count")).to_have_text(str(len(found) - 1))
    assert Span.objects.count() == 4


def log_out(page):
    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()


def test_n_rejects_for_this_analyst_only_and_a_click_makes_a_suggestion_current(
    page, live_server, analyst, other_analyst, seeds, labels, console
):
    entity = austin_entity(labels)
    article = seeds["002"]
    login(page, live_server, *ANALYST1)
    open_article(page, live_server, article)
    found = suggestions_on_page(page)
    keys = [s["key"] for s in found]
    assert len(keys) == sum(p.text.count(SURNAME) for p in article.paragraphs.all()) >= 3
    expect(page.locator("#suggestion-count")).to_have_text(str(len(keys)))

    # A click on the second dashed name makes it the current one.
    second = page.locator(f".seg.suggestion[data-suggestions='{keys[1]}']")
    second.evaluate("s => { s.scrollIntoView({block: 'start'}); window.scrollBy(0, -120); }")  # near the top, not centred
    page.wait_for_timeout(100)
    scrolled = page.evaluate("window.scrollY")
    second.click()
    expect(second).to_have_class(re.compile(r"\bcurrent-suggestion\b"))
    page.wait_for_timeout(400)
    assert page.evaluate("window.scrollY") == scrolled  # what one clicks is in view: the page stays put
    expect(page.locator(".seg.current-suggestion")).to_have_count(1)
    expect(page.locator("#flash")).to_contain_text(f"Suggested PER: the name of {AUSTIN}")
    shot_at(page, "suggest-clicked", ".seg.current-suggestion")

    # n rejects it: no span, a rejection remembered for analyst1, the next one becomes current.
    paragraph_id, start, end, _label, _entity = key_parts(keys[1])
    decide_with(page, "n", paragraph_id)
    # The message says so, and names the suggestion that is current now.
    expect(page.locator("#flash")).to_have_text(
        f"Suggestion rejected; it will not be shown to you again. Next: Suggested PER: the name of {AUSTIN}. y accepts, n rejects, g goes on."
    )
    assert not Span.objects.exists()
    rejection = SuggestionRejection.objects.get()
    assert (rejection.user, rejection.paragraph_id, rejection.start, rejection.end, rejection.label.name) == (
        analyst,
        paragraph_id,
        start,
        end,
        "PER",
    )
    assert [s["key"] for s in suggestions_on_page(page)] == keys[:1] + keys[2:]
    assert current_keys(page) == [keys[2]]
    expect(page.locator("#suggestion-count")).to_have_text(str(len(keys) - 1))

    # Gone for analyst1 after a reload, too.
    page.reload()
    assert [s["key"] for s in suggestions_on_page(page)] == keys[:1] + keys[2:]
    expect(page.locator("#suggestion-count")).to_have_text(str(len(keys) - 1))

    # analyst2 still sees every mention, the rejected one included.
    log_out(page)
    login(page, live_server, *ANALYST2)
    open_article(page, live_server, article)
    assert [s["key"] for s in suggestions_on_page(page)] == keys
    expect(page.locator("#suggestion-count")).to_have_text(str(len(keys)))
    rejected = page.locator(f".seg.suggestion[data-suggestions='{keys[1]}']")
    expect(rejected).to_have_text(found[1]["text"])
    assert box_sides(rejected) == DASHED_BOX
    assert entity.pk == key_parts(keys[1])[4]


def test_a_click_cycles_through_a_span_and_a_suggestion_on_the_same_words(page, live_server, analyst, seeds, labels, console):
    austin_entity(labels)
    article = seeds["002"]
    # analyst1 tagged one mention with the wrong label: the PER suggestion on the same words stays.
    paragraph = next(p for p in article.paragraphs.order_by("position") if SURNAME in p.text)
    wrong = add_span(paragraph, SURNAME, "LOC", author=analyst, occurrence=0)
    login(page, live_server, *ANALYST1)
    open_article(page, live_server, article)
    both = page.locator(f"{anchor(paragraph)} .seg[data-spans~='{wrong.pk}']")
    expect(both).to_have_class(re.compile(r"\bsuggestion\b"))
    expect(both).to_have_attribute("title", re.compile(rf"LOC / suggested PER: the name of {AUSTIN}"))
    assert box_sides(segment(page, anchor(paragraph), "لويد ")) == [s for s in DASHED_BOX if s[0] != "left"]
    assert box_sides(both) == [s for s in DASHED_BOX if s[0] != "right"]
    both.click()
    card_open(page, wrong.pk)
    expect(page.locator(".seg.current-suggestion")).to_have_count(0)
    both.click()
    expect(both).to_have_class(re.compile(r"\bcurrent-suggestion\b"))
    shot_at(page, "suggest-on-span", anchor(paragraph))
    both.click()
    card_open(page, wrong.pk)

    # The suggestion is the whole name (its first word is dashed only): y on it makes the PER span of the
    # name, around the LOC one.
    key = both.get_attribute("data-suggestions")
    _paragraph_id, start, end, _label, _entity = key_parts(key)
    assert paragraph.text[start:end] == AUSTIN
    # Cut in two by the LOC span, it is still drawn as one box: no side where its two segments meet
    # (right to left: the first word's left side, the second's right side).
    expect(page.locator(f"{anchor(paragraph)} .seg.current-suggestion")).to_have_text(["لويد ", SURNAME])
    first_word = segment(page, anchor(paragraph), "لويد ")
    assert box_sides(first_word) == [s for s in SOLID_BOX if s[0] != "left"]
    assert box_sides(both) == [s for s in SOLID_BOX if s[0] != "right"]
    assert first_word.bounding_box()["x"] > both.bounding_box()["x"]
    both.click()
    expect(both).to_have_class(re.compile(r"\bcurrent-suggestion\b"))
    decide_with(page, "y", paragraph.pk)
    assert sorted(Span.objects.filter(paragraph=paragraph).values_list("label__name", "text")) == [
        ("LOC", SURNAME),
        ("PER", AUSTIN),
    ]
    per = Span.objects.get(label__name="PER")
    expect(page.locator(f"{anchor(paragraph)} .seg[data-spans~='{per.pk}']")).to_have_text(["لويد ", SURNAME])
    expect(both).to_have_attribute("data-spans", f"{per.pk} {wrong.pk}")
    expect(both).not_to_have_class(re.compile(r"\bsuggestion\b"))
    assert len(suggestions_on_page(page)) == sum(p.text.count(SURNAME) for p in article.paragraphs.all()) - 1


def test_accept_all_in_an_article_after_confirming(page, live_server, analyst, seeds, labels, console):
    entity = austin_entity(labels)
    article = seeds["002"]
    login(page, live_server, *ANALYST1)
    open_article(page, live_server, article)
    offered = suggestions_on_page(page)
    assert len(offered) >= 3
    button = page.locator("[data-accept-all]")
    expect(button).to_be_enabled()
    expect(page.locator(".suggestions-panel p").first).to_have_text(
        re.compile(rf"^{len(offered)} dashed suggestions in this article")
    )

    # One rejected first: the panel and the confirmation count the others.
    press_g(page, offered[0]["key"])
    decide_with(page, "n", key_parts(offered[0]["key"])[0])
    found = offered[1:]
    total = len(found)
    assert [s["key"] for s in suggestions_on_page(page)] == [s["key"] for s in found]
    expect(page.locator(".suggestions-panel p").first).to_have_text(re.compile(rf"^{total} dashed suggestions in this article"))

    # The button asks in the page (no browser dialog); Esc cancels, sends nothing and gives the focus back.
    requests = []
    page.on("request", lambda r: requests.append(r.url) if "accept-all" in r.url else None)
    page.on("dialog", lambda dialog: pytest.fail(f"a browser dialog: {dialog.message}"))
    button.click()
    question, accept = page.locator("#accept-all-question"), page.locator("[data-accept-all-confirm]")
    expect(question).to_have_text(f"Accept all {total} suggestions in this article as your spans?")
    expect(accept).to_be_focused()
    shot_at(page, "suggest-accept-all-question", "#accept-all-confirm")
    page.keyboard.press("Escape")
    expect(question).to_be_hidden()
    expect(button).to_be_focused()
    page.wait_for_timeout(300)
    assert requests == [] and not Span.objects.exists()

    # From the keyboard: Enter on the button asks, Enter on Accept (focused) accepts them.
    page.keyboard.press("Enter")
    expect(accept).to_be_focused()
    accept_all_url = f"/articles/{article.pk}/suggestions/accept-all/"
    with page.expect_response(lambda r: r.url.endswith(accept_all_url)) as response, page.expect_navigation():
        page.keyboard.press("Enter")
    assert response.value.status == 204
    expect(page.locator(".messages")).to_contain_text(f"{total} suggestions accepted as your spans.")
    expect(page.locator("#flash")).to_have_text(f"{total} suggestions accepted as your spans.")  # in the panel too
    expect(page.locator("#suggestion-count")).to_have_text("0")
    expect(page.locator("[data-accept-all]")).to_be_disabled()
    expect(page.locator(".seg.suggestion")).to_have_count(0)
    expect(page.locator(".suggestions-panel p").first).to_have_text(re.compile(r"^0 dashed suggestions in this article"))
    shot_at(page, "suggest-accept-all", ".messages")

    spans = list(Span.objects.filter(paragraph__article=article).select_related("paragraph"))
    assert len(spans) == total
    for suggestion, span in zip(found, sorted(spans, key=lambda s: (s.paragraph.position, s.start))):
        paragraph_id, start, end, _label, _entity = key_parts(suggestion["key"])
        assert (span.paragraph_id, span.start, span.end, span.label.name, span.entity, span.author) == (
            paragraph_id,
            start,
            end,
            "PER",
            entity,
            analyst,
        )
        assert span.text == span.paragraph.text[start:end] == suggestion["text"]
        expect(page.locator(f".seg[data-spans~='{span.pk}']")).to_have_text(span.text)
    # The entity panel counts his mentions.
    expect(page.locator("#entity-panel li", has_text=AUSTIN).locator(".count")).to_have_text(str(total))


def test_accept_all_leaves_out_paragraphs_the_analyst_marked_as_boilerplate(
    page, live_server, analyst, seeds, labels, categories, console
):
    """Suggestions are not shown in a paragraph the analyst marked as boilerplate; accepting all must not make
    spans there either (the confirmation and the message count what the page shows)."""
    austin_entity(labels)
    article = seeds["001"]
    title = article.paragraphs.order_by("position").first()  # the headline, which names him
    assert SURNAME in title.text
    login(page, live_server, *ANALYST1)
    open_article(page, live_server, article)
    offered = suggestions_on_page(page)
    in_title = [s for s in offered if s["paragraph"] == title.anchor]
    assert in_title

    # Mark the headline as boilerplate (click its first word, press b): its suggestions go.
    box = page.locator(anchor(title)).bounding_box()
    page.mouse.click(box["x"] + box["width"] - 15, box["y"] + box["height"] / 2)
    expect(page.locator(anchor(title))).to_have_class(re.compile(r"\bcurrent\b"))
    with page.expect_response(lambda r: r.url.endswith(f"/paragraphs/{title.pk}/boilerplate/change/")) as response:
        page.keyboard.press("b")
    assert response.value.status == 200
    expect(page.locator(f"{anchor(title)}.boilerplate")).to_have_count(1)
    shown = len(offered) - len(in_title)
    expect(page.locator("#suggestion-count")).to_have_text(str(shown))
    assert [s["key"] for s in suggestions_on_page(page)] == [s["key"] for s in offered if s["paragraph"] != title.anchor]

    page.locator("[data-accept-all]").click()
    expect(page.locator("#accept-all-question")).to_have_text(f"Accept all {shown} suggestions in this article as your spans?")
    with page.expect_navigation():
        page.locator("[data-accept-all-confirm]").click()
    expect(page.locator(".messages")).to_contain_text(f"{shown} suggestions accepted as your spans.")
    assert Span.objects.filter(paragraph__article=article).count() == shown
    assert not Span.objects.filter(paragraph=title).exists()
    expect(page.locator("#suggestion-count")).to_have_text("0")


STATEMENT = "وأشار بيان مشترك"  # the joint statement's paragraph, in 000 and (in other words) in 003


def test_the_same_statement_in_another_outlet_compare_link_and_carried_tag(page, live_server, analyst, seeds, console):
    own, copy = paragraph_starting(seeds["000"], STATEMENT), paragraph_starting(seeds["003"], STATEMENT)
    assert own.text != copy.text
    login(page, live_server, *ANALYST1)
    open_article(page, live_server, seeds["000"])

    # The statement is followed by a link to its other versions; a paragraph found nowhere else is not.
    link = page.locator(f"{anchor(own)} + p.versions-link a")
    expect(link).to_have_text(re.compile(r"^also in \d+ other articles? · compare$"))
    versions = int(re.search(r"\d+", link.inner_text()).group())
    assert versions >= 1
    # In English, at the end (the left) of the right-to-left paragraph, clear of its outline when current.
    expect(link).to_have_attribute("lang", "en")
    box, text_box = link.bounding_box(), page.locator(anchor(own)).bounding_box()
    assert abs(box["x"] - text_box["x"]) < 2 and box["x"] + box["width"] < text_box["x"] + text_box["width"] / 2
    page.locator(anchor(own)).click()
    expect(page.locator(anchor(own))).to_have_class(re.compile(r"\bcurrent\b"))
    outline = page.locator(anchor(own)).evaluate(
        "p => parseFloat(getComputedStyle(p).outlineOffset) + parseFloat(getComputedStyle(p).outlineWidth)"
    )
    assert outline > 6
    assert box["y"] >= text_box["y"] + text_box["height"] + outline
    lone = paragraph_starting(seeds["000"], "القوات العراقية تلقت")
    expect(page.locator(f"{anchor(lone)} + p.versions-link")).to_have_count(0)
    # Tag the defence minister there (keyboard), then compare.
    tag(page, anchor(own), ABBASI, "p")
    mention = Span.objects.get()
    expect(link).to_be_visible()  # the link outlives the paragraph's re-rendering
    shot_at(page, "versions-link", anchor(own))
    # A small marker with the count; the sentence opens on keyboard focus (and hover), still the link's name.
    full = link.locator(".versions-full")
    assert full.bounding_box()["width"] <= 1 and link.bounding_box()["width"] < 60
    expect(link).to_have_accessible_name(re.compile(r"also in \d+ other articles? · compare"))
    link.focus()
    assert full.bounding_box()["width"] > 100
    shot_at(page, "versions-link-focused", anchor(own))
    link.click()
    expect(page).to_have_url(re.compile(rf"/paragraphs/{own.pk}/versions/$"))
    expect(page.locator("h1")).to_have_text("The same paragraph in other articles")

    # Seed 003's version side by side with this one, the words that differ marked on both sides.
    pairs = page.locator("section.version-pair")
    expect(pairs).to_have_count(versions)
    pair = pairs.filter(has_text=seeds["003"].source.name)
    expect(pair).to_have_count(1)
    columns = pair.locator(".side-by-side > div")
    expect(columns).to_have_count(2)
    expect(columns.nth(0).locator("h2")).to_contain_text(seeds["000"].source.name)
    expect(columns.nth(1).locator("h2")).to_have_text(seeds["003"].source.name)
    ours, theirs = columns.nth(0).locator("p.version"), columns.nth(1).locator("p.version")
    assert ours.evaluate("p => p.textContent") == own.text
    assert theirs.evaluate("p => p.textContent") == copy.text
    own_marks, their_marks = ours.locator("mark.changed").all_text_contents(), theirs.locator("mark.changed").all_text_contents()
    assert own_marks and their_marks
    assert "عقب" in own_marks and "بعد" in their_marks  # صدر عقب اجتماعات / صدر بعد اجتماعات
    assert ABBASI.split()[1] not in own_marks + their_marks  # the same words are not marked
    for word in own_marks:
        assert word in own.text.split() or word in own.text
    assert pair.locator(".meta").inner_text().startswith("Similarity 0.")
    # Right to left, one version beside the other.
    left, right = (columns.nth(i).bounding_box() for i in (0, 1))
    assert left["x"] > right["x"] and abs(left["y"] - right["y"]) < 2
    assert ours.evaluate("p => getComputedStyle(p).direction") == "rtl"
    shot(page, "versions-page")

    # Over to seed 003: the tag on the other version is a dashed suggestion there.
    with page.expect_navigation():
        pair.locator(".meta a").click()
    expect(page).to_have_url(re.compile(rf"/articles/{seeds['003'].pk}/#{copy.anchor}$"))
    carried = page.locator(f"{anchor(copy)} .seg.suggestion")
    expect(carried).to_have_count(1)
    expect(carried).to_have_text(ABBASI)
    expect(carried).to_have_attribute("title", f"suggested PER: your tag in {seeds['000'].source.name}")
    _paragraph_id, start, end, label, entity = key_parts(carried.get_attribute("data-suggestions"))
    assert copy.text[start:end] == ABBASI and label == "PER" and entity is None
    assert box_sides(carried) == DASHED_BOX
    shot_at(page, "versions-carried", anchor(copy))

    # Accepted, it is analyst1's span on the 003 version.
    press_g(page, carried.get_attribute("data-suggestions"))
    expect(page.locator("#flash")).to_have_text(
        f"Suggested PER: your tag in {seeds['000'].source.name}. y accepts, n rejects, g goes on."
    )
    decide_with(page, "y", copy.pk)
    accepted = Span.objects.exclude(pk=mention.pk).get()
    assert (accepted.paragraph, accepted.start, accepted.end, accepted.text, accepted.label.name) == (
        copy,
        start,
        end,
        ABBASI,
        "PER",
    )
    expect(segment(page, anchor(copy), ABBASI)).to_have_attribute("data-spans", str(accepted.pk))
    expect(page.locator("#flash")).to_have_text("That was the last suggestion in this article.")

    # The versions page works from the 003 side too, and leads back to the 003 article.
    page.goto(f"{live_server.url}/paragraphs/{copy.pk}/versions/")
    expect(page.locator("section.version-pair", has_text=seeds["000"].source.name)).to_have_count(1)
    page.get_by_role("link", name="← Back to the article").click()
    expect(page).to_have_url(re.compile(rf"/articles/{seeds['003'].pk}/#{copy.anchor}$"))


def export(page, live_server, article):
    response = page.request.get(f"{live_server.url}/export/download/?format=hamish&article={article.pk}")
    assert response.status == 200, response.text()
    (record,) = json.loads(response.body())["articles"]
    return record


def test_suggestions_are_not_exported_until_accepted(page, live_server, analyst, seeds, labels, console):
    entity = austin_entity(labels)
    article = seeds["001"]
    login(page, live_server, *ANALYST1)
    open_article(page, live_server, article)
    found = suggestions_on_page(page)
    assert len(found) >= 2

    # Dashed on the page, but not annotations: the export has no span, and the database none either.
    assert export(page, live_server, article)["spans"] == []
    assert not Span.objects.exists()

    # One accepted: exactly that one is exported.
    press_g(page, found[0]["key"])
    paragraph_id, start, end, _label, _entity = key_parts(found[0]["key"])
    decide_with(page, "y", paragraph_id)
    (span,) = export(page, live_server, article)["spans"]
    accepted = Span.objects.get()
    assert (span["id"], span["text"], span["label"], span["entity"]) == (accepted.pk, found[0]["text"], "PER", entity.pk)
    assert (span["start"], span["end"]) == (start, end)

    # Undo takes it back: the suggestion is offered again, and nothing is exported.
    with page.expect_response(lambda r: r.url.endswith("/undo/")):
        page.keyboard.press("u")  # says what it would undo
        expect(page.locator("#flash [data-undo-confirm]")).to_be_visible()
        page.keyboard.press("u")
    expect(page.locator(f".seg.suggestion[data-suggestions='{found[0]['key']}']")).to_have_text(found[0]["text"])
    expect(page.locator("#suggestion-count")).to_have_text(str(len(found)))
    assert not Span.objects.exists()
    assert export(page, live_server, article)["spans"] == []
