"""News pages, the story not the chrome (issue 16): saved pages of several outlets' templates (tests/data/pages,
written by hand in the real shapes: div soup, tables, <article> with related links inside, comment policy twice,
`|` footer rows, most-read lists, a dateline with آخر تحديث, Open Graph, JSON-LD or no metadata at all).

Per page: every story paragraph kept verbatim and unmarked, at most one chrome paragraph left unmarked (those
kept as marked page chrome not counted; a paragraph that is the headline counted as neither), title and date
right."""

import time
from pathlib import Path

import pytest

from annotations.models import AnnotationEvent, BoilerplateMark
from bench.pages import draft_of, evaluate, expected_of, pages
from corpus.importing import news
from corpus.importing.errors import RejectedFile
from corpus.importing.html import extract_html
from corpus.models import Article
from tests.utils import import_bytes

PAGES = pages()
CHROME_LEFT_MAX = 1


def test_the_page_set_has_five_outlets_at_least():
    assert len(PAGES) >= 5
    assert all(path.with_suffix(".expected.json").exists() for path in PAGES)


@pytest.mark.parametrize("path", PAGES, ids=lambda path: path.stem)
def test_the_story_is_kept_and_the_chrome_is_not(path):
    result = evaluate(path)
    assert result.reader == "trafilatura"
    assert result.story_kept == result.story, "a story paragraph was lost or marked"
    assert result.chrome_left <= CHROME_LEFT_MAX, result.left
    assert result.title_right and result.date_right


def whole_page_blocks(path):
    """Every block our parser reads in the page (not only its <article>), cleaned as the import cleans them."""
    from lxml import etree

    from corpus.importing.decoding import decode_text
    from corpus.importing.html import FEED_CHARACTERS, _ReadableText
    from corpus.importing.text import clean_lines, split_lines

    text = decode_text(path.read_bytes())[0]
    parser = etree.HTMLParser(target=_ReadableText(), no_network=True, remove_comments=True, remove_pis=True)
    for start in range(0, len(text), FEED_CHARACTERS):
        parser.feed(text[start : start + FEED_CHARACTERS])
    blocks = parser.close().blocks
    return clean_lines(line for _container, block, _links in blocks for line in split_lines(block)).paragraphs


@pytest.mark.parametrize("path", PAGES, ids=lambda path: path.stem)
def test_story_paragraphs_are_the_characters_our_parser_keeps(path):
    """Offsets of later annotations point into the stored text: trafilatura only chooses among our blocks, so
    each paragraph is, character for character, what our parser reads, and in the page's order."""
    story = expected_of(path)["story"]
    ours, chosen = draft_of(path, story_extractor=False).paragraphs, draft_of(path).paragraphs
    assert [text for text in chosen if text in story] == [text for text in ours if text in story] == story
    remaining = iter(whole_page_blocks(path))
    assert all(any(text == block for block in remaining) for text in chosen)


def test_the_extractor_leaves_much_less_chrome_than_our_parser_alone():
    ours = sum(evaluate(path, story_extractor=False).chrome_left for path in PAGES)
    chosen = sum(evaluate(path).chrome_left for path in PAGES)
    assert ours >= 10 * len(PAGES) // 2 and chosen <= len(PAGES) * CHROME_LEFT_MAX and chosen < ours / 5


def test_what_the_extractor_drops_inside_the_story_is_kept_as_chrome():
    """watan-2013: the caption and the print/send row between the headline and the story are kept, marked; the
    menus, most-read headlines and footer rows outside it are dropped; the comment policy (twice) is kept."""
    draft = draft_of(PAGES[[p.stem for p in PAGES].index("watan-2013")])
    marked = [text for position, text in enumerate(draft.paragraphs) if position in draft.chrome]
    assert "محطة تحلية على الساحل الشرقي (أرشيف)" in marked
    assert sum(1 for text in marked if text.startswith("التعليقات المنشورة تعبر عن رأي أصحابها")) == 2
    assert any("آخر تحديث" in text for text in marked)
    everything = "\n".join(draft.paragraphs)
    for noise in ("اتصل بنا", "ارتفاع أسعار الذهب في الأسواق المحلية", "من نحن | أعلن معنا", "فيسبوك"):
        assert noise not in everything


