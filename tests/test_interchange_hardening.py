"""Annotation import refuses what it must not store, names where the problem is, changes nothing, and leaves
an 'imported' audit event per annotation it writes."""

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from annotations.boilerplate import mark_boilerplate
from annotations.history import snapshot
from annotations.interchange.formats import FORMATS
from annotations.interchange.loading import (
    AnnotationImportError,
    ImportOptions,
    document_from_file,
    import_document,
    read_document,
)
from annotations.interchange.selection import build_query
from annotations.models import AnnotationEvent, BoilerplateMark, Entity, Span, Stance, Topic
from annotations.stances import Choice
from corpus.models import Article, Paragraph, Source, content_hash
from tests.utils import add_span, add_stance, annotation_snapshot, corpus_snapshot, make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(labels, polarities, categories, analyst, other_analyst, admin):
    """One article with a span (linked to an entity), a stance on a topic and a boilerplate mark."""
    article = make_article()
    p0, p1, p2 = article.paragraphs.order_by("position")
    entity = Entity.objects.create(name="ثابت العباسي", label=labels["PER"])
    add_span(p0, "ثابت العباسي", "PER", author=analyst, entity=entity)
    add_stance(
        p2,
        "الولايات المتحدة",
        author=analyst,
        holder=Choice("name", name="دانا سترول", label=labels["PER"]),
        target=Choice("name", name="الوجود العسكري"),
        polarity=polarities["opposes"],
    )
    mark_boilerplate(user=other_analyst, paragraph=p1, category=categories["related"])
    return article


def export_text():
    return "".join(FORMATS["hamish"].chunks(build_query(None)))


def exported():
    return json.loads(export_text())


def wipe():
    for model in (AnnotationEvent, Stance, BoilerplateMark, Span, Entity, Topic):
        model.objects.all().delete()
    Article.objects.all().delete()
    Source.objects.all().delete()


def state():
    return annotation_snapshot(), corpus_snapshot(), list(get_user_model().objects.order_by("pk").values_list())


def refused(data, user, options=None, filename="x.json"):
    """The problems of a refused import; asserts it changed nothing."""
    before = state()
    with pytest.raises(AnnotationImportError) as error:
        import_document(document_from_file(data, format="hamish", annotator="", filename=filename), user=user, options=options)
    assert state() == before
    return " ".join(error.value.problems)


def add_paragraph(record, text):
    """Append a paragraph to an article record, keeping its text, offsets and content hash consistent."""
    paragraphs = record["paragraphs"]
    start = len(record["text"]) + 1
    paragraphs.append(
        {
            "index": len(paragraphs),
            "start": start,
            "end": start + len(text),
            "text": text,
            "boilerplate": None,
            "boilerplate_marks": [],
        }
    )
    record["text"] += "\n" + text
    record["content_hash"] = content_hash([p["text"] for p in paragraphs])


def encoded(document):
    return json.dumps(document, ensure_ascii=False).encode()


# ---- JSON that cannot be read safely ---------------------------------------------------------


DEEP = b'{"format":"hamish-annotations","version":"1.0","offsets":' + b"[" * 100_000 + b"]" * 100_000 + b"}"


def test_json_nested_100000_deep_is_refused_not_a_crash(world, admin):
    problems = refused(DEEP, admin)
    assert "nested" in problems and "line 1, column" in problems


def test_a_5000_digit_number_is_refused_with_its_path(world, admin):
    document = exported()
    document["articles"][0]["spans"][0]["start"] = 987654321
    data = encoded(document).replace(b'"start": 987654321', b'"start": ' + b"9" * 5000)
    assert b"9" * 5000 in data
    problems = refused(data, admin)
    assert "articles/0/spans/0/start" in problems and "5,000 digits" in problems


def test_a_float_offset_is_refused_not_a_crash(world, admin):
    document = exported()
    wipe()
    span = document["articles"][0]["spans"][0]
    data = encoded(document).replace(f'"start": {span["start"]},'.encode(), f'"start": {span["start"]}.0,'.encode(), 1)
    problems = refused(data, admin)
    assert "articles/0/spans/0/start" in problems


