"""The entity page (issue 15): mentions in their sentences a page at a time, the label's colour and
description, aliases edited there, and merging two entities that are the same person (and undoing it)."""

import pytest
from django.test import Client
from django.urls import reverse

from annotations.entities import entity_version, merge_entities, undo_merge
from annotations.history import undo_last
from annotations.models import AnnotationEvent, Entity, EntityAlias, Polarity, Span, Stance
from annotations.stances import Choice
from annotations.views.entities import MENTIONS_PER_PAGE, mention_context
from tests.utils import add_span, add_stance, annotation_snapshot, make_article

pytestmark = pytest.mark.django_db

TEXT = "وزير الدفاع العراقي ثابت العباسي يلتقي لويد أوستن في واشنطن. وقال أوستن إن التعاون مستمر."


@pytest.fixture
def paragraph(labels, polarities):
    return make_article([TEXT, "وأضاف الوزير أوستن أن الشراكة باقية."]).paragraphs.get(position=0)


@pytest.fixture
def austin(labels):
    return Entity.objects.create(name="لويد أوستن", label=labels["PER"])


@pytest.fixture
def austin2(labels):
    return Entity.objects.create(name="أوستن", label=labels["PER"])


def pol(name):
    return Polarity.objects.get(name=name)


def page(client, entity, **params):
    response = client.get(reverse("annotations:entity_detail", args=[entity.pk]), params)
    return response, response.content.decode()


# ---- the page ---------------------------------------------------------------------------------


def test_it_shows_each_mention_in_its_sentence(analyst_client, analyst, paragraph, austin):
    add_span(paragraph, "أوستن", author=analyst, occurrence=1, entity=austin)
    response, html = page(analyst_client, austin)
    assert response.status_code == 200
    assert 'وقال <mark class="swatch-PER">أوستن</mark> إن التعاون مستمر.</a>' in html
    assert "واشنطن" not in html.split("<mark ")[1]  # the sentence before is not shown


def test_a_long_sentence_is_cut_on_both_sides():
    text = "أ" * 500 + " أوستن " + "ب" * 500
    start = text.index("أوستن")
    before, quote, after = mention_context(text, start, start + 5)
    assert quote == "أوستن" and before.startswith("…") and after.endswith("…")
    assert len(before) <= 162 and len(after) <= 162


def test_mentions_come_a_page_at_a_time(analyst_client, analyst, labels, austin):
    article = make_article([f"قال أوستن في المرة {i}." for i in range(MENTIONS_PER_PAGE + 5)])
    for paragraph in article.paragraphs.all():
        add_span(paragraph, "أوستن", author=analyst, entity=austin)
    response, html = page(analyst_client, austin)
    assert html.count("<mark ") == MENTIONS_PER_PAGE
    assert f"{MENTIONS_PER_PAGE + 5} mentions" in html and "?page=2" in html
    _, second = page(analyst_client, austin, page=2)
    assert second.count("<mark ") == 5


def test_the_page_loads_the_label_colours_and_shows_the_label_description(analyst_client, austin, labels):
    labels["PER"].description = "A person named in the text, <not> a role."
    labels["PER"].save()
    _, html = page(analyst_client, austin)
    assert reverse("annotations:label_styles") in html
    assert 'title="A person named in the text, &lt;not&gt; a role."' in html
    assert '<p class="help label-description" dir="auto">A person named in the text, &lt;not&gt; a role.</p>' in html


def test_the_reader_shows_label_descriptions_in_the_legend_and_the_picker(analyst_client, paragraph, labels):
    labels["ORG"].description = "A body: ministry, party, army."
    labels["ORG"].save()
    html = analyst_client.get(paragraph.article.get_absolute_url()).content.decode()
    assert 'data-label="ORG" title="A body: ministry, party, army."' in html
    assert '<span class="help label-description" dir="auto">A body: ministry, party, army.</span>' in html


# ---- aliases ----------------------------------------------------------------------------------


