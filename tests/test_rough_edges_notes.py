"""Notes in Markdown (issue 15): rendered and sanitised on display; older HTML notes render as before."""

import pytest
from django.urls import reverse

from annotations.models import Span
from annotations.notes import clean_note_source, render_note
from annotations.spans import update_span
from tests.utils import add_span

pytestmark = pytest.mark.django_db

REL = 'rel="noopener noreferrer nofollow"'


@pytest.fixture
def span(article, analyst, labels):
    return add_span(article.paragraphs.get(position=0), "ثابت العباسي", "PER", author=analyst)


def card(client, span):
    response = client.get(reverse("annotations:span_card", args=[span.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_it_renders_markdown_in_a_span_note(analyst_client, analyst, span):
    update_span(
        user=analyst, span=span, note="**مهم** و *مائل*\n- أولاً\n- ثانياً\n\nانظر [التقرير](https://example.org/r?a=1&b=2)"
    )
    html = card(analyst_client, span)
    assert "<strong>مهم</strong>" in html and "<em>مائل</em>" in html
    assert "<ul>\n<li>أولاً</li>\n<li>ثانياً</li>\n</ul>" in html
    assert f'<a href="https://example.org/r?a=1&amp;b=2" {REL} target="_blank">التقرير</a>' in html


def test_the_edit_box_shows_the_markdown_as_typed_and_saving_it_again_changes_nothing(analyst_client, analyst, span):
    typed = "**مهم** [التقرير](https://example.org/r)\n- أ"
    update_span(user=analyst, span=span, note=typed)
    span.refresh_from_db()
    assert span.note == typed
    assert clean_note_source(span.note) == span.note
    assert f">{typed}</textarea>" in card(analyst_client, span).replace("&quot;", '"')


def test_the_note_field_says_it_takes_markdown(analyst_client, span):
    assert "Markdown: **bold**" in card(analyst_client, span)


def test_older_html_notes_render_as_before(analyst_client, span):
    Span.objects.filter(pk=span.pk).update(note='<b>قديم</b> <a href="https://example.org/x">رابط</a> https://example.org/y')
    html = card(analyst_client, span)
    assert "<b>قديم</b>" in html
    assert f'<a href="https://example.org/x" {REL} target="_blank">رابط</a>' in html
    assert f'<a href="https://example.org/y" {REL} target="_blank">https://example.org/y</a>' in html


@pytest.mark.parametrize(
    ("source", "absent"),
    [
        ("[x](javascript:alert(1))", "href"),
        ("<script>alert(1)</script>نص", "alert"),
        ('<img src=x onerror="alert(1)">', "onerror"),
        ("[x](data:text/html,<script>alert(1)</script>)", "href"),
        ('<a href="javascript:alert(1)">x</a>', "javascript:"),
        ("![x](https://example.org/track.png)", "<img"),
    ],
)
def test_nothing_in_a_markdown_note_runs(source, absent):
    stored = clean_note_source(source)
    shown = render_note(stored)
    assert absent not in shown
    assert "<script" not in stored and "onerror" not in stored


def test_an_autolink_survives_the_write_and_becomes_a_link():
    stored = clean_note_source("انظر <https://example.org/a>")
    assert stored == "انظر https://example.org/a"
    assert f'<a href="https://example.org/a" {REL} target="_blank">https://example.org/a</a>' in render_note(stored)


def test_a_line_break_is_kept_and_headings_stay_text():
    assert render_note("سطر\nسطر آخر") == "<p>سطر<br>\nسطر آخر</p>"
    assert render_note("# 3 نقاط") == "<p># 3 نقاط</p>"


def test_a_markdown_note_survives_export_and_import_and_w3c_carries_it_as_html(analyst, admin, span):
    import json

    from annotations.interchange.formats import FORMATS
    from annotations.interchange.loading import import_document, read_document
    from annotations.interchange.selection import build_query
    from annotations.models import Entity
    from corpus.models import Article, Source

    typed = "**مهم** [التقرير](https://example.org/r)"
    update_span(user=analyst, span=span, note=typed)
    w3c = "".join(FORMATS["w3c"].chunks(build_query(None), user=None))

    def bodies(node):
        if isinstance(node, dict):
            if node.get("type") == "TextualBody":
                yield node["value"]
            for value in node.values():
                yield from bodies(value)
        elif isinstance(node, list):
            for value in node:
                yield from bodies(value)

    values = list(bodies(json.loads(w3c)))
    assert any(value.startswith("<p><strong>مهم</strong>") and 'rel="noopener noreferrer nofollow"' in value for value in values)
    exported = "".join(FORMATS["hamish"].chunks(build_query(None), user=None))
    Span.objects.all().delete()
    Entity.objects.all().delete()
    Article.objects.all().delete()
    Source.objects.all().delete()
    import_document(read_document(exported.encode()), user=admin)
    assert Span.objects.get().note == typed
