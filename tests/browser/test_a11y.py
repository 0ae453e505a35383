"""Accessibility: axe-core (vendored for the tests only, tests/browser/vendor/) on every main page at the
WCAG 2.2 AA rules, in English and Arabic, on a laptop and a phone. Any violation fails the test.

axe is evaluated through the DevTools protocol (page.evaluate) rather than added as a <script> tag
(page.add_script_tag): the Content Security Policy (script-src 'self') rightly refuses an inline script,
and the test must not loosen the policy it also checks."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import login
from .world import ADMIN, build_world

pytestmark = pytest.mark.django_db(transaction=True)
SPAN_SEG = '.seg[class*="depth-"]'  # a highlight of a span (not only a suggestion's dashed box)

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

# Not ours, so not checked (each with its reason). Kept short on purpose.
EXCLUDE = [
    # None yet.
]

RUN_AXE = """
async ([tags, exclude]) => {
  const options = {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']};
  const result = await axe.run({include: [document], exclude}, options);
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 6).map((n) => ({target: n.target.join(' '), summary: n.failureSummary})),
  }));
}
"""


def axe_violations(page):
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;void 0")
    return page.evaluate(RUN_AXE, [TAGS, EXCLUDE])


def report(violations):
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        lines.extend(f"    {n['target']}: {n['summary'].splitlines()[-1].strip()}" for n in v["nodes"])
    return "\n".join(lines)


@pytest.fixture
def world(admin, labels, polarities, categories):
    return build_world(admin, labels, polarities)


def test_the_login_page(page, live_server, strict_console):
    page.goto(live_server.url + "/accounts/login/")
    expect(page.locator("#id_username")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, report(violations)


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("size", [(1366, 768), (390, 844)], ids=["laptop", "phone"])
def test_every_main_page(page, live_server, world, strict_console, size, language):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    login(page, live_server, *ADMIN)
    if language == "ar":
        switch = page.locator(".language-switch button[value=ar]")
        if not switch.count():
            pytest.skip("no language switch in the header yet")
        switch.click()
        expect(page.locator("html")).to_have_attribute("lang", "ar")
    found = {}
    for name, path in world.pages() + world.more_pages():
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        violations = axe_violations(page)
        if violations:
            found[name] = report(violations)
    assert not found, "\n\n".join(f"== {name}\n{text}" for name, text in found.items())


@pytest.mark.parametrize("size", [(1366, 768), (390, 844)], ids=["laptop", "phone"])
def test_the_reading_view_with_a_card_and_the_help_open(page, live_server, world, strict_console, size):
    """On a phone the card is in the sheet over the text."""
    page.set_viewport_size({"width": size[0], "height": size[1]})
    login(page, live_server, *ADMIN)
    page.goto(f"{live_server.url}/articles/{world.article.pk}/")
    page.locator(SPAN_SEG).first.click()
    expect(page.locator("#span-card .card")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, report(violations)
    page.keyboard.press("Escape")
    page.keyboard.press("?")
    expect(page.locator("#help")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, report(violations)