def test_an_alias_is_added_and_removed_on_the_page(analyst_client, austin):
    url = reverse("annotations:entity_alias_add", args=[austin.pk])
    response = analyst_client.post(url, {"name": "  لويد   اوستن "})
    assert response.status_code == 302
    alias = EntityAlias.objects.get(entity=austin)
    assert alias.name == "لويد اوستن"
    response = analyst_client.post(reverse("annotations:entity_alias_remove", args=[austin.pk, alias.pk]))
    assert response.status_code == 302 and not EntityAlias.objects.exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "Type the other spelling"), ("لويد أوستن", "own name"), ("x" * 201, "at most 200"), ("أوستن", "already an alias")],
)
def test_a_bad_alias_is_refused_with_a_message(analyst_client, austin, name, message):
    EntityAlias.objects.create(entity=austin, name="أوستن")
    response = analyst_client.post(reverse("annotations:entity_alias_add", args=[austin.pk]), {"name": name})
    assert response.status_code == 422 and message in response.content.decode()
    assert list(EntityAlias.objects.values_list("name", flat=True)) == ["أوستن"]


def test_an_alias_of_another_entity_cannot_be_removed_through_this_one(analyst_client, austin, austin2):
    alias = EntityAlias.objects.create(entity=austin2, name="اوستن")
    response = analyst_client.post(reverse("annotations:entity_alias_remove", args=[austin.pk, alias.pk]))
    assert response.status_code == 404 and EntityAlias.objects.filter(pk=alias.pk).exists()


# ---- merge ------------------------------------------------------------------------------------


def test_a_merge_moves_mentions_stances_and_aliases_and_undo_puts_them_back(
    analyst_client, analyst, paragraph, austin, austin2, labels
):
    kept = add_span(paragraph, "لويد أوستن", author=analyst, entity=austin)
    moved = add_span(paragraph, "أوستن", author=analyst, occurrence=1, entity=austin2)
    EntityAlias.objects.create(entity=austin2, name="اوستن")
    abbasi = Entity.objects.create(name="ثابت العباسي", label=labels["PER"])
    held = add_stance(
        paragraph,
        "التعاون مستمر",
        author=analyst,
        holder=Choice("entity", pk=austin2.pk),
        target=Choice("name", name="التعاون"),
        polarity=pol("supports"),
    )
    targeted = add_stance(
        paragraph,
        "يلتقي",
        author=analyst,
        holder=Choice("entity", pk=abbasi.pk),
        target=Choice("entity", pk=austin2.pk),
        polarity=pol("neutral"),
    )
    before = annotation_snapshot()
    merged_pk = austin2.pk

    _, html = page(analyst_client, austin, merge_q="أوستن")
    assert f'name="other" value="{merged_pk}"' in html
    response = analyst_client.post(
        reverse("annotations:entity_merge", args=[austin.pk]), {"other": merged_pk, "version": entity_version(austin)}
    )
    assert response.status_code == 302
    assert not Entity.objects.filter(pk=merged_pk).exists()
    moved.refresh_from_db()
    assert moved.entity_id == austin.pk and moved.version == 2
    assert Stance.objects.get(pk=held.pk).holder_entity_id == austin.pk
    assert Stance.objects.get(pk=targeted.pk).target_entity_id == austin.pk
    assert set(austin.aliases.values_list("name", flat=True)) == {"أوستن", "اوستن"}
    assert Span.objects.get(pk=kept.pk).version == 1
    event = AnnotationEvent.objects.get(kind="entity")
    assert event.actor == analyst and event.object_id == austin.pk

    _, html = page(analyst_client, austin)
    assert "Undo the merge of <bdi>أوستن</bdi>" in html
    response = analyst_client.post(reverse("annotations:entity_merge_undo", args=[austin.pk]), {"event": event.pk})
    assert response.status_code == 302
    restored = Entity.objects.get(pk=merged_pk)
    assert restored.name == "أوستن" and list(restored.aliases.values_list("name", flat=True)) == ["اوستن"]
    assert Span.objects.get(pk=moved.pk).entity_id == merged_pk
    assert Stance.objects.get(pk=held.pk).holder_entity_id == merged_pk
    assert Stance.objects.get(pk=targeted.pk).target_entity_id == merged_pk
    assert not austin.aliases.exists()
    # everything as it was, but for the versions the merge and its undo raised (1 -> 3)
    assert Span.objects.get(pk=moved.pk).version == 3 and Span.objects.count() == 2
    after = annotation_snapshot()
    assert after[1:3] == before[1:3]  # entities (the merged one under its old id and date) and topics
    assert after[4:6] == before[4:6]  # evidence and boilerplate
    assert AnnotationEvent.objects.filter(kind="entity", undoes=event).exists()