def test_deep_json_through_the_admin_page_and_the_command(world, staff_client, tmp_path):
    before = state()
    response = staff_client.post(
        reverse("admin:annotations_span_import"), {"file": SimpleUploadedFile("deep.json", DEEP), "unknown_users": "create"}
    )
    assert response.status_code == 200 and "nested" in response.content.decode()
    path = tmp_path / "deep.json"
    path.write_bytes(DEEP)
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("import_annotations", str(path), stderr=stderr)
    assert "nested" in stderr.getvalue()
    doccano = tmp_path / "deep.jsonl"
    doccano.write_bytes(b'{"text": "x", "label": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n")
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("import_annotations", str(doccano), "--annotator", "analyst1", stderr=stderr)
    assert "Line 1" in stderr.getvalue() and "nested" in stderr.getvalue()
    assert state() == before


# ---- dates and times (the schema's format keywords) ------------------------------------------


def _set_published(document, value):
    document["articles"][0]["published_on"] = value


def _set_span_time(document, value):
    document["articles"][0]["spans"][0]["created_at"] = value


def _set_stance_time(document, value):
    document["articles"][0]["stances"][0]["updated_at"] = value


def _set_exported_at(document, value):
    document["exported_at"] = value


@pytest.mark.parametrize(
    ("change", "value", "where"),
    [
        (_set_published, "2023-13-45", "articles/0/published_on"),
        (_set_published, "14 May 2023", "articles/0/published_on"),
        (_set_span_time, "not a date", "articles/0/spans/0/created_at"),
        (_set_span_time, "2023-02-30T10:00:00+00:00", "articles/0/spans/0/created_at"),
        (_set_span_time, "0001-01-01T00:00:00+05:00", "articles/0/spans/0/created_at"),  # before year 1 in UTC
        (_set_stance_time, "2023-01-01T10:00:00", "articles/0/stances/0/updated_at"),  # no time zone
        (_set_exported_at, "yesterday", "exported_at"),
    ],
)
def test_impossible_or_non_dates_are_refused_with_their_path(world, admin, change, value, where):
    document = exported()
    wipe()
    change(document, value)
    problems = refused(encoded(document), admin)
    assert where in problems and ("date" in problems)


def test_valid_dates_and_times_are_kept(world, admin):
    document = exported()
    wipe()
    document["articles"][0]["published_on"] = "2023-02-29"
    assert "articles/0/published_on" in refused(encoded(document), admin)
    document["articles"][0]["published_on"] = "2024-02-29"
    document["articles"][0]["spans"][0]["created_at"] = "2023-05-01T10:00:00Z"
    import_document(read_document(encoded(document)), user=admin)
    assert str(Article.objects.get().published_on) == "2024-02-29"
    assert Span.objects.get().created_at.isoformat() == "2023-05-01T10:00:00+00:00"


# ---- text that the article importer would refuse or strip ------------------------------------


def _paragraph(text):
    return lambda document: add_paragraph(document["articles"][0], text)


def _entity_name(text):
    return lambda document: document["entities"][0].update(name=text)


def _alias(text):
    return lambda document: document["entities"][0].update(aliases=[text])


def _topic_name(text):
    return lambda document: document["topics"][0].update(name=text)


def _span_note(text):
    return lambda document: document["articles"][0]["spans"][0].update(note=text)


def _stance_note(text):
    return lambda document: document["articles"][0]["stances"][0].update(note=text)


def _label_display(text):
    return lambda document: document["labels"][0].update(display_name=text)


def _cue(text):
    return lambda document: document["boilerplate_categories"][0].update(cue_phrases=[text])


def _title(text):
    return lambda document: document["articles"][0].update(title=text)


def _source_name(text):
    return lambda document: document["articles"][0]["source"].update(name=text)


def _annotator(text):
    return lambda document: document["articles"][0]["spans"][0].update(annotator=text)


@pytest.mark.parametrize(
    ("change", "where", "code"),
    [
        (_paragraph("نص \u202eمعكوس"), "articles/0/paragraphs/3/text", "U+202E"),
        (_paragraph("نص \u2067معزول"), "articles/0/paragraphs/3/text", "U+2067"),
        (_paragraph("جرس \x07 هنا"), "articles/0/paragraphs/3/text", "U+0007"),
        (_paragraph("سطر\u2028آخر"), "articles/0/paragraphs/3/text", "U+2028"),
        (_paragraph("سطر\x85آخر"), "articles/0/paragraphs/3/text", "U+0085"),
        (_paragraph("\u200b\u200d"), "articles/0/paragraphs/3/text", "zero-width"),
        (_entity_name("ثابت\u2066 العباسي"), "entities/0/name", "U+2066"),
        (_alias("ثابت\nالعباسي"), "entities/0/aliases/0", "U+000A"),
        (_topic_name("الوجود\nالعسكري"), "topics/0/name", "U+000A"),
        (_span_note("ملاحظة \u202eمعكوسة"), "articles/0/spans/0/note", "U+202E"),
        (_stance_note("ملاحظة\x00"), "articles/0/stances/0/note", "U+0000"),
        (_label_display("شخص\nآخر"), "labels/0/display_name", "U+000A"),
        (_cue("إقرأ\nأيضا"), "boilerplate_categories/0/cue_phrases/0", "U+000A"),
        (_title("عنوان \u202eمعكوس"), "articles/0/title", "U+202E"),
        (_source_name("الحرة\nالجديدة"), "articles/0/source/name", "U+000A"),
    ],
)
def test_control_characters_and_line_breaks_are_refused_where_they_are(world, admin, change, where, code):
    document = exported()
    wipe()
    change(document)
    problems = refused(encoded(document), admin)
    assert where in problems and code in problems


def test_a_control_character_in_an_annotator_name_is_refused_even_when_mapped(world, admin):
    document = exported()
    wipe()
    _annotator("analyst\u202e9")(document)
    problems = refused(encoded(document), admin, ImportOptions(unknown_users="map", map_to=admin))
    assert "articles/0/spans/0/annotator" in problems and "U+202E" in problems


def test_a_multi_line_note_written_in_the_app_still_round_trips(world, admin):
    """Notes come from a textarea, and clean_note keeps their line feeds: those stay importable; the other
    line breaks (U+2028, CR alone, NEL...) do not."""
    Span.objects.update(note="سطر أول\u2028سطر ثان")
    document = exported()
    wipe()
    assert "U+2028" in refused(encoded(document), admin)
    document["articles"][0]["spans"][0]["note"] = "سطر أول\nسطر ثان"
    import_document(read_document(encoded(document)), user=admin)
    assert Span.objects.get().note == "سطر أول\nسطر ثان"


# ---- a paragraph with a newline collides with another article's content hash -----------------


def test_a_paragraph_with_a_newline_cannot_pass_for_another_article(world, admin):
    """["a\\nb", "c"] has the content hash of ["a", "b", "c"]: the span in its first paragraph would land at
    offsets past the end of the existing article's first paragraph, and every export would then abort."""
    document = exported()
    record = document["articles"][0]
    p0, p1, p2 = (p["text"] for p in record["paragraphs"])
    merged = p0 + "\n" + p1
    quote = p1[:6]
    start = len(p0) + 1
    record["paragraphs"] = [
        {"index": 0, "start": 0, "end": len(merged), "text": merged, "boilerplate": None, "boilerplate_marks": []},
        {
            "index": 1,
            "start": len(merged) + 1,
            "end": len(merged) + 1 + len(p2),
            "text": p2,
            "boilerplate": None,
            "boilerplate_marks": [],
        },
    ]
    assert content_hash([merged, p2]) == record["content_hash"]
    record["spans"] = [
        {
            "id": 99,
            "paragraph": 0,
            "start": start,
            "end": start + len(quote),
            "article_start": start,
            "article_end": start + len(quote),
            "text": quote,
            "label": "ORG",
            "entity": None,
            "annotator": "admin",
        }
    ]
    record["stances"] = []
    problems = refused(encoded(document), admin)
    assert "articles/0/paragraphs/0/text" in problems and "U+000A" in problems
    assert export_text()  # the export still works


def test_spans_are_checked_against_the_text_they_land_in(world, admin):
    """An article here whose paragraph no longer matches its content hash (changed behind the app's back):
    a span from the file is checked against the stored paragraph, not just against the file's copy."""
    document = exported()
    record = document["articles"][0]
    first = Paragraph.objects.get(article=world, position=0)
    Paragraph.objects.filter(pk=first.pk).update(text="ـ" + first.text[1:])
    quote = record["paragraphs"][0]["text"][:5]
    record["spans"].append(
        {
            "id": 98,
            "paragraph": 0,
            "start": 0,
            "end": 5,
            "article_start": 0,
            "article_end": 5,
            "text": quote,
            "label": "ORG",
            "entity": None,
            "annotator": "admin",
        }
    )
    problems = refused(encoded(document), admin)
    assert "articles/0" in problems and "already here" in problems
    assert not Span.objects.filter(author=admin).exists()


# ---- user names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("ａｎａｌｙｓｔ２", "looks like the existing user 'analyst2'"),  # fullwidth: NFKC gives analyst2
        ("Analyst1", "analyst1"),  # differs only in case from an existing user
        ("аnalyst9", "mixes scripts"),  # the first letter is Cyrillic
        ("ａｎａｌｙｓｔ９", "NFKC"),  # no such user, but not stable under NFKC
    ],
)
def test_look_alike_and_mixed_script_user_names_are_refused(world, admin, name, message):
    document = exported()
    wipe()
    _annotator(name)(document)
    problems = refused(encoded(document), admin)
    assert "articles/0/spans/0/annotator" in problems and message in problems


