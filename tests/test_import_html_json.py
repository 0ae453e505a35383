"""HTML pages and article JSON."""

import datetime
import json

import pytest

from corpus.importing import IMPORTED, REJECTED
from corpus.models import Article, Paragraph
from tests.utils import assert_corpus_unchanged, import_bytes

pytestmark = pytest.mark.django_db

PAGE = """<!DOCTYPE html>
<html lang="ar" dir="rtl"><head>
<meta charset="utf-8">
<title>عنوان الصفحة | الموقع</title>
<meta property="og:title" content="بغداد وواشنطن يؤكدان التزامهما">
<meta property="og:site_name" content="موقع الأخبار">
<meta property="og:url" content="https://example.org/news/1">
<meta property="article:published_time" content="2023-08-09T10:00:00+03:00">
<style>body { color: red } .x::after { content: "STYLE-TEXT" }</style>
<script>var leaked = "SCRIPT-TEXT"; document.write("<p>WRITTEN</p>");</script>
</head>
<body>
<nav><a href="/">الرئيسية</a> <a href="/iraq">العراق</a></nav>
<!-- a comment that must vanish: COMMENT-TEXT -->
<article>
  <h1>بغداد وواشنطن يؤكدان التزامهما</h1>
  <p>أكدت   العاصمة العراقية &laquo;بغداد&raquo; والعاصمة
     الأمريكية واشنطن&nbsp;التزامهما &amp; تعاونهما.</p>
  <p>سطر أول<br>سطر ثان</p>
  <SCRIPT type="text/javascript">alert("UPPER-SCRIPT")</SCRIPT>
  <div>فقرة في <b>عنصر</b> div مع <a href="#">رابط</a>.</div>
  <noscript>NOSCRIPT-TEXT</noscript>
  <p>وأشار الوفدان إلى اعتزامهما إجراء حوارات تعاون أمني مشتركة لاحقة واجتماعات ذات صلة في المستقبل لمناقشة التهديدات.</p>
</article>
<aside><h3>مقالات ذات صلة</h3><ul><li>خبر آخر</li></ul></aside>
<footer>حقوق النشر محفوظة</footer>
</body></html>"""


def import_page(markup=PAGE, name="page.html"):
    outcome = import_bytes(name, markup.encode("utf-8"))
    assert outcome.status == IMPORTED, outcome.message
    return Article.objects.get(pk=outcome.article_id)


def texts(article):
    return list(article.paragraphs.order_by("position").values_list("text", flat=True))


def test_it_keeps_the_readable_paragraphs_of_the_story():
    assert texts(import_page()) == [
        "بغداد وواشنطن يؤكدان التزامهما",
        "أكدت العاصمة العراقية «بغداد» والعاصمة الأمريكية واشنطن\u00a0التزامهما & تعاونهما.",
        "سطر أول",
        "سطر ثان",
        "فقرة في عنصر div مع رابط.",
        "وأشار الوفدان إلى اعتزامهما إجراء حوارات تعاون أمني مشتركة لاحقة واجتماعات ذات صلة في المستقبل لمناقشة التهديدات.",
    ]


def test_no_script_style_comment_or_markup_text_reaches_a_paragraph():
    joined = "\n".join(texts(import_page()))
    for leaked in [
        "SCRIPT-TEXT",
        "UPPER-SCRIPT",
        "STYLE-TEXT",
        "COMMENT-TEXT",
        "NOSCRIPT-TEXT",
        "WRITTEN",
        "<",
        ">",
        "&amp;",
        "&laquo;",
    ]:
        assert leaked not in joined


def test_it_reads_title_url_date_source_and_language_from_the_page():
    article = import_page()
    assert article.title == "بغداد وواشنطن يؤكدان التزامهما"
    assert article.url == "https://example.org/news/1"
    assert article.published_on == datetime.date(2023, 8, 9)
    assert article.source.name == "موقع الأخبار"
    assert article.language == "ar"