def test_a_stale_page_gets_409_and_nothing_moves(analyst_client, analyst, paragraph, austin, austin2):
    moved = add_span(paragraph, "أوستن", author=analyst, occurrence=1, entity=austin2)
    version = entity_version(austin)
    add_span(paragraph, "لويد أوستن", author=analyst, entity=austin)  # another tab links a mention meanwhile
    response = analyst_client.post(
        reverse("annotations:entity_merge", args=[austin.pk]), {"other": austin2.pk, "version": version}
    )
    assert response.status_code == 409 and "changed since the page was shown" in response.content.decode()
    assert Span.objects.get(pk=moved.pk).entity_id == austin2.pk and Entity.objects.filter(pk=austin2.pk).exists()


def test_another_analysts_mentions_are_not_merged_by_an_analyst_but_by_an_admin(
    client, analyst, other_analyst, admin, paragraph, austin, austin2
):
    theirs = add_span(paragraph, "أوستن", author=other_analyst, occurrence=1, entity=austin2)
    client.force_login(analyst)
    response = client.post(reverse("annotations:entity_merge", args=[austin.pk]), {"other": austin2.pk})
    assert response.status_code == 403 and "another analyst" in response.content.decode()
    assert Span.objects.get(pk=theirs.pk).entity_id == austin2.pk
    client.force_login(admin)
    assert client.post(reverse("annotations:entity_merge", args=[austin.pk]), {"other": austin2.pk}).status_code == 302
    assert Span.objects.get(pk=theirs.pk).entity_id == austin.pk


@pytest.mark.parametrize(
    ("other", "status", "message"),
    [
        ("", 422, "Pick the entity"),
        ("abc", 422, "Pick the entity"),
        ("999999", 404, "no longer exists"),
        ("self", 422, "into itself"),
    ],
)
def test_bad_merge_requests_are_refused_and_change_nothing(analyst_client, austin, other, status, message):
    before = annotation_snapshot()
    other = austin.pk if other == "self" else other
    response = analyst_client.post(reverse("annotations:entity_merge", args=[austin.pk]), {"other": other})
    assert response.status_code == status and message in response.content.decode()
    assert annotation_snapshot() == before and Entity.objects.filter(pk=austin.pk).exists()


def test_entities_of_different_labels_are_not_merged(analyst_client, austin, labels):
    pentagon = Entity.objects.create(name="البنتاغون", label=labels["ORG"])
    response = analyst_client.post(reverse("annotations:entity_merge", args=[austin.pk]), {"other": pentagon.pk})
    assert response.status_code == 422 and "only entities of one label" in response.content.decode()
    assert Entity.objects.filter(pk=pentagon.pk).exists()


def test_a_stance_between_the_two_blocks_the_merge(analyst, paragraph, austin, austin2):
    add_stance(
        paragraph,
        "التعاون مستمر",
        author=analyst,
        holder=Choice("entity", pk=austin.pk),
        target=Choice("entity", pk=austin2.pk),
        polarity=pol("supports"),
    )
    with pytest.raises(Exception, match="holder and the other as target"):
        merge_entities(user=analyst, keep=austin, merge=austin2)
    assert Entity.objects.filter(pk=austin2.pk).exists()


def test_undo_refuses_when_a_moved_mention_changed_since(analyst, paragraph, austin, austin2, labels):
    from annotations.spans import update_span

    moved = add_span(paragraph, "أوستن", author=analyst, occurrence=1, entity=austin2)
    event = merge_entities(user=analyst, keep=austin, merge=austin2)
    update_span(user=analyst, span=Span.objects.get(pk=moved.pk), note="تغيير")
    with pytest.raises(Exception, match="can no longer be undone"):
        undo_merge(user=analyst, event_id=event.pk)
    assert not Entity.objects.filter(name="أوستن").exists()


def test_only_who_merged_undoes_and_only_once(analyst, other_analyst, paragraph, austin, austin2):
    event = merge_entities(user=analyst, keep=austin, merge=austin2)
    with pytest.raises(Exception, match="Only who merged"):
        undo_merge(user=other_analyst, event_id=event.pk)
    undo_merge(user=analyst, event_id=event.pk)
    with pytest.raises(Exception, match="already undone"):
        undo_merge(user=analyst, event_id=event.pk)


