"""Boilerplate: guessing the category, marking and unmarking, the clean text, endpoints and permissions."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations.boilerplate import clean_text, guess_category, mark_boilerplate, toggle_boilerplate
from annotations.history import undo_last
from annotations.models import AnnotationEvent, BoilerplateMark, Span
from annotations.stances import Choice
from corpus import duplicates
from tests.utils import add_span, add_stance, annotation_snapshot, make_article

pytestmark = pytest.mark.django_db

TITLE = "العراق والولايات المتحدة يبحثان التعاون الأمني"
PARAGRAPHS = [
    TITLE,
    "أكد وزير الدفاع العراقي ثابت العباسي أن التعاون مستمر.",
    "إقرأ أيضاً: إيكواس تبحث خطط التدخل العسكري بالنيجر",
    "عذراً التعليقات مغلقة",
    "كلمات دلالية: العراق، واشنطن",
    "وقال لويد أوستن إن الشراكة قوية.",
]


@pytest.fixture
def article(labels, polarities, categories):
    return make_article(PARAGRAPHS, title=TITLE)


def paragraph_at(article, position):
    return article.paragraphs.get(position=position)


def change_url(paragraph):
    return reverse("annotations:boilerplate_change", args=[paragraph.pk])


def htmx(client, url, data=None):
    return client.post(url, data or {}, headers={"HX-Request": "true"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("إقرأ أيضاً: إيكواس تبحث خطط التدخل", "related"),  # hamza and tanwin folded away
        ("اقرأ ايضا: خبر آخر", "related"),
        ("مقالات ذات صلة", "related"),
        ("عذراً التعليقات مغلقة", "comments"),
        ("كلمات دلالية: العراق", "tags"),
        ("المصدر: الحرة", "byline"),
        ("رئيس مجلس الإدارة: فلان", "masthead"),
        ("التالي", "navigation"),
        (TITLE, "title"),
        ("أكد وزير الدفاع العراقي أن التعاون مستمر.", "other"),
    ],
)
def test_the_category_is_guessed_from_cue_phrases_after_folding(categories, text, expected):
    paragraph = type("P", (), {"text": text})()
    assert guess_category(paragraph, title=TITLE).name == expected


def test_toggling_marks_with_the_guessed_category_then_unmarks(article, analyst):
    related = paragraph_at(article, 2)
    mark = toggle_boilerplate(user=analyst, paragraph=related)
    assert (mark.category.name, mark.author) == ("related", analyst)
    assert toggle_boilerplate(user=analyst, paragraph=related) is None
    assert not BoilerplateMark.objects.exists()
    assert list(AnnotationEvent.objects.order_by("pk").values_list("kind", "action")) == [
        ("boilerplate", "created"),
        ("boilerplate", "deleted"),
    ]


def test_undo_brings_back_a_mark_and_its_category(article, analyst, categories):
    p = paragraph_at(article, 4)
    mark = toggle_boilerplate(user=analyst, paragraph=p)
    mark_boilerplate(user=analyst, paragraph=p, category=categories["other"])
    toggle_boilerplate(user=analyst, paragraph=p)  # unmark
    undo_last(analyst)
    restored = BoilerplateMark.objects.get()
    assert (restored.pk, restored.category.name) == (mark.pk, "other")
    undo_last(analyst)
    restored.refresh_from_db()
    assert restored.category.name == "tags"


def test_the_clean_text_leaves_out_marked_paragraphs(article, analyst, other_analyst):
    paragraphs = list(article.paragraphs.order_by("position"))
    toggle_boilerplate(user=analyst, paragraph=paragraphs[2])
    toggle_boilerplate(user=analyst, paragraph=paragraphs[3])
    marked = set(BoilerplateMark.objects.filter(author=analyst).values_list("paragraph_id", flat=True))
    assert clean_text(paragraphs, marked) == "\n".join(PARAGRAPHS[i] for i in (0, 1, 4, 5))


def test_marking_a_paragraph_with_annotations_warns_and_keeps_them(analyst_client, analyst, article, polarities):
    p = paragraph_at(article, 1)
    add_span(p, "ثابت العباسي", "PER", author=analyst)
    add_stance(
        p,
        "التعاون مستمر",
        author=analyst,
        holder=Choice("name", name="ثابت العباسي"),
        target=Choice("name", name="التعاون"),
        polarity=polarities["supports"],
    )
    response = htmx(analyst_client, change_url(p), {"action": "toggle"})
    assert response.status_code == 200
    message = json.loads(response["HX-Trigger"])["hamish:flash"]["message"]
    assert "1 span and evidence of 1 stance" in message and "kept" in message
    assert Span.objects.count() == 1 and p.evidence.count() == 1
    html = response.content.decode()
    assert 'class="paragraph boilerplate"' in html and 'data-boilerplate="Boilerplate: other"' in html
    assert "seg depth-1" in html  # the span still shows in the (collapsed) paragraph


def test_the_endpoint_marks_changes_and_unmarks(analyst_client, analyst, article):
    p = paragraph_at(article, 3)
    assert htmx(analyst_client, change_url(p), {"action": "mark", "category": "comments"}).status_code == 200
    assert BoilerplateMark.objects.get().category.name == "comments"
    response = htmx(analyst_client, change_url(p), {"action": "mark", "category": "share"})
    assert response.status_code == 200 and BoilerplateMark.objects.get().category.name == "share"
    assert 'id="boilerplate-summary"' in response.content.decode() and "1 of 6 paragraphs marked" in response.content.decode()
    assert htmx(analyst_client, change_url(p), {"action": "unmark"}).status_code == 200
    assert not BoilerplateMark.objects.exists()
    response = htmx(analyst_client, change_url(p), {"action": "unmark"})
    assert response.status_code == 409 and "not marked" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "mark", "category": "adverts"}, "Unknown boilerplate category"),
        ({"action": "mark"}, "Choose a boilerplate category"),
        ({"action": "explode"}, "Select a valid choice"),
        ({}, "required"),
    ],
)
def test_bad_boilerplate_posts_get_a_clear_422(analyst_client, article, data, message):
    before = annotation_snapshot()
    response = htmx(analyst_client, change_url(paragraph_at(article, 2)), data)
    assert response.status_code == 422 and message in response.content.decode()
    assert annotation_snapshot() == before


def test_a_retired_category_is_refused_for_new_marks(analyst_client, article, categories):
    categories["share"].is_active = False
    categories["share"].save()
    response = htmx(analyst_client, change_url(paragraph_at(article, 2)), {"action": "mark", "category": "share"})
    assert response.status_code == 422 and "retired" in response.content.decode()


def test_an_analyst_only_ever_changes_their_own_mark(client, analyst, other_analyst, article):
    p = paragraph_at(article, 2)
    theirs = toggle_boilerplate(user=analyst, paragraph=p)
    client.force_login(other_analyst)
    htmx(client, change_url(p), {"action": "toggle"})  # adds their own mark...
    assert BoilerplateMark.objects.filter(pk=theirs.pk, category=theirs.category).exists()  # ...the first is untouched
    assert htmx(client, change_url(p), {"action": "unmark"}).status_code == 200
    assert list(BoilerplateMark.objects.values_list("pk", flat=True)) == [theirs.pk]
    assert htmx(client, change_url(p), {"action": "unmark"}).status_code == 409
    assert BoilerplateMark.objects.filter(pk=theirs.pk).exists()


def test_writes_need_login_and_csrf(analyst, article):
    p = paragraph_at(article, 2)
    anonymous = Client()
    response = anonymous.post(change_url(p), {"action": "toggle"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    checked = Client(enforce_csrf_checks=True)
    checked.force_login(analyst)
    assert checked.post(change_url(p), {"action": "toggle"}).status_code == 403
    assert not BoilerplateMark.objects.exists()
    assert (
        htmx(Client(), reverse("annotations:boilerplate_change", args=[999999]), {"action": "toggle"}).status_code == 401
    )  # htmx without a session: told, not redirected


def test_unknown_paragraphs_are_404(analyst_client):
    assert htmx(analyst_client, reverse("annotations:boilerplate_change", args=[999999]), {"action": "toggle"}).status_code == 404
    assert analyst_client.get(reverse("annotations:boilerplate_card", args=[999999])).status_code == 404


def test_the_reading_view_collapses_marked_paragraphs_in_the_readers_scope(analyst_client, analyst, other_analyst, article):
    toggle_boilerplate(user=other_analyst, paragraph=paragraph_at(article, 3))
    toggle_boilerplate(user=analyst, paragraph=paragraph_at(article, 2))
    mine = analyst_client.get(article.get_absolute_url()).content.decode()
    assert mine.count('class="paragraph boilerplate"') == 1 and 'data-boilerplate="Boilerplate: related links"' in mine
    everyone = analyst_client.get(article.get_absolute_url() + "?spans=all").content.decode()
    assert everyone.count('class="paragraph boilerplate"') == 2 and "Boilerplate: comments notice (analyst2)" in everyone


def test_the_clean_text_page_and_download(analyst_client, analyst, article):
    toggle_boilerplate(user=analyst, paragraph=paragraph_at(article, 2))
    url = reverse("annotations:clean_text", args=[article.pk])
    html = analyst_client.get(url).content.decode()
    assert "إيكواس" not in html and PARAGRAPHS[5] in html and "1 left out" in html
    download = analyst_client.get(url, {"format": "txt"})
    assert download["Content-Disposition"] == f'attachment; filename="article-{article.pk}-clean.txt"'
    assert download.content.decode() == "\n".join(PARAGRAPHS[i] for i in (0, 1, 3, 4, 5)) + "\n"


def test_the_article_page_makes_the_same_queries_with_few_and_many_marks(analyst_client, analyst, labels, polarities, categories):
    article = make_article([f"إقرأ أيضا: خبر رقم {i}" for i in range(120)])
    paragraphs = list(article.paragraphs.all())

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert analyst_client.get(article.get_absolute_url()).status_code == 200
        return len(queries)

    toggle_boilerplate(user=analyst, paragraph=paragraphs[0])
    count_queries()  # the first load also reads this process's vocabulary (cached until labels or categories change)
    few = count_queries()
    for p in paragraphs[1:]:
        toggle_boilerplate(user=analyst, paragraph=p)
    # Never more queries with more annotations (fewer is allowed: with every paragraph marked there are no
    # boilerplate hints to look up, with every name tagged no rejected suggestions).
    assert count_queries() <= few


def test_paragraphs_that_look_like_chrome_are_suggested_with_a_reason(labels, categories):
    from annotations.boilerplate import boilerplate_hints

    lines = [
        TITLE,
        "أكد وزير الدفاع العراقي ثابت العباسي أن التعاون مستمر.",
        "إقرأ أيضاً: إيكواس تبحث خطط التدخل",
        TITLE,
        "رابط مختصر",
        "المواد المنشورة تعبر عن رأي كتابها فقط ولا تمثل رأي الموقع.",
        "وقال لويد أوستن إن الشراكة قوية.",
    ]
    article = make_article(lines, title=TITLE, source="مصدر")
    others = [make_article([f"مقال آخر {n}.", lines[5]], source="مصدر") for n in range(2)]  # the newsletter line recurs
    duplicates.enqueue([article.pk, *(other.pk for other in others)])
    duplicates.process_pending()  # the pass counts each outlet's lines, as an import runs it
    paragraphs = list(article.paragraphs.order_by("position"))
    found = boilerplate_hints(article, paragraphs)
    hints = {p.position: (found[p.pk][0].name, found[p.pk][1]) if p.pk in found else (None, None) for p in paragraphs}
    assert hints[0] == (None, None)  # the title line itself is the article's
    assert hints[1] == (None, None) and hints[6] == (None, None)  # sentences of the story
    assert hints[2] == ("related", "“إقرأ أيضا”")
    assert hints[3] == ("title", "repeats the title")
    assert hints[4][1].startswith("a short line")
    assert hints[5][1] == "repeated in 3 articles of this outlet"


def test_the_reading_view_shows_hints_until_the_paragraph_is_marked(analyst_client, analyst, article):
    html = analyst_client.get(article.get_absolute_url()).content.decode()
    assert 'data-boilerplate-hint="Looks like boilerplate (related links: “إقرأ أيضا”) · b marks it"' in html
    assert 'data-boilerplate-hint="Looks like boilerplate (comments notice' in html
    toggle_boilerplate(user=analyst, paragraph=paragraph_at(article, 2))
    html = analyst_client.get(article.get_absolute_url()).content.decode()
    assert "(related links: “إقرأ أيضا”)" not in html and 'data-boilerplate="Boilerplate: related links"' in html