def test_two_new_names_in_one_file_that_look_alike_are_refused(world, admin):
    document = exported()
    wipe()
    document["articles"][0]["spans"][0]["annotator"] = "reviewer"
    document["articles"][0]["stances"][0]["annotator"] = "Reviewer"
    problems = refused(encoded(document), admin)
    assert "reviewer" in problems and "Reviewer" in problems


def test_new_plain_and_arabic_user_names_are_still_created(world, admin):
    document = exported()
    wipe()
    document["articles"][0]["spans"][0]["annotator"] = "ｒｅｖｉｅｗｅｒ３"
    assert "NFKC" in refused(encoded(document), admin)
    document["articles"][0]["spans"][0]["annotator"] = "reviewer3"
    document["articles"][0]["stances"][0]["annotator"] = "محمد2"
    report = import_document(read_document(encoded(document)), user=admin)
    assert report.counts["users created"] == 2
    assert get_user_model().objects.filter(username__in=["reviewer3", "محمد2"], is_active=False).count() == 2


# ---- URLs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d["articles"][0].update(url="javascript:alert(1)"), "articles/0/url"),
        (lambda d: d["articles"][0].update(url="ftp://example.com/a"), "articles/0/url"),
        (lambda d: d["articles"][0]["source"].update(url="javascript:alert(document.cookie)"), "articles/0/source/url"),
    ],
)
def test_only_http_urls_are_imported(world, admin, change, where):
    document = exported()
    wipe()
    change(document)
    problems = refused(encoded(document), admin)
    assert where in problems and "http" in problems


