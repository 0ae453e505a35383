"""Any screen: on a phone and a tablet nothing runs off the edge, the reading view's panel is a sheet over the
text that opens where one works, the ? help fits the screen and keeps focus; no page logs a console error or
a CSP violation, also after htmx swaps. Screenshots of the main pages at three sizes, in English and Arabic."""

import pytest
from playwright.sync_api import expect

from .conftest import ConsoleLog, login, shot
from .test_annotating import select
from .world import ADMIN, build_world

pytestmark = pytest.mark.django_db(transaction=True)
SPAN_SEG = '.seg[class*="depth-"]'  # a highlight of a span (not only a suggestion's dashed box)

LAPTOP, TABLET, PHONE = (1366, 768), (820, 1180), (390, 844)

# Elements that reach past the viewport's sides, unless a scrolling ancestor (a table's own box) holds them.
OVERFLOW_JS = """
() => {
  const width = document.documentElement.clientWidth;
  const clipped = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    }
    return false;
  };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (!r.width || getComputedStyle(el).position === 'fixed') continue;
    if ((r.right > width + 1 || r.left < -1) && !clipped(el)) {
      out.push(`${el.tagName.toLowerCase()}.${el.getAttribute('class') || ''} ${Math.round(r.left)}..${Math.round(r.right)}`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, outside: out.slice(0, 5)};
}
"""

# Each visible table's scrolling box (the table itself, or the wrapper that scrolls it), as left and right.
TABLE_BOXES_JS = """
() => [...document.querySelectorAll('main table')].filter((t) => t.getClientRects().length).map((table) => {
  let box = table;
  while (box !== document.body && getComputedStyle(box).overflowX === 'visible') box = box.parentElement;
  const r = (box === document.body ? table : box).getBoundingClientRect();
  return {table: table.className, left: r.left, right: r.right};
})
"""


def in_viewport(page, locator):
    box = locator.bounding_box()
    size = page.viewport_size
    return (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= size["width"] + 0.5
        and (box["y"] + box["height"] <= size["height"] + 0.5)
    )


@pytest.fixture
def world(admin, labels, polarities, categories):
    return build_world(admin, labels, polarities)


