"""Span endpoints as the browser calls them: access, ownership, CSRF, bad input, partials, queries."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations.models import Entity, Span
from annotations.offsets import code_point_to_utf16
from tests.utils import add_span, make_article

pytestmark = pytest.mark.django_db

TEXT = "😀 التقى وزير الدفاع العراقي ثابت العباسي بنظيره لويد أوستن في واشنطن."


@pytest.fixture
def paragraph(labels):
    return make_article([TEXT, "الفقرة الثانية عن العراق."]).paragraphs.get(position=0)


def selection(text, quote, label="PER"):
    index = text.index(quote)
    return {
        "start": code_point_to_utf16(text, index),
        "end": code_point_to_utf16(text, index + len(quote)),
        "quote": quote,
        "label": label,
    }


def create_url(paragraph):
    return reverse("annotations:span_create", args=[paragraph.pk])


def htmx(client, url, data=None):
    return client.post(url, data or {}, headers={"HX-Request": "true"})


def test_it_creates_a_span_and_answers_with_the_paragraph_partial(analyst_client, analyst, paragraph):
    response = htmx(analyst_client, create_url(paragraph), selection(TEXT, "لويد أوستن"))
    html = response.content.decode()
    assert response.status_code == 200
    span = Span.objects.get()
    assert (span.text, span.author, span.label.name) == ("لويد أوستن", analyst, "PER")
    assert TEXT[span.start : span.end] == "لويد أوستن"
    assert html.lstrip().startswith('<p id="p0" class="paragraph"')
    assert f'data-spans="{span.pk}"' in html and ">لويد أوستن</span>" in html
    # An unlinked span changes no side-panel list: only the paragraph and the span's card come back.
    assert 'id="entity-panel"' not in html and 'id="stance-panel"' not in html and 'id="boilerplate-summary"' not in html
    assert 'id="span-card"' in html and "Delete span" in html  # the new span's card, out of band
    assert "<html" not in html


def test_linking_and_deleting_a_linked_span_refresh_the_entity_panel(analyst_client, analyst, paragraph):
    htmx(analyst_client, create_url(paragraph), selection(TEXT, "لويد أوستن"))
    span = Span.objects.get()
    html = htmx(
        analyst_client, reverse("annotations:span_update", args=[span.pk]), {"new_entity": "لويد أوستن", "create_entity": "1"}
    ).content.decode()
    panel = html[html.index('id="entity-panel"') :]
    assert 'hx-swap-oob="true"' in panel[:60] and "لويد أوستن" in panel and '<span class="count">1</span>' in panel
    html = htmx(analyst_client, reverse("annotations:span_delete", args=[span.pk])).content.decode()
    panel = html[html.index('id="entity-panel"') :]
    assert "No span is linked to an entity yet" in panel


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"quote": "لويد أوستX"}, "does not match"),
        ({"end": 9999}, "runs past the end"),
        ({"start": 1}, "splits a character"),  # inside the emoji's surrogate pair
        ({"label": "NOPE"}, "Unknown label."),
        ({"start": "abc"}, "whole number"),
        ({"quote": ""}, "This field is required."),
    ],
)
def test_bad_selections_get_a_clear_message_and_change_nothing(analyst_client, paragraph, change, message):
    data = {**selection(TEXT, "لويد أوستن"), **change}
    response = htmx(analyst_client, create_url(paragraph), data)
    assert response.status_code == 422
    assert response["Content-Type"].startswith("text/plain")
    assert message in response.content.decode()
    assert not Span.objects.exists()


def test_an_unknown_paragraph_is_404(analyst_client, labels):
    response = htmx(analyst_client, reverse("annotations:span_create", args=[987654]), selection(TEXT, "لويد أوستن"))
    assert response.status_code == 404


def test_another_paragraphs_id_cannot_carry_this_paragraphs_selection(analyst_client, paragraph):
    other = paragraph.article.paragraphs.get(position=1)
    response = htmx(analyst_client, create_url(other), selection(TEXT, "لويد أوستن"))
    assert response.status_code == 422 and not Span.objects.exists()


def test_anonymous_users_cannot_write(client, paragraph, analyst):
    span = add_span(paragraph, "واشنطن", "LOC", author=analyst)
    for url in [create_url(paragraph), reverse("annotations:span_delete", args=[span.pk]), reverse("annotations:undo")]:
        response = client.post(url, selection(TEXT, "لويد أوستن"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert list(Span.objects.values_list("pk", flat=True)) == [span.pk]


def test_writes_need_the_csrf_token(analyst, paragraph):
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    response = client.post(create_url(paragraph), selection(TEXT, "لويد أوستن"), headers={"HX-Request": "true"})
    assert response.status_code == 403 and not Span.objects.exists()
    page = client.get(paragraph.article.get_absolute_url()).content.decode()
    token = json.loads(page.split("hx-headers='")[1].split("'")[0])["X-CSRFToken"]
    response = client.post(
        create_url(paragraph), selection(TEXT, "لويد أوستن"), headers={"HX-Request": "true", "X-CSRFToken": token}
    )
    assert response.status_code == 200 and Span.objects.count() == 1


def test_writes_need_post(analyst_client, paragraph, analyst):
    span = add_span(paragraph, "واشنطن", "LOC", author=analyst)
    assert analyst_client.get(create_url(paragraph)).status_code == 405
    assert analyst_client.get(reverse("annotations:span_delete", args=[span.pk])).status_code == 405
    assert analyst_client.get(reverse("annotations:undo")).status_code == 405
    assert analyst_client.post(reverse("annotations:span_card", args=[span.pk])).status_code == 405


def test_another_analyst_cannot_change_or_delete_a_span(client, paragraph, analyst, other_analyst):
    span = add_span(paragraph, "واشنطن", "LOC", author=analyst)
    client.force_login(other_analyst)
    assert htmx(client, reverse("annotations:span_update", args=[span.pk]), {"label": "ORG", "note": "x"}).status_code == 403
    assert htmx(client, reverse("annotations:span_delete", args=[span.pk])).status_code == 403
    span.refresh_from_db()
    assert (span.label.name, span.note) == ("LOC", "")
    card = client.get(reverse("annotations:span_card", args=[span.pk])).content.decode()
    assert "Delete span" not in card and "Only analyst1 or an administrator" in card


def test_an_admin_may_change_anyones_span(staff_client, paragraph, analyst):
    span = add_span(paragraph, "واشنطن", "LOC", author=analyst)
    assert htmx(staff_client, reverse("annotations:span_update", args=[span.pk]), {"label": "ORG"}).status_code == 200
    span.refresh_from_db()
    assert span.label.name == "ORG"


def test_changing_label_note_and_entity_through_the_card(analyst_client, paragraph, analyst):
    span = add_span(paragraph, "لويد أوستن", "PER", author=analyst)
    url = reverse("annotations:span_update", args=[span.pk])
    response = htmx(analyst_client, url, {"note": "<b>وزير</b><script>x()</script>"})
    assert response.status_code == 200 and "<b>وزير</b>" in response.content.decode()
    htmx(analyst_client, url, {"new_entity": "  لويد   أوستن ", "create_entity": "1"})
    span.refresh_from_db()
    assert span.entity.name == "لويد أوستن" and span.note == "<b>وزير</b>"
    response = htmx(analyst_client, url, {"entity": ""})
    span.refresh_from_db()
    assert span.entity is None
    assert htmx(analyst_client, url, {"create_entity": "1", "new_entity": " "}).status_code == 422


def test_deleting_answers_with_the_paragraph_without_the_span(analyst_client, paragraph, analyst):
    span = add_span(paragraph, "واشنطن", "LOC", author=analyst)
    response = htmx(analyst_client, reverse("annotations:span_delete", args=[span.pk]))
    assert response.status_code == 200 and "data-spans" not in response.content.decode()
    assert not Span.objects.exists()


def test_undo_retargets_the_paragraph_it_touched(analyst_client, paragraph, analyst):
    span = add_span(paragraph, "واشنطن", "LOC", author=analyst)
    response = htmx(analyst_client, reverse("annotations:undo"))
    assert response.status_code == 200 and response["HX-Retarget"] == "#p0"
    assert not Span.objects.filter(pk=span.pk).exists()
    nothing = htmx(analyst_client, reverse("annotations:undo"))
    assert nothing.status_code == 409 and nothing.content.decode() == "Nothing to undo."


def test_undo_on_an_article_page_stays_in_that_article(analyst_client, paragraph, analyst):
    span = add_span(paragraph, "واشنطن", "LOC", author=analyst)
    other = make_article(["مقال آخر تماماً"])
    response = htmx(analyst_client, reverse("annotations:undo"), {"article": other.pk})
    assert response.status_code == 409 and response.content.decode() == "Nothing to undo in this article."
    assert Span.objects.filter(pk=span.pk).exists()
    assert htmx(analyst_client, reverse("annotations:undo"), {"article": paragraph.article_id}).status_code == 200
    assert not Span.objects.exists()


def test_analysts_see_their_own_spans_unless_they_ask_for_everyones(client, paragraph, analyst, other_analyst):
    add_span(paragraph, "واشنطن", "LOC", author=analyst)
    theirs = add_span(paragraph, "لويد أوستن", "PER", author=other_analyst)
    client.force_login(analyst)
    url = paragraph.article.get_absolute_url()
    assert f'data-spans="{theirs.pk}"' not in client.get(url).content.decode()
    assert f'data-spans="{theirs.pk}"' in client.get(url, {"spans": "all"}).content.decode()
    assert f'data-spans="{theirs.pk}"' in client.get(url).content.decode()  # remembered for the session


def test_nested_spans_render_as_layered_segments(analyst_client, paragraph, analyst):
    outer = add_span(paragraph, "وزير الدفاع العراقي ثابت العباسي", "PER", author=analyst)
    inner = add_span(paragraph, "العراقي", "LOC", author=analyst)
    html = analyst_client.get(paragraph.article.get_absolute_url()).content.decode()
    assert f'class="seg depth-2 c0-PER c1-LOC" data-spans="{outer.pk} {inner.pk}"' in html
    assert f'data-spans="{outer.pk}"' in html


def test_span_text_is_escaped(analyst_client, analyst, labels):
    paragraph = make_article(["<img src=x onerror=alert(1)> نص"]).paragraphs.get()
    add_span(paragraph, "<img src=x onerror=alert(1)>", "MISC", author=analyst)
    html = analyst_client.get(paragraph.article.get_absolute_url()).content.decode()
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_the_article_page_makes_the_same_queries_with_10_and_1000_spans(analyst_client, analyst, labels):
    article = make_article([f"الفقرة {i}: وزير الدفاع العراقي ثابت العباسي في واشنطن" for i in range(100)])
    paragraphs = list(article.paragraphs.all())
    entity = Entity.objects.create(name="ثابت العباسي", label=labels["PER"])

    def tag(count):
        spans = []
        for i in range(count):
            p = paragraphs[i % 100]
            word = [
                "وزير",
                "الدفاع",
                "العراقي",
                "ثابت",
                "العباسي",
                "واشنطن",
                "وزير الدفاع",
                "ثابت العباسي",
                "العراقي ثابت",
                "الفقرة",
            ][i // 100 % 10]
            start = p.text.index(word)
            spans.append(
                Span(
                    paragraph=p,
                    start=start,
                    end=start + len(word),
                    text=word,
                    label=labels[["PER", "ORG", "LOC", "MISC"][i % 4]],
                    author=analyst,
                    entity=entity if i % 3 == 0 else None,
                )
            )
        Span.objects.bulk_create(spans)

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert analyst_client.get(article.get_absolute_url()).status_code == 200
        return len(queries)

    tag(10)
    count_queries()  # the first load also builds this process's entity index (cached until entities change)
    few = count_queries()
    Span.objects.all().delete()
    tag(1000)
    assert Span.objects.count() == 1000
    # Never more queries with more annotations (fewer is allowed: with every paragraph marked there are no
    # boilerplate hints to look up, with every name tagged no rejected suggestions).
    assert count_queries() <= few


def test_the_entity_page_lists_mentions_across_articles(analyst_client, analyst, labels):
    entity = Entity.objects.create(name="لويد أوستن", label=labels["PER"])
    for source in ["الحرة", "قريش"]:
        p = make_article([f"{source}: التقى لويد أوستن بالعباسي"], source=source).paragraphs.get()
        add_span(p, "لويد أوستن", author=analyst, entity=entity)
    html = analyst_client.get(reverse("annotations:entity_detail", args=[entity.pk])).content.decode()
    assert "2 mentions" in html and "الحرة" in html and "قريش" in html


def test_entity_search_matches_names_and_aliases(analyst_client, labels):
    entity = Entity.objects.create(name="سيليست واندر", label=labels["PER"])
    entity.aliases.create(name="سيليست والاندر")
    Entity.objects.create(name="واشنطن", label=labels["LOC"])
    html = analyst_client.get(reverse("annotations:entity_search"), {"q": "والاندر", "label": "PER"}).content.decode()
    assert "سيليست واندر" in html and "واشنطن" not in html


def test_label_colours_come_as_a_stylesheet(analyst_client, labels):
    response = analyst_client.get(reverse("annotations:label_styles"))
    css = response.content.decode()
    assert response["Content-Type"].startswith("text/css")
    assert ".c0-PER { --c0: #1f77b4; }" in css and ".swatch-LOC { --label: #d62728; }" in css