def test_an_http_url_is_kept(world, admin):
    document = exported()
    wipe()
    document["articles"][0]["url"] = "JavaScript:alert(1)"
    assert "articles/0/url" in refused(encoded(document), admin)
    document["articles"][0]["url"] = "https://www.alhurra.com/iraq/2023/05/01/x"
    import_document(read_document(encoded(document)), user=admin)
    assert Article.objects.get().url == "https://www.alhurra.com/iraq/2023/05/01/x"


def test_a_javascript_url_in_a_doccano_line_is_refused(labels, analyst, admin):
    line = json.dumps(
        {"text": "لويد أوستن في واشنطن", "label": [[0, 10, "PER"]], "url": "javascript:alert(1)"}, ensure_ascii=False
    )
    before = state()
    with pytest.raises(AnnotationImportError) as error:
        document_from_file(line.encode(), format="doccano", annotator="analyst1")
    assert "articles/0/url" in " ".join(error.value.problems)
    assert state() == before


def test_a_bidi_control_in_a_conll_token_is_refused(labels, analyst):
    with pytest.raises(AnnotationImportError) as error:
        document_from_file("لويد B-PER\nأوستن\u202e I-PER\n".encode(), format="conll", annotator="analyst1")
    # Named by its line in the file (issue 16), and repairable: see tests/test_conll_problems.py.
    assert "Line 2:" in " ".join(error.value.problems) and "U+202E" in " ".join(error.value.problems)