@pytest.mark.parametrize("size", [PHONE, TABLET], ids=["phone", "tablet"])
def test_no_page_is_wider_than_the_screen(page, live_server, world, strict_console, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    login(page, live_server, *ADMIN)
    for name, path in world.pages() + world.more_pages():
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        found = page.evaluate(OVERFLOW_JS)
        assert found["scrollWidth"] <= found["width"], f"{name} ({path}) scrolls sideways: {found}"
        assert not found["outside"], f"{name}: past the screen's edge: {found['outside']}"
        for control in (page.locator(".topbar .username"), page.get_by_role("button", name="Log out")):
            control.scroll_into_view_if_needed()
            assert in_viewport(page, control), f"{name}: {control} is off-screen"
        if name == "project":  # a table scrolled in its own box (display: block) is still a table to assistive tech
            expect(page.get_by_role("table").get_by_role("columnheader", name="Article")).to_be_visible()
        if name == "corpus":
            button = page.get_by_role("link", name="Import articles")
            button.scroll_into_view_if_needed()
            assert in_viewport(page, button), "the Import articles button is cut"
        # Every table scrolls inside its own box: its box fits the screen, whatever its content's width.
        for box in page.evaluate(TABLE_BOXES_JS):
            assert box["left"] >= -0.5 and box["right"] <= size[0] + 0.5, f"{name}: a table's box runs off: {box}"
    shot(page, f"screens-job-{size[0]}")


@pytest.mark.parametrize("size", [PHONE, TABLET], ids=["phone", "tablet"])
def test_the_panel_is_a_sheet_over_the_text_that_opens_where_one_works(page, live_server, world, strict_console, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    login(page, live_server, *ADMIN)
    page.goto(f"{live_server.url}/articles/{world.article.pk}/")
    panel, toggle = page.locator("#panel"), page.locator("[data-sheet-toggle]")
    # Closed at first: the text has the whole width and height; the toggle says so.
    expect(panel).to_be_hidden()
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    article = page.locator("article.article").bounding_box()
    assert article["width"] >= min(size[0] - 2 * 24, 640), article  # the text keeps its full column

    # A highlight far down the article, tapped: the sheet opens with its card on screen, the highlight above it.
    segment = page.locator(SPAN_SEG).last
    segment.scroll_into_view_if_needed()
    segment.click()
    card = page.locator("#span-card .card")
    expect(card).to_be_visible()
    expect(panel).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.wait_for_timeout(300)  # the slide-in
    sheet = panel.bounding_box()
    assert sheet["y"] + sheet["height"] <= size[1] + 0.5 and sheet["height"] <= 0.56 * size[1], sheet
    assert in_viewport(page, card.locator("h2").first), "the card's heading is not on screen"
    seg_box = page.locator(".seg.selected").first.bounding_box()
    assert 0 <= seg_box["y"] and seg_box["y"] + seg_box["height"] <= sheet["y"], "the tapped highlight is under the sheet"
    page.screenshot(path=str(shot_path(f"screens-sheet-card-{size[0]}")), caret="initial")  # what is on screen

    # Escape shuts the sheet (and the card).
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")

    # The toggle opens it (focus on its Close button), the Close button shuts it and gives focus back.
    toggle.click()
    expect(panel).to_be_visible()
    expect(page.locator("[data-sheet-close]")).to_be_focused()
    expect(panel.locator(".labels-legend")).to_be_visible()
    page.locator("[data-sheet-close]").click()
    expect(panel).to_be_hidden()
    expect(toggle).to_be_focused()

    # A span made from a selection: its new card is shown in the sheet.
    first = page.locator("#p0")
    first.scroll_into_view_if_needed()
    words = first.text_content().split()
    quote = next(w for w in words if len(w) >= 4 and "سترول" not in w)
    select(page, "#p0", quote)
    with page.expect_response(lambda r: r.request.method == "POST" and "/spans/" in r.url):
        page.keyboard.press("l")
    expect(page.locator("#span-card .card")).to_contain_text(quote)
    expect(panel).to_be_visible()
    page.wait_for_timeout(300)
    assert in_viewport(page, page.locator("#span-card .card h2").first)
    page.locator("[data-sheet-close]").click()
    expect(panel).to_be_hidden()


def test_on_a_laptop_the_panel_stays_beside_the_text(page, live_server, world, strict_console):
    page.set_viewport_size({"width": LAPTOP[0], "height": LAPTOP[1]})
    login(page, live_server, *ADMIN)
    page.goto(f"{live_server.url}/articles/{world.article.pk}/")
    expect(page.locator("[data-sheet-toggle]")).to_be_hidden()
    expect(page.locator("[data-sheet-close]")).to_be_hidden()
    panel, article = page.locator("#panel").bounding_box(), page.locator("article.article").bounding_box()
    assert panel["y"] < LAPTOP[1] and panel["x"] >= article["x"] + article["width"], (panel, article)
    page.locator(SPAN_SEG).first.click()
    expect(page.locator("#span-card .card")).to_be_visible()
    assert in_viewport(page, page.locator("#span-card .card h2").first)
    page.keyboard.press("Escape")
    expect(page.locator("#span-card .card")).to_have_count(0)
    expect(page.locator("#panel")).to_be_visible()  # Escape closed the card, not the panel


@pytest.mark.parametrize("size", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_help_fits_the_screen_keeps_focus_and_gives_it_back(page, live_server, world, strict_console, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    login(page, live_server, *ADMIN)
    page.goto(f"{live_server.url}/articles/{world.article.pk}/")
    if size == PHONE:
        opener = page.locator("[data-sheet-toggle]")
    else:
        opener = page.locator("#panel .scope a")
    opener.focus()
    page.keyboard.press("?")
    dialog, box = page.locator("#help"), page.locator("#help .help-box")
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-close-help]")).to_be_focused()
    bounds = box.bounding_box()
    assert bounds["y"] >= 0 and bounds["y"] + bounds["height"] <= size[1], f"the help box does not fit: {bounds}"
    assert in_viewport(page, page.locator("#help-title")), "the title is cut"
    page.screenshot(path=str(shot_path(f"screens-help-{size[0]}")), caret="initial")  # what is on screen
    # Long content scrolls inside the box.
    scroll = box.evaluate("b => [b.scrollHeight, b.clientHeight, getComputedStyle(b).overflowY]")
    if scroll[0] > scroll[1]:
        assert scroll[2] == "auto"
        box.evaluate("b => b.scrollTo(0, b.scrollHeight)")
        assert box.evaluate("b => b.scrollTop") > 0
        expect(dialog.locator(".help").last).to_be_in_viewport()

    # Tab and Shift+Tab stay inside (its only control is Close); a click behind it does not take focus out.
    for key in ("Tab", "Shift+Tab", "Tab"):
        page.keyboard.press(key)
        assert dialog.evaluate("d => d.contains(document.activeElement)"), f"{key} left the dialog"
    # Escape closes it, and only it; focus is back where it was.
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()
    # The close button does the same.
    page.keyboard.press("?")
    expect(dialog).to_be_visible()
    dialog.locator("[data-close-help]").click()
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()


def test_no_console_error_or_inline_style_after_htmx_swaps(page, live_server, world, strict_console):
    login(page, live_server, *ADMIN)
    page.goto(f"{live_server.url}/articles/{world.article.pk}/")
    page.wait_for_load_state("networkidle")
    page.locator(SPAN_SEG).first.click()  # a card swapped in
    expect(page.locator("#span-card .card")).to_be_visible()
    page.keyboard.press("]")  # and the next
    page.keyboard.press("Escape")
    page.goto(live_server.url + "/")
    page.fill("input[name=q]", "حوار")  # the title filter swaps the results
    page.wait_for_load_state("networkidle")
    # htmx was told not to add its indicator <style> (meta htmx-config): no style element at all, so no
    # violation of style-src either.
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False


def test_the_console_check_catches_a_violation_and_a_page_error(page, live_server, analyst):
    """The check itself can fail: an inline style and an uncaught error are both seen."""
    log = ConsoleLog(page)
    login(page, live_server, "analyst1", "analyst-pass-123")
    page.evaluate("document.body.setAttribute('style', 'color: red')")
    page.evaluate("setTimeout(() => { throw new Error('boom'); })")
    page.wait_for_timeout(200)
    assert any("style-src" in text for text in log.csp_errors), log.errors
    assert any("boom" in text for text in log.page_errors)
    with pytest.raises(AssertionError):
        log.assert_no_errors()


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("size", [LAPTOP, TABLET, PHONE], ids=["laptop", "tablet", "phone"])
def test_screenshots(page, live_server, world, strict_console, size, language):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    login(page, live_server, *ADMIN)
    if language == "ar":
        switch = page.locator(".language-switch button[value=ar]")
        if not switch.count():
            pytest.skip("no language switch in the header yet")
        switch.click()
        page.wait_for_load_state("networkidle")
        expect(page.locator("html")).to_have_attribute("lang", "ar")
    for name, path in [
        ("corpus", "/"),
        ("project", f"/projects/{world.project.pk}/"),
        ("reading", f"/articles/{world.article.pk}/"),
    ]:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate(OVERFLOW_JS)["scrollWidth"] <= size[0]
        page.screenshot(path=str(shot_path(f"screen-{name}-{size[0]}-{language}")), caret="initial")
    # The reading view with a card open (in the sheet below 960 px).
    page.locator(SPAN_SEG).first.click()
    expect(page.locator("#span-card .card")).to_be_visible()
    page.wait_for_timeout(300)
    page.screenshot(path=str(shot_path(f"screen-reading-card-{size[0]}-{language}")), caret="initial")


def shot_path(name):
    from .conftest import SHOTS

    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS / f"{name}.png"


def test_a_tap_on_a_phone_opens_the_card_on_screen(browser, live_server, world):
    """A real touch screen (is_mobile, has_touch): tapping a highlight shows its card in the sheet."""
    context = browser.new_context(viewport={"width": PHONE[0], "height": PHONE[1]}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.set_default_timeout(5_000)
        log = ConsoleLog(page)
        login(page, live_server, *ADMIN)
        page.goto(f"{live_server.url}/articles/{world.article.pk}/")
        segment = page.locator(SPAN_SEG).nth(1)
        segment.scroll_into_view_if_needed()
        segment.tap()
        card = page.locator("#span-card .card h2").first
        expect(card).to_be_visible()
        page.wait_for_timeout(300)
        assert in_viewport(page, card)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
        log.assert_no_errors()
    finally:
        context.close()
