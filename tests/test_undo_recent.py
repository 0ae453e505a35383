"""Undo in two steps and of recent actions only: the preview says what undo would take back, the undo
takes back exactly that action, and actions older than history.UNDO_WINDOW are out of its reach."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from annotations.history import UNDO_WINDOW
from annotations.models import AnnotationEvent, Span
from tests.utils import add_span, make_article

pytestmark = pytest.mark.django_db

TEXT = "التقى وزير الدفاع العراقي ثابت العباسي بنظيره لويد أوستن في واشنطن."


@pytest.fixture
def paragraph(labels):
    return make_article([TEXT]).paragraphs.get(position=0)


def preview(client, article_id):
    return client.get(reverse("annotations:undo_preview"), {"article": article_id}, headers={"HX-Request": "true"})


def undo(client, data):
    return client.post(reverse("annotations:undo"), data, headers={"HX-Request": "true"})


def age(event, by):
    AnnotationEvent.objects.filter(pk=event.pk).update(at=timezone.now() - by)


def test_it_previews_the_last_action_without_undoing_it(analyst_client, analyst, paragraph):
    span = add_span(paragraph, "لويد أوستن", "PER", author=analyst)
    response = preview(analyst_client, paragraph.article_id)
    assert response.status_code == 200
    offer = json.loads(response.content)
    assert offer == {"event": AnnotationEvent.objects.get().pk, "description": "your PER tag on «\u2068لويد أوستن\u2069»"}
    assert Span.objects.filter(pk=span.pk).exists()  # a preview changes nothing


def test_it_undoes_the_action_shown(analyst_client, analyst, paragraph):
    add_span(paragraph, "لويد أوستن", "PER", author=analyst)
    offer = json.loads(preview(analyst_client, paragraph.article_id).content)
    response = undo(analyst_client, {"article": paragraph.article_id, "event": offer["event"]})
    assert response.status_code == 200
    assert json.loads(response["HX-Trigger"])["hamish:flash"]["message"] == "Undone: your PER tag on «\u2068لويد أوستن\u2069»."
    assert not Span.objects.exists()


def test_it_refuses_when_the_last_action_is_no_longer_the_one_shown(analyst_client, analyst, paragraph):
    add_span(paragraph, "لويد أوستن", "PER", author=analyst)
    offer = json.loads(preview(analyst_client, paragraph.article_id).content)
    add_span(paragraph, "واشنطن", "LOC", author=analyst)  # another tab, meanwhile
    response = undo(analyst_client, {"article": paragraph.article_id, "event": offer["event"]})
    assert response.status_code == 409
    assert "no longer the one shown" in response.content.decode()
    assert Span.objects.count() == 2


def test_actions_older_than_the_window_are_not_undone_by_the_server(analyst_client, analyst, paragraph):
    span = add_span(paragraph, "لويد أوستن", "PER", author=analyst)
    age(AnnotationEvent.objects.get(), UNDO_WINDOW + timezone.timedelta(minutes=1))
    for response in (preview(analyst_client, paragraph.article_id), undo(analyst_client, {"article": paragraph.article_id})):
        assert response.status_code == 409
        assert response.content.decode() == "Nothing recent to undo: undo takes back only your actions of the last 2 hours."
    assert Span.objects.filter(pk=span.pk).exists()


def test_a_recent_action_is_undone_after_an_old_one_is_left(analyst_client, analyst, paragraph):
    old = add_span(paragraph, "لويد أوستن", "PER", author=analyst)
    age(AnnotationEvent.objects.get(), UNDO_WINDOW * 2)
    add_span(paragraph, "واشنطن", "LOC", author=analyst)
    assert undo(analyst_client, {"article": paragraph.article_id}).status_code == 200
    assert list(Span.objects.all()) == [old]
    assert undo(analyst_client, {"article": paragraph.article_id}).status_code == 409


def test_preview_bad_input_and_access(analyst_client, paragraph):
    assert preview(analyst_client, "abc").status_code == 422
    assert preview(analyst_client, paragraph.article_id).content.decode() == "Nothing to undo in this article."
    assert undo(analyst_client, {"article": paragraph.article_id, "event": "x"}).status_code == 422
    assert analyst_client.post(reverse("annotations:undo_preview")).status_code == 405
    anonymous = Client()
    assert preview(anonymous, paragraph.article_id).status_code == 401  # as htmx: the page keeps its text
    assert anonymous.get(reverse("annotations:undo_preview")).status_code == 302


def test_the_javascript_catalogue_is_served_in_the_language_asked_for_without_a_login(client, settings):
    arabic = client.get(reverse("javascript_catalog", args=["ar"]))
    assert arabic.status_code == 200 and arabic["Content-Type"].startswith("text/javascript")
    assert "max-age=3600" in arabic["Cache-Control"]
    # An Arabic msgstr of reader.js, as the catalogue writes it (JSON, non-ASCII escaped or not).
    content = arabic.content.decode()
    assert json.dumps("لا مقتطفات في هذا المقال بعد.")[1:-1] in content or "لا مقتطفات في هذا المقال بعد." in content
    english = client.get(reverse("javascript_catalog", args=["en"]))
    assert english.status_code == 200 and "django.catalog" in english.content.decode()
    assert client.get("/jsi18n/xx/").status_code == 404


# ---- what the message area says after a write (it stayed empty) ----------------------------------


def flash_of(response):
    return json.loads(response["HX-Trigger"])["hamish:flash"]["message"]


def test_stance_save_and_delete_and_span_delete_say_what_happened(analyst_client, analyst, polarities, labels):
    from annotations.models import Stance
    from tests.test_stances import STROUL, stance_post

    paragraph = make_article([STROUL]).paragraphs.get()
    response = analyst_client.post(
        reverse("annotations:stance_create", args=[paragraph.pk]), stance_post(paragraph), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and flash_of(response) == "Stance saved. u undoes it."
    stance = Stance.objects.get()
    response = analyst_client.post(
        reverse("annotations:stance_delete", args=[stance.pk]), {"version": stance.version}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and flash_of(response) == "Stance deleted. u undoes it."
    span = add_span(paragraph, "دانا سترول", "PER", author=analyst)
    response = analyst_client.post(reverse("annotations:span_delete", args=[span.pk]), headers={"HX-Request": "true"})
    assert flash_of(response) == "Span deleted: PER «\u2068دانا سترول\u2069». u undoes it."