# ---- the audit trail -------------------------------------------------------------------------


def test_each_imported_annotation_gets_an_imported_event(world, admin):
    data = export_text().encode()
    wipe()
    report = import_document(document_from_file(data, format="hamish", annotator="", filename="backup.json"), user=admin)
    events = list(AnnotationEvent.objects.order_by("pk"))
    created = report.counts["spans created"] + report.counts["stances created"] + report.counts["marks created"]
    assert created == 3 and len(events) == 3
    objects = {"span": Span.objects.get(), "stance": Stance.objects.get(), "boilerplate": BoilerplateMark.objects.get()}
    for event in events:
        obj = objects[event.kind]
        assert (event.action, event.actor, event.object_id) == (AnnotationEvent.IMPORTED, admin, obj.pk)
        assert event.after == {**json.loads(json.dumps(snapshot(obj))), "imported_from": "backup.json"}
        assert event.before is None and event.paragraph_id is not None
    import_document(read_document(data), user=admin)  # nothing new: no new events
    assert AnnotationEvent.objects.count() == 3


def test_the_command_records_who_imported(world, admin, analyst, tmp_path):
    path = tmp_path / "backup.json"
    path.write_text(export_text(), encoding="utf-8")
    wipe()
    call_command("import_annotations", str(path), "--as", "analyst1", stdout=io.StringIO())
    assert set(AnnotationEvent.objects.values_list("actor__username", "action", "after__imported_from")) == {
        ("analyst1", "imported", "backup.json")
    }
    assert Article.objects.get().imported_by == analyst
    wipe()
    call_command("import_annotations", str(path), stdout=io.StringIO())  # default: the first superuser
    assert set(AnnotationEvent.objects.values_list("actor__username", flat=True)) == {"admin"}
    with pytest.raises(CommandError, match="no user called 'nobody'"):
        call_command("import_annotations", str(path), "--as", "nobody", stdout=io.StringIO())


def test_the_command_needs_an_importer_when_there_is_no_superuser(world, admin, tmp_path):
    path = tmp_path / "backup.json"
    path.write_text(export_text(), encoding="utf-8")
    wipe()
    get_user_model().objects.filter(is_superuser=True).update(is_superuser=False)
    before = state()
    with pytest.raises(CommandError, match="--as"):
        call_command("import_annotations", str(path), stdout=io.StringIO())
    assert state() == before


def test_the_audit_log_page_shows_imported_events(world, admin, staff_client):
    data = export_text().encode()
    wipe()
    import_document(document_from_file(data, format="hamish", annotator="", filename="backup.json"), user=admin)
    response = staff_client.get(reverse("annotations:audit_log"), {"action": "imported"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "imported span" in page and "imported stance" in page and "imported boilerplate" in page


def test_the_admin_import_records_the_uploader_and_the_file(world, admin, staff_client):
    data = export_text().encode()
    wipe()
    response = staff_client.post(
        reverse("admin:annotations_span_import"),
        {"file": SimpleUploadedFile("backup-2023.json", data), "unknown_users": "create"},
    )
    assert response.status_code == 200 and "3 audit events written" in response.content.decode()
    assert set(AnnotationEvent.objects.values_list("actor__username", "action", "after__imported_from")) == {
        ("admin", "imported", "backup-2023.json")
    }


def test_a_mark_whose_category_the_import_changes_is_logged_with_before_and_after(world, admin, categories):
    document = exported()
    marks = document["articles"][0]["paragraphs"][1]["boilerplate_marks"]
    assert marks == [{"category": "related", "annotator": "analyst2", "layer": "annotator"}]
    marks[0]["category"] = "other"
    mark = BoilerplateMark.objects.get()
    before = json.loads(json.dumps(snapshot(mark)))
    AnnotationEvent.objects.all().delete()
    import_document(read_document(encoded(document)), user=admin, filename="fix.json")
    event = AnnotationEvent.objects.get()
    assert (event.action, event.kind, event.object_id, event.actor) == ("imported", "boilerplate", mark.pk, admin)
    assert event.before == before and event.after["category_id"] == categories["other"].pk
    assert event.after["version"] == before["version"] + 1 and event.after["imported_from"] == "fix.json"