def test_a_page_the_extractor_rejects_is_read_by_our_parser_as_before():
    page = "<html><body><div><a href='/'>الرئيسية</a></div><p>خبر قصير جداً.</p><p>سطر ثان.</p></body></html>"
    assert news.run_trafilatura(page) is None
    document = extract_html(page)
    assert document.extractor == "" and not document.chrome
    assert document.paragraphs == extract_html(page, story_extractor=False).paragraphs


def test_an_error_inside_trafilatura_falls_back(monkeypatch):
    import trafilatura

    def broken(*args, **kwargs):
        raise RecursionError("a bug of the extractor's")

    monkeypatch.setattr(trafilatura, "bare_extraction", broken)
    path = PAGES[0]
    assert draft_of(path).paragraphs == draft_of(path, story_extractor=False).paragraphs


def test_huge_pages_skip_the_extractor_and_stay_bounded():
    paragraph = "<p>" + "وقال المتحدث إن الفرق الميدانية تواصل عملها في المناطق المتضررة. " * 3 + "</p>"
    markup = "<html><body>" + paragraph * (5_000_000 // len(paragraph)) + "</body></html>"
    started = time.perf_counter()
    document = extract_html(markup)
    assert time.perf_counter() - started < 10
    assert document.extractor == "" and len(document.paragraphs) > 10_000
    # Small but made of many elements (trafilatura's time grows with them): read by our parser alone too.
    many = "<html><body>" + "<div>وقال المتحدث إن الفرق تواصل عملها.</div>" * (news.MAX_EXTRACTOR_ELEMENTS + 1) + "</body></html>"
    started = time.perf_counter()
    assert extract_html(many).extractor == "" and time.perf_counter() - started < 5
    with pytest.raises(RejectedFile, match="nests elements more than"):
        extract_html("<div>" * 5000 + "نص" + "</div>" * 5000)


@pytest.mark.django_db
def test_the_import_marks_the_kept_chrome_for_the_importer(analyst, other_analyst, client):
    path = PAGES[[p.stem for p in PAGES].index("rasid-comments")]
    outcome = import_bytes(path.name, path.read_bytes(), user=analyst)
    article = Article.objects.get(pk=outcome.article_id)
    expected = expected_of(path)
    assert article.title == expected["title"] and str(article.published_on) == expected["date"]
    marks = BoilerplateMark.objects.filter(paragraph__article=article)
    assert marks.count() >= 3 and {m.author_id for m in marks} == {analyst.pk}
    assert {m.category.name for m in marks} == {news.CHROME_CATEGORY}
    marked_texts = {m.paragraph.text for m in marks}
    assert not marked_texts & set(expected["story"])
    events = AnnotationEvent.objects.filter(kind="boilerplate", action=AnnotationEvent.IMPORTED, actor=analyst)
    assert events.count() == marks.count()
    # The importer reads them folded away as marks; another analyst sees them as hints until they mark them.
    client.force_login(analyst)
    html = client.get(article.get_absolute_url()).content.decode()
    assert html.count('data-boilerplate="Boilerplate: page chrome"') == marks.count()
    client.force_login(other_analyst)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "kept as page chrome when the page was imported" in html or "a comment policy notice" in html
    assert html.count("data-boilerplate-hint=") >= marks.count()


@pytest.mark.django_db
def test_an_import_without_an_account_stores_the_same_paragraphs_unmarked():
    path = PAGES[0]
    outcome = import_bytes(path.name, path.read_bytes())
    article = Article.objects.get(pk=outcome.article_id)
    assert [p.text for p in article.paragraphs.order_by("position")] == draft_of(path).paragraphs
    assert not BoilerplateMark.objects.filter(paragraph__article=article).exists()


HINTED = [
    ("© 2013 صحيفة الوادي الإلكترونية - جميع الحقوق محفوظة", "masthead", "a copyright or footer line"),
    ("Copyright © 2013 Alwadi. All Rights Reserved", "masthead", "a copyright or footer line"),
    ("من نحن | أعلن معنا | سياسة الخصوصية | اتصل بنا", "navigation", "a row of links separated by |"),
    (
        "التعليقات المنشورة تعبر عن رأي أصحابها ولا تعبر بالضرورة عن رأي الصحيفة، ونحتفظ بحق حذف أي تعليق.",
        "comments",
        "a comment policy notice",
    ),
    ("نشر في: 12/03/2013 - 10:35 ص | آخر تحديث: 12/03/2013 - 02:10 م", "byline", "a dateline (“آخر تحديث”)"),
]


@pytest.mark.django_db
def test_boilerplate_hints_name_page_chrome(categories):
    from annotations.boilerplate import boilerplate_hints
    from tests.utils import make_article

    story = "أعلنت وزارة المياه أمس عن خطة شاملة لترشيد استهلاك المياه في المدن الكبرى تبدأ الشهر المقبل."
    lines = [
        story,
        *(text for text, _c, _r in HINTED),
        "الأكثر قراءة",
        "ارتفاع أسعار الذهب في الأسواق المحلية",
        "الأرصاد تتوقع أمطاراً رعدية على المرتفعات",
        story.replace("أمس", "اليوم")
        + " وقال الوكيل إن الخطة تشمل توزيع أدوات ترشيد مجانية على المنازل ومراجعة التعرفة للشرائح العليا.",
    ]
    article = make_article(lines, title="خطة لترشيد المياه")
    paragraphs = list(article.paragraphs.order_by("position"))
    found = boilerplate_hints(article, paragraphs)
    hints = {p.position: (found[p.pk][0].name, found[p.pk][1]) if p.pk in found else (None, None) for p in paragraphs}
    for position, (_text, category, reason) in enumerate(HINTED, start=1):
        assert hints[position] == (category, reason)
    heading = len(HINTED) + 1
    assert hints[heading] == ("related", "the heading of a “most read” list")
    assert hints[heading + 1] == ("related", "in the list under “الأكثر قراءة”") == hints[heading + 2]
    assert hints[0] == (None, None) and hints[heading + 3] == (None, None)


def test_a_story_line_quoting_a_phrase_is_no_chrome():
    long_line = " ".join(["وقال المتحدث إن جميع الحقوق محفوظة للمواطنين في هذه القضية"] * 5)
    assert news.chrome_rule(long_line) is None
    assert news.chrome_rule("وقال إن الوزارة تعمل على الخطة منذ سنوات طويلة.") is None


def test_datelines_are_read_in_arabic():
    assert str(news.dateline_date(["الإسكندرية - الأحد ٤ يوليو ٢٠١٠ - آخر تحديث: 11:20"])) == "2010-07-04"
    assert str(news.dateline_date(["نشر في: 12/03/2013 - 10:35 ص"])) == "2013-03-12"
    assert str(news.dateline_date(["الجمعة 3 تشرين الأول 2014"], chrome={0})) == "2014-10-03"
    assert str(news.dateline_date(["تاريخ النشر: 2015-08-09 10:20"])) == "2015-08-09"
    assert news.dateline_date(["نشر في: 31/02/2013"]) is None  # no such day
    assert news.dateline_date(["وفي 5 مايو 2003 وقع الاتفاق."]) is None  # a story's own date, not a dateline
    assert news.dateline_date(["وانتشرت القوات في المدينة يوم 5 مايو 2003."]) is None


def test_no_file_of_the_external_data_is_in_the_page_set():
    shared = Path(__file__).resolve().parents[2] / "shared" / "external-data"
    if not shared.exists():
        pytest.skip("../shared/external-data is absent")
    external = {line.strip() for path in shared.rglob("*.txt") for line in path.read_text(encoding="utf-8").splitlines()}
    for path in PAGES:
        assert not set(expected_of(path)["story"]) & {line for line in external if len(line) > 40}


def test_mangled_pages_are_read_or_refused_never_an_error():
    """Pages of the set cut short, tags dropped or doubled, bytes of another page spliced in: each is read (by
    trafilatura or our parser) or refused with a message; nothing else is raised."""
    import random

    chosen = random.Random(16)
    sources = [path.read_bytes().decode("cp1256" if path.stem == "masry-2010" else "utf-8") for path in PAGES]
    for _ in range(60):
        page = chosen.choice(sources)
        cut = sorted(chosen.randrange(len(page)) for _ in range(2))
        mangled = chosen.choice(
            [
                page[: cut[0]],
                page[: cut[0]] + page[cut[1] :],
                page.replace("</div>", "", chosen.randrange(1, 30)),
                page.replace("<p>", "<p><p>"),
                page[: cut[0]] + chosen.choice(sources) + page[cut[0] :],
                page.replace(">", "", 3),
            ]
        )
        try:
            document = extract_html(mangled)
        except RejectedFile:
            continue
        assert all(isinstance(text, str) for text in document.paragraphs)
        assert all(0 <= index < len(document.paragraphs) for index in document.chrome)
