"""Everyone's spans in the reading view: whose span is whose (a colour per annotator on each band, named in the
title and the legend) and a filter by annotator that the re-rendered paragraphs keep."""

import re

import pytest
from django.urls import reverse

from tests.utils import add_span, make_article

pytestmark = pytest.mark.django_db

TEXT = "التقى وزير الدفاع العراقي ثابت العباسي بنظيره لويد أوستن في واشنطن."


@pytest.fixture
def paragraph(labels):
    return make_article([TEXT, "فقرة ثانية عن العراق."]).paragraphs.get(position=0)


def segment_of(html, span_pk):
    match = re.search(rf'<span class="([^"]*)" data-spans="([^"]*\b{span_pk}\b[^"]*)"[^>]*title="([^"]*)"', html)
    assert match, f"no segment of span {span_pk}"
    return match.group(1).split(), match.group(3)


def test_identical_spans_of_two_annotators_carry_each_annotators_mark(client, paragraph, analyst, other_analyst):
    mine = add_span(paragraph, "لويد أوستن", "PER", author=analyst)
    theirs = add_span(paragraph, "لويد أوستن", "PER", author=other_analyst)
    client.force_login(analyst)
    html = client.get(paragraph.article.get_absolute_url(), {"spans": "all"}).content.decode()
    classes, title = segment_of(html, mine.pk)
    # Two layers, one per annotator, in the order of their ids: analyst1 colour 1, analyst2 colour 2.
    assert {"depth-2", "a0-1", "a1-2"} <= set(classes)
    assert title == "PER · analyst1 / PER · analyst2"
    assert f'data-spans="{mine.pk} {theirs.pk}"' in html
    assert '<div class="workspace everyone"' in html
    legend = html[html.index('<ul class="annotators"') : html.index("</ul>", html.index('<ul class="annotators"'))]
    assert 'annotator-1"></span> <bdi>analyst1</bdi>' in legend and 'annotator-2"></span> <bdi>analyst2</bdi>' in legend
    assert f'href="?spans=all&amp;by={other_analyst.pk}"' in legend


def test_only_my_spans_show_no_annotator_marks(analyst_client, paragraph, analyst):
    span = add_span(paragraph, "لويد أوستن", "PER", author=analyst)
    html = analyst_client.get(paragraph.article.get_absolute_url()).content.decode()
    classes, title = segment_of(html, span.pk)
    assert not [c for c in classes if re.fullmatch(r"a\d-\d", c)] and title == "PER"
    assert 'class="annotators"' not in html and "workspace everyone" not in html


def test_the_annotator_filter_shows_one_annotators_spans_and_writes_keep_it(client, paragraph, analyst, other_analyst):
    mine = add_span(paragraph, "لويد أوستن", "PER", author=analyst)
    theirs = add_span(paragraph, "واشنطن", "LOC", author=other_analyst)
    client.force_login(analyst)
    url = paragraph.article.get_absolute_url()
    html = client.get(url, {"spans": "all", "by": other_analyst.pk}).content.decode()
    assert f'data-spans="{theirs.pk}"' in html and f'data-spans="{mine.pk}"' not in html
    assert "only theirs shown" in html and 'href="?spans=all&amp;by="' in html
    # The legend still lists both (to switch), and a write's re-rendered paragraph keeps the filter.
    assert "<bdi>analyst1</bdi>" in html
    response = client.post(reverse("annotations:span_delete", args=[mine.pk]), headers={"HX-Request": "true"})
    assert response.status_code == 200 and f'data-spans="{theirs.pk}"' in response.content.decode()
    # ?by= clears it; an unknown or stranger's id shows everyone's.
    html = client.get(url, {"by": ""}).content.decode()
    assert "only theirs shown" not in html
    html = client.get(url, {"by": "999999"}).content.decode()
    assert f'data-spans="{theirs.pk}"' in html and "only theirs shown" not in html
    assert client.get(url, {"by": "not-a-number"}).status_code == 200