def test_the_undo_key_also_takes_back_a_merge(analyst, paragraph, austin, austin2):
    moved = add_span(paragraph, "أوستن", author=analyst, occurrence=1, entity=austin2)
    merge_entities(user=analyst, keep=austin, merge=austin2)
    undone = undo_last(analyst)
    assert undone.kind == "entity"
    assert Span.objects.get(pk=moved.pk).entity_id == austin2.pk


def test_the_merge_is_in_the_audit_log(staff_client, admin, austin, austin2):
    merge_entities(user=admin, keep=austin, merge=austin2)
    html = staff_client.get(reverse("annotations:audit_log")).content.decode()
    assert f"changed entity #{austin.pk}" in html and "أوستن ← لويد أوستن" in html
    assert "entity" in dict(AnnotationEvent.KINDS)  # the log's filter offers merges
    assert "أوستن ← لويد أوستن" in staff_client.get(reverse("annotations:audit_log"), {"kind": "entity"}).content.decode()


def test_entity_writes_need_a_login_the_csrf_token_and_post(analyst, austin, austin2):
    url = reverse("annotations:entity_merge", args=[austin.pk])
    anonymous = Client()
    response = anonymous.post(url, {"other": austin2.pk})
    assert response.status_code == 302 and "login" in response["Location"]
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(analyst)
    assert strict.post(url, {"other": austin2.pk}).status_code == 403
    assert strict.post(reverse("annotations:entity_alias_add", args=[austin.pk]), {"name": "x"}).status_code == 403
    assert strict.get(url).status_code == 405
    assert Entity.objects.filter(pk=austin2.pk).exists() and not EntityAlias.objects.exists()


def test_unknown_entities_are_404(analyst_client):
    for name, args in [
        ("entity_merge", [999]),
        ("entity_merge_undo", [999]),
        ("entity_alias_add", [999]),
        ("entity_alias_remove", [999, 1]),
    ]:
        assert analyst_client.post(reverse(f"annotations:{name}", args=args)).status_code == 404


def test_the_entity_page_and_its_refusals_read_in_arabic(settings, analyst, austin):
    settings.LANGUAGE_CODE = "ar"  # before the login: the session keeps the language from then on
    analyst_client = Client()
    analyst_client.force_login(analyst)
    _, html = page(analyst_client, austin)
    assert "دمج كيان آخر في هذا الكيان" in html and "إضافة تهجئة" in html
    response = analyst_client.post(reverse("annotations:entity_merge", args=[austin.pk]), {"other": austin.pk})
    assert response.status_code == 422 and "لا يُدمج كيان في نفسه" in response.content.decode()


def test_an_admins_merge_checks_rights_once_per_author_not_per_mention(admin, other_analyst, labels):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(mentions):
        keep = Entity.objects.create(name=f"keep {mentions}", label=labels["PER"])
        merged = Entity.objects.create(name=f"merged {mentions}", label=labels["PER"])
        article = make_article([f"قال أوستن {i}." for i in range(mentions)], title=f"t{mentions}")
        for paragraph in article.paragraphs.all():
            add_span(paragraph, "أوستن", author=other_analyst, entity=merged)
        with CaptureQueriesContext(connection) as captured:
            merge_entities(user=admin, keep=keep, merge=merged)
        assert Span.objects.filter(entity=keep).count() == mentions
        return len(captured)

    assert queries_for(2) == queries_for(20)


def test_the_entity_page_makes_the_same_queries_with_few_and_many_mentions(analyst_client, analyst, labels):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(mentions):
        entity = Entity.objects.create(name=f"أوستن {mentions}", label=labels["PER"])
        EntityAlias.objects.create(entity=entity, name=f"اوستن {mentions}")
        article = make_article([f"قال أوستن في المرة {i}." for i in range(mentions)], title=f"q{mentions}")
        for paragraph in article.paragraphs.all():
            add_span(paragraph, "أوستن", author=analyst, entity=entity)
        with CaptureQueriesContext(connection) as captured:
            assert (
                analyst_client.get(reverse("annotations:entity_detail", args=[entity.pk]), {"merge_q": "أوستن"}).status_code
                == 200
            )
        return len(captured)

    assert queries_for(2) == queries_for(30)
