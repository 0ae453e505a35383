"""The reading view in Arabic on a laptop (1366x768): the panel, the popup and the help read right to left in
Arabic, a tagged span's card and the server's refusals and notices arrive in Arabic in the message area;
screenshots of each (no CSP violation, no script error on the way)."""

import pytest
from playwright.sync_api import expect

from accounts.models import Preference
from annotations.models import BoilerplateMark, Span
from corpus import search
from tests.utils import make_article

from .conftest import SHOTS, login, shot
from .test_annotating import card_open, open_article, select, tag

pytestmark = pytest.mark.django_db(transaction=True)
TEXT = "وقالت الحرة إن وزير الدفاع العراقي ثابت العباسي التقى بنظيره لويد أوستن في واشنطن."
READ_ALSO = "إقرأ أيضا: العراق وأميركا"
# Each folding rule's characters in the order they are drawn, left to right (spaces left out).
DRAWN_ORDER_JS = """
(e) => [...e.querySelectorAll(".rule")].map((rule) => {
  const drawn = [], range = document.createRange(), walker = document.createTreeWalker(rule, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) for (let i = 0; i < node.data.length; i++) {
    if (node.data[i].trim() === "" || node.data[i] === "\u200e") continue;
    range.setStart(node, i); range.setEnd(node, i + 1);
    drawn.push([node.data[i], range.getBoundingClientRect().left]);
  }
  return drawn.sort((x, y) => x[1] - y[1]).map((x) => x[0]).join("");
})
"""


@pytest.fixture(autouse=True)
def arabic(settings, labels, polarities, categories):
    settings.LANGUAGE_CODE = "ar"


def part(page, selector, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(selector).screenshot(path=str(SHOTS / f"{name}.png"))


def test_an_analyst_tags_a_span_in_arabic_and_reads_the_arabic_messages(page, live_server, analyst, console):
    page.set_viewport_size({"width": 1366, "height": 768})
    Preference.objects.create(user=analyst, language="ar")
    article = make_article([TEXT, READ_ALSO, "الفقرة الثالثة عن التعاون الأمني بين البلدين."], title="العباسي في واشنطن")
    login(page, live_server, "analyst1", "analyst-pass-123")
    open_article(page, live_server, article)

    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    panel = page.locator("aside.panel")
    expect(panel).to_have_attribute("dir", "rtl")
    expect(panel.locator(".labels-legend h2")).to_have_text("الوسوم")
    expect(panel.locator("#stance-panel h2")).to_have_text("المواقف في هذا المقال")
    # The panel's start edge is the right one: its headings begin at the right of their box.
    heading = panel.locator(".labels-legend h2").bounding_box()
    box = panel.bounding_box()
    assert box["x"] + box["width"] - (heading["x"] + heading["width"]) < 40
    # The boilerplate hint's caption (CSS generated text) reads in Arabic, from the right.
    hint = page.locator("#p1")
    expect(hint).to_have_attribute(
        "data-boilerplate-hint", "تبدو حشوًا للموقع (\u2068روابط ذات صلة\u2069: \u2068«إقرأ أيضا»\u2069) · المفتاح b يعلّمها"
    )
    assert hint.evaluate("p => getComputedStyle(p, '::before').direction") == "rtl"

    # Tag a person with its key: the span's card opens in Arabic.
    tag(page, "#p0", "ثابت العباسي", "p")
    span = Span.objects.get()
    assert span.text == "ثابت العباسي"
    card_open(page, span.pk)
    card = page.locator("#span-card .card")
    expect(card).to_contain_text("اربط بكيان")
    expect(card.get_by_role("button", name="احذف المقتطف")).to_be_visible()
    shot(page, "i18n-annotations-card")

    # The same text and label again: the server refuses, in Arabic, in the message area.
    select(page, "#p0", "ثابت العباسي")
    with page.expect_response(lambda r: r.request.method == "POST" and "/spans/" in r.url) as response:
        page.keyboard.press("p")
    assert response.value.status == 422
    flash = page.locator("#flash")
    expect(flash).to_have_text("سبق أن وسمت هذا النص بعينه بهذا الوسم.")
    expect(flash).to_have_css("direction", "rtl")
    part(page, "aside.panel", "i18n-annotations-refusal")
    assert Span.objects.count() == 1

    # b marks the paragraph as boilerplate: the warning names the span it holds, in Arabic.
    page.locator("#p0").click(position={"x": 5, "y": 5})
    with page.expect_response(lambda r: "/boilerplate/" in r.url and r.request.method == "POST") as response:
        page.keyboard.press("b")
    assert response.value.status == 200
    expect(flash).to_contain_text("عُلِّمت حشوًا للموقع")
    expect(flash).to_contain_text("في هذه الفقرة مقتطف واحد. يبقى محفوظًا، ويبقى في التصدير الكامل.")
    assert BoilerplateMark.objects.filter(paragraph__position=0).exists()
    expect(page.locator("#p0")).to_have_attribute("data-boilerplate", "حشو الموقع: \u2068أخرى\u2069")
    shot(page, "i18n-annotations-boilerplate")

    # The help lists the shortcuts in Arabic, right to left.
    page.keyboard.press("?")
    help_box = page.locator("#help")
    expect(help_box).to_be_visible()
    expect(help_box).to_have_attribute("dir", "rtl")
    expect(help_box.locator("#help-title")).to_have_text("اختصارات لوحة المفاتيح")
    expect(help_box).to_contain_text("سجّل موقفًا شاهدُه التحديد")
    shot(page, "i18n-annotations-help")

    # Search: the folding rules read left to right inside the Arabic help (an RTL line would show "ه → ة").
    search.rebuild()
    page.goto(f"{live_server.url}/search/?q=العباسي")
    expect(page.locator("#results")).to_contain_text("فقرة واحدة تطابق «العباسي».")
    # Drawn left to right, what is folded left of what it folds to (the group of alefs keeps its Arabic order, and
    # the Arabic-Indic range runs from ٠ to ٩).
    assert page.locator(".search-rules").evaluate(DRAWN_ORDER_JS) == ["آإأ→ا", "ى→ي", "ة→ه", "٠-٩→0-9"]
    shot(page, "i18n-annotations-search")
    page.goto(f"{live_server.url}/export/?article={article.pk}")
    expect(page.locator("main h1")).to_have_text("تصدير التعليقات")
    shot(page, "i18n-annotations-export")
