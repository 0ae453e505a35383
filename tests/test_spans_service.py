"""create/update/delete/undo of spans: offsets, ownership, audit events."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from annotations.history import undo_last
from annotations.models import AnnotationEvent, Entity, EntityAlias, Span
from annotations.spans import create_span, delete_span, find_or_create_entity, update_span
from tests.utils import add_span, make_article

pytestmark = pytest.mark.django_db

NESTED = "وزير الدفاع العراقي ثابت العباسي"


@pytest.fixture
def paragraph(labels):
    return make_article([f"التقى {NESTED} 😀 بنظيره لويد أوستن في واشنطن والعراق"]).paragraphs.get()


def test_it_stores_code_point_offsets_and_the_quote(paragraph, analyst):
    span = add_span(paragraph, "لويد أوستن", author=analyst)
    assert paragraph.text[span.start : span.end] == span.text == "لويد أوستن"
    assert span.start == paragraph.text.index("لويد")


def test_spans_may_nest_and_overlap(paragraph, analyst):
    outer = add_span(paragraph, NESTED, "PER", author=analyst)
    inner = add_span(paragraph, "العراقي", "LOC", author=analyst)
    overlap = add_span(paragraph, "العراقي ثابت", "MISC", author=analyst)
    assert outer.start < inner.start < inner.end < outer.end
    assert inner.start == overlap.start and overlap.end > inner.end
    assert Span.objects.count() == 3


def test_an_analyst_may_tag_part_of_a_word(paragraph, analyst):
    span = add_span(paragraph, "العراق", "LOC", author=analyst, occurrence=1)  # inside والعراق
    assert paragraph.text[span.start - 1 : span.end] == "والعراق"


def test_the_same_span_twice_is_refused_and_nothing_changes(paragraph, analyst):
    add_span(paragraph, "واشنطن", "LOC", author=analyst)
    with pytest.raises(ValidationError, match="already tagged"):
        add_span(paragraph, "واشنطن", "LOC", author=analyst)
    assert Span.objects.count() == 1


def test_two_analysts_may_tag_the_same_text(paragraph, analyst, other_analyst):
    add_span(paragraph, "واشنطن", "LOC", author=analyst)
    add_span(paragraph, "واشنطن", "LOC", author=other_analyst)
    assert Span.objects.count() == 2


def test_a_quote_that_does_not_match_is_refused(paragraph, analyst, labels):
    with pytest.raises(ValidationError, match="does not match"):
        create_span(user=analyst, paragraph=paragraph, utf16_start=0, utf16_end=5, quote="غلط!!", label=labels["PER"])
    assert not Span.objects.exists() and not AnnotationEvent.objects.exists()


def test_a_retired_label_keeps_its_spans_but_takes_no_new_ones(paragraph, analyst, labels):
    span = add_span(paragraph, "واشنطن", "LOC", author=analyst)
    labels["LOC"].is_active = False
    labels["LOC"].save()
    span.refresh_from_db()
    assert span.label.name == "LOC"
    with pytest.raises(ValidationError, match="retired"):
        add_span(paragraph, "لويد أوستن", "LOC", author=analyst)


def test_only_the_author_or_an_admin_changes_or_deletes(paragraph, analyst, other_analyst, admin, labels):
    span = add_span(paragraph, "واشنطن", "LOC", author=analyst)
    with pytest.raises(PermissionDenied):
        update_span(user=other_analyst, span=span, label=labels["ORG"])
    with pytest.raises(PermissionDenied):
        delete_span(user=other_analyst, span=span)
    span.refresh_from_db()
    assert span.label.name == "LOC"
    update_span(user=admin, span=span, label=labels["ORG"])
    delete_span(user=admin, span=span)
    assert not Span.objects.exists()


def test_notes_are_sanitised(paragraph, analyst):
    span = add_span(paragraph, "واشنطن", "LOC", author=analyst)
    update_span(
        user=analyst, span=span, note='<b>مهم</b> <script>alert(1)</script><a href="javascript:x()">x</a> <i onclick="x">y</i>'
    )
    span.refresh_from_db()
    assert "<b>مهم</b>" in span.note and "<i>y</i>" in span.note
    assert "<script" not in span.note and "javascript:" not in span.note and "onclick" not in span.note


def test_linking_an_entity_by_name_finds_it_by_alias(paragraph, analyst, labels):
    entity = Entity.objects.create(name="لويد أوستن", label=labels["PER"])
    EntityAlias.objects.create(entity=entity, name="أوستن")
    assert find_or_create_entity(name="  أوستن ", label=labels["PER"], user=analyst) == entity
    span = add_span(paragraph, "لويد أوستن", author=analyst)
    update_span(user=analyst, span=span, new_entity_name="أوستن")
    span.refresh_from_db()
    assert span.entity == entity
    new = find_or_create_entity(name="ثابت العباسي", label=labels["PER"], user=analyst)
    assert new.pk != entity.pk and new.created_by == analyst


def test_an_entity_of_another_type_is_refused(paragraph, analyst, labels):
    place = Entity.objects.create(name="واشنطن", label=labels["LOC"])
    span = add_span(paragraph, "لويد أوستن", author=analyst)
    with pytest.raises(ValidationError, match="is a LOC"):
        update_span(user=analyst, span=span, entity=place)


def test_relabelling_drops_an_entity_of_the_old_type(paragraph, analyst, labels):
    person = Entity.objects.create(name="لويد أوستن", label=labels["PER"])
    span = add_span(paragraph, "لويد أوستن", author=analyst, entity=person)
    update_span(user=analyst, span=span, label=labels["ORG"])
    span.refresh_from_db()
    assert span.entity is None


def test_every_write_is_in_the_audit_log(paragraph, analyst, labels):
    span = add_span(paragraph, "واشنطن", "LOC", author=analyst)
    span_id = span.pk
    update_span(user=analyst, span=span, note="ملاحظة")
    delete_span(user=analyst, span=span)
    events = list(AnnotationEvent.objects.order_by("pk").values_list("action", "object_id", "actor"))
    assert events == [("created", span_id, analyst.pk), ("changed", span_id, analyst.pk), ("deleted", span_id, analyst.pk)]
    assert AnnotationEvent.objects.get(action="changed").after["note"] == "ملاحظة"


def test_undo_reverses_create_change_and_delete_in_turn(paragraph, analyst, labels):
    first = add_span(paragraph, "واشنطن", "LOC", author=analyst)
    first_id, first_offsets = first.pk, (first.start, first.end)
    second = add_span(paragraph, "لويد أوستن", "PER", author=analyst)
    update_span(user=analyst, span=second, label=labels["MISC"], note="x")
    delete_span(user=analyst, span=first)

    assert undo_last(analyst).paragraph_id == paragraph.pk  # the delete: first is back, same id and offsets
    restored = Span.objects.get(pk=first_id)
    assert ((restored.start, restored.end), restored.text, restored.label.name) == (first_offsets, "واشنطن", "LOC")

    undo_last(analyst)  # the change
    second.refresh_from_db()
    assert (second.label.name, second.note) == ("PER", "")

    undo_last(analyst)  # the second create
    assert not Span.objects.filter(pk=second.pk).exists()
    undo_last(analyst)  # the first create
    assert not Span.objects.exists()
    assert undo_last(analyst) is None


def test_undo_only_touches_the_analysts_own_actions(paragraph, analyst, other_analyst):
    mine = add_span(paragraph, "واشنطن", "LOC", author=analyst)
    add_span(paragraph, "لويد أوستن", "PER", author=other_analyst)
    undo_last(analyst)
    assert not Span.objects.filter(pk=mine.pk).exists()
    assert Span.objects.filter(author=other_analyst).count() == 1


def test_linking_a_differently_spelled_span_remembers_the_spelling(analyst, labels):
    paragraph = make_article(["ومساعدة وزير الدفاع الأميركية سيليست والاندر"]).paragraphs.get()
    entity = Entity.objects.create(name="سيليست واندر", label=labels["PER"])
    span = add_span(paragraph, "سيليست والاندر", author=analyst)
    update_span(user=analyst, span=span, entity=entity)
    assert list(entity.aliases.values_list("name", flat=True)) == ["سيليست والاندر"]
    update_span(user=analyst, span=span, entity=None)
    update_span(user=analyst, span=span, entity=entity)
    assert entity.aliases.count() == 1