def test_a_page_without_article_element_keeps_all_body_text_but_never_scripts():
    article = import_page("<html><body><p>الأولى</p><script>x=1</script><div>الثانية<style>p{}</style></div></body></html>")
    assert texts(article) == ["الأولى", "الثانية"]
    assert article.title == "الأولى"


def test_a_javascript_url_in_page_metadata_is_dropped():
    article = import_page('<html><head><link rel="canonical" href="javascript:alert(1)"></head><body><p>نص</p></body></html>')
    assert article.url == ""


def test_a_page_with_no_readable_text_is_rejected():
    with assert_corpus_unchanged():
        outcome = import_bytes("empty.html", b"<html><head><script>var a;</script></head><body><nav>menu</nav></body></html>")
    assert outcome.status == REJECTED
    assert outcome.message == "No readable paragraphs were found in this HTML page."


def test_html_is_recognised_without_an_extension():
    outcome = import_bytes("download", b"<!doctype html><html><body><p>\xd9\x86\xd8\xb5</p><script>evil()</script></body></html>")
    assert outcome.status == IMPORTED
    assert texts(Article.objects.get(pk=outcome.article_id)) == ["نص"]


# --- article JSON ---------------------------------------------------------------------------------


def import_json(document, name="article.json"):
    return import_bytes(name, json.dumps(document, ensure_ascii=False).encode())


def test_it_imports_article_json_with_its_metadata():
    outcome = import_json(
        {
            "title": "عنوان مختار",
            "source": "الشرق الأوسط",
            "url": "https://aawsat.com/x",
            "published_on": "2023-08-10",
            "language": "ar",
            "paragraphs": ["الفقرة الأولى", "  ", "الفقرة الثانية\nوالثالثة"],
        }
    )
    article = Article.objects.get(pk=outcome.article_id)
    assert (article.title, article.source.name, article.url) == ("عنوان مختار", "الشرق الأوسط", "https://aawsat.com/x")
    assert article.published_on == datetime.date(2023, 8, 10)
    assert texts(article) == ["الفقرة الأولى", "الفقرة الثانية", "والثالثة"]


def test_article_json_may_give_text_instead_of_paragraphs():
    outcome = import_json({"text": "الأولى\r\nالثانية"})
    assert texts(Article.objects.get(pk=outcome.article_id)) == ["الأولى", "الثانية"]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("{not json", "Not valid JSON: Expecting property name enclosed in double quotes at line 1, column 2."),
        ("[1, 2]", "The JSON must be one object describing one article"),
        ('{"paragraphs": ["x"], "titel": "typo"}', "Unknown field(s) 'titel'"),
        ('{"paragraphs": "x"}', "'paragraphs' must be a list of strings."),
        ('{"paragraphs": ["x"], "text": "y"}', "either 'paragraphs'"),
        ('{"title": "x"}', "either 'paragraphs'"),
        ('{"paragraphs": ["x"], "url": "javascript:alert(1)"}', "is not a valid http(s) address"),
        ('{"paragraphs": ["x"], "published_on": "10/08/2023"}', "'published_on' must be a date as YYYY-MM-DD"),
        ('{"paragraphs": ["x"], "language": "arabic language"}', "is not a language tag"),
        ('{"paragraphs": ["x"], "title": 5}', "The field 'title' must be a string."),
        ('{"paragraphs": ["   "]}', "every line is empty or whitespace"),
        ('{"format": "hamish", "version": 1, "articles": []}', "annotation export"),
    ],
)
def test_bad_article_json_is_rejected_with_a_reason_and_changes_nothing(payload, message):
    with assert_corpus_unchanged():
        outcome = import_bytes("bad.json", payload.encode())
    assert outcome.status == REJECTED
    assert message in outcome.message


def test_a_source_name_that_is_too_long_is_rejected():
    with assert_corpus_unchanged():
        outcome = import_json({"paragraphs": ["نص"], "source": "x" * 201})
    assert outcome.status == REJECTED and "source name is longer than 200" in outcome.message
    assert not Paragraph.objects.exists()
