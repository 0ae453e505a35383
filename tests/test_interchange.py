"""Export and import: every format round-trips the annotated seed corpus; offsets are exact; bad files change nothing."""

import io
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from jsonschema import Draft202012Validator

from annotations.boilerplate import mark_boilerplate
from annotations.interchange.formats import FORMATS
from annotations.interchange.hamish_json import load_schema
from annotations.interchange.loading import (
    AnnotationImportError,
    ImportOptions,
    document_from_file,
    import_document,
    read_document,
)
from annotations.interchange.records import ExportError
from annotations.interchange.selection import build_query
from annotations.models import AnnotationEvent, BoilerplateMark, Entity, Label, Span, Stance, Topic
from annotations.spans import update_span
from annotations.stances import Choice, add_evidence
from corpus.models import Article, Source
from tests.utils import add_span, add_stance, annotation_snapshot, corpus_snapshot, make_article

pytestmark = pytest.mark.django_db

VALIDATOR = Draft202012Validator(load_schema())
NAMES = [
    ("الولايات المتحدة", "LOC"),
    ("العراق", "LOC"),
    ("واشنطن", "LOC"),
    ("لويد أوستن", "PER"),
    ("دانا سترول", "PER"),
    ("ثابت العباسي", "PER"),
    ("وزارة الدفاع", "ORG"),
    ("البنتاغون", "ORG"),
    ("داعش", "ORG"),
    ("التحالف الدولي", "ORG"),
]
TRICKY = [
    "🇮🇶 قال الوزيـــر ثابت العباسي 😀 إن CJTF-OIR باقٍ\u00a0في بغداد.",
    "وَقَالَ لُويد أُوستن: «الشراكة مستمرة» في 2023م.",
]


def export_text(format_name="hamish", user=None, **selection):
    query = build_query(user, **selection)
    return "".join(FORMATS[format_name].chunks(query, user=user))


def export_document(**selection):
    document = json.loads(export_text(**selection))
    errors = list(VALIDATOR.iter_errors(document))
    assert not errors, [e.message for e in errors[:3]]
    return document


@pytest.fixture
def annotated(labels, polarities, categories, analyst, other_analyst):
    """The five seed articles plus a tricky one, annotated by two analysts: entities with aliases, nested and
    overlapping spans, notes, stances on topics and entities with several passages, boilerplate marks."""
    from corpus.management.commands.setup_demo import Command as SetupDemo

    SetupDemo(stdout=io.StringIO()).load_corpus()  # the seeds, under their outlets (the accounts come from fixtures)
    make_article(TRICKY, title="نص صعب", source="اختبار")
    austin = Entity.objects.create(name="لويد أوستن", label=labels["PER"])
    for article in Article.objects.order_by("pk"):
        paragraphs = list(article.paragraphs.order_by("position"))
        for paragraph in paragraphs:
            for name, label in NAMES:
                if name in paragraph.text:
                    span = add_span(paragraph, name, label, author=analyst)
                    if name == "لويد أوستن":
                        update_span(user=analyst, span=span, entity=austin, note="<b>وزير</b> الدفاع")
            if "وزير الدفاع" in paragraph.text:  # overlaps and nests with the spans above
                add_span(paragraph, "وزير الدفاع", "MISC", author=other_analyst)
            if paragraph.text.startswith(("إقرأ أيضا", "اقرأ أيضا")):
                mark_boilerplate(user=analyst, paragraph=paragraph, category=categories["related"])
                mark_boilerplate(user=other_analyst, paragraph=paragraph, category=categories["other"])
        iraq = [p for p in paragraphs if "العراق" in p.text]
        if iraq:
            stance = add_stance(
                iraq[0],
                "العراق",
                author=analyst,
                holder=Choice("name", name="دانا سترول"),
                target=Choice("name", name="الوجود العسكري الأميركي الدائم في العراق"),
                polarity=polarities["opposes"],
            )
            if len(iraq) > 1:
                add_evidence(user=analyst, stance=stance, selection=_selection(iraq[1], "العراق"))
        usa = [p for p in paragraphs if "الولايات المتحدة" in p.text]
        if usa:
            add_stance(
                usa[-1],
                "الولايات المتحدة",
                author=other_analyst,
                holder=Choice("name", name="ثابت العباسي"),
                target=Choice("entity", austin.pk),
                polarity=polarities["supports"],
                note="بحذر",
            )
    tricky = Article.objects.get(title="نص صعب").paragraphs.order_by("position")
    for quote in ["🇮🇶", "الوزيـــر", "CJTF-OIR", "باقٍ\u00a0في بغداد", "😀"]:
        add_span(tricky[0], quote, "MISC", author=analyst)
    for quote in ["لُويد أُوستن", "«الشراكة مستمرة»", "2023م"]:
        add_span(tricky[1], quote, "MISC", author=analyst)
    assert Span.objects.count() > 100 and Stance.objects.count() >= 3 and BoilerplateMark.objects.count() >= 4


def _selection(paragraph, quote):
    from annotations.offsets import code_point_to_utf16
    from annotations.stances import EvidenceSelection

    index = paragraph.text.index(quote)
    return EvidenceSelection(
        paragraph, code_point_to_utf16(paragraph.text, index), code_point_to_utf16(paragraph.text, index + len(quote)), quote
    )


def wipe():
    """Empty the database of annotations and articles (users stay: importers map them by name)."""
    for model in (AnnotationEvent, Stance, BoilerplateMark, Span, Entity, Topic):
        model.objects.all().delete()
    Article.objects.all().delete()
    Source.objects.all().delete()


def comparable(document):
    """The document without export time and database ids: ids become what they stand for."""
    entities = {e["id"]: (e["name"], e["label"]) for e in document["entities"]}
    topics = {t["id"]: t["name"] for t in document["topics"]}
    articles = []
    for article in document["articles"]:
        spans = {s["id"]: (s["paragraph"], s["start"], s["end"], s["label"], s["annotator"]) for s in article["spans"]}
        articles.append(
            {
                **{k: v for k, v in article.items() if k not in ("id", "spans", "stances")},
                "spans": [
                    {**{k: v for k, v in s.items() if k != "id"}, "entity": entities.get(s["entity"])} for s in article["spans"]
                ],
                "stances": sorted(
                    (
                        json.dumps(
                            {
                                **{k: v for k, v in s.items() if k not in ("id", "evidence", "holder", "target")},
                                "holder": [entities[s["holder"]["entity"]], spans.get(s["holder"]["span"])],
                                "target": entities.get(s["target"].get("entity")) or topics.get(s["target"].get("topic")),
                                "evidence": [{k: v for k, v in e.items() if k != "id"} for e in s["evidence"]],
                            },
                            ensure_ascii=False,
                            sort_keys=True,
                        )
                        for s in article["stances"]
                    ),
                ),
            }
        )
    return {
        **{k: v for k, v in document.items() if k not in ("exported_at", "articles", "entities", "topics")},
        "articles": articles,
        "entities": sorted([(e["name"], e["label"], e["aliases"]) for e in document["entities"]]),
        "topics": sorted((t["name"], t["description"]) for t in document["topics"]),
    }


# ---- Hamish JSON -------------------------------------------------------------------------------


def test_every_offset_in_the_export_gives_its_quoted_text(annotated):
    document = export_document()
    assert document["offsets"]["unit"] == "unicode-code-point"
    checked = 0
    for article in document["articles"]:
        paragraphs = {p["index"]: p for p in article["paragraphs"]}
        assert article["text"] == "\n".join(p["text"] for p in article["paragraphs"])
        passages = article["spans"] + [e for s in article["stances"] for e in s["evidence"]]
        for passage in passages:
            assert paragraphs[passage["paragraph"]]["text"][passage["start"] : passage["end"]] == passage["text"]
            assert article["text"][passage["article_start"] : passage["article_end"]] == passage["text"]
            checked += 1
    assert checked > 100
    tricky = next(a for a in document["articles"] if a["title"] == "نص صعب")
    quotes = {s["text"]: s for s in tricky["spans"]}
    assert quotes["🇮🇶"]["start"] == 0 and quotes["🇮🇶"]["end"] == 2  # two regional indicators: two code points
    assert quotes["الوزيـــر"]["end"] - quotes["الوزيـــر"]["start"] == len("الوزيـــر")  # tatweel counted
    assert "\u00a0" in quotes["باقٍ\u00a0في بغداد"]["text"]
    assert quotes["لُويد أُوستن"]["end"] - quotes["لُويد أُوستن"]["start"] == 12  # harakat are code points too


def test_hamish_json_survives_export_import_export_unchanged(annotated, admin):
    first = export_document()
    wipe()
    get_user_model().objects.filter(username="analyst2").delete()  # an annotator this instance does not know
    report = import_document(read_document(json.dumps(first).encode()), user=admin)
    assert report.counts["articles created"] == 6 and report.counts["users created"] == 1
    assert not get_user_model().objects.get(username="analyst2").is_active
    second = export_document()
    assert comparable(second) == comparable(first)


def test_importing_the_same_export_twice_adds_nothing(annotated, admin):
    data = export_text().encode()
    before = annotation_snapshot(), corpus_snapshot()
    report = import_document(read_document(data), user=admin)
    assert (
        report.counts["articles matched"] == 6 and report.counts["spans created"] == 0 and report.counts["stances created"] == 0
    )
    assert (annotation_snapshot(), corpus_snapshot()) == before


def test_filters_one_article_one_source_one_annotator_and_clean(annotated, analyst, other_analyst):
    seed_003 = Article.objects.get(original_filename__contains="003_")
    one = export_document(article=seed_003.pk)
    assert [a["content_hash"] for a in one["articles"]] == [seed_003.content_hash]
    assert one["filter"]["articles"] == f"article:{seed_003.pk}"
    source = seed_003.source.name
    by_source = export_document(source=source)
    assert {a["source"]["name"] for a in by_source["articles"]} == {source}
    mine = export_document(annotator="analyst2")
    assert {s["annotator"] for a in mine["articles"] for s in a["spans"]} == {"analyst2"}
    clean = export_document(article=seed_003.pk, clean=True)
    full = one["articles"][0]
    kept = clean["articles"][0]
    left_out = [p for p in full["paragraphs"] if p["boilerplate"]]
    assert left_out and all(not p["text"].startswith("إقرأ أيضا") for p in kept["paragraphs"])
    assert len(kept["paragraphs"]) == len(full["paragraphs"]) - len(left_out)
    assert kept["text"] == "\n".join(p["text"] for p in kept["paragraphs"])
    for span in kept["spans"]:
        assert kept["text"][span["article_start"] : span["article_end"]] == span["text"]
    with pytest.raises(AnnotationImportError, match="clean export"):
        read_document(json.dumps(clean).encode())


def test_the_exporter_stops_rather_than_write_a_wrong_offset(annotated):
    span = Span.objects.order_by("pk").first()
    Span.objects.filter(pk=span.pk).update(text=span.text + "x")  # damage behind the app's back
    with pytest.raises(ExportError, match=f"span {span.pk}"):
        export_text()


# ---- import refusals ---------------------------------------------------------------------------


def _broken(document, how):
    document = json.loads(json.dumps(document))
    article = next(a for a in document["articles"] if a["spans"])
    if how == "offset":
        article["spans"][0]["start"] += 1
        article["spans"][0]["article_start"] += 1
    elif how == "quote":
        article["spans"][0]["text"] = "نص آخر"
    elif how == "label":
        article["spans"][0]["label"] = "WEAPON"
    elif how == "schema":
        article["spans"][0]["start"] = -4
    elif how == "version":
        document["version"] = "9.0"
    elif how == "format":
        document["format"] = "label-studio"
    elif how == "hash":
        article["paragraphs"][0]["text"] += " مضاف"
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("offset", "do not give its text"),
        ("quote", "do not give its text"),
        ("label", "Unknown labels: WEAPON"),
        ("schema", "-4 is less than the minimum of 0"),
        ("version", "version '9.0'"),
        ("format", "not a Hamish annotations export"),
        ("hash", "content hash does not match"),
    ],
)
def test_bad_documents_are_refused_with_the_reason_and_change_nothing(annotated, admin, how, message):
    data = _broken(export_document(), how)
    wipe()
    before = annotation_snapshot(), corpus_snapshot()
    with pytest.raises(AnnotationImportError) as refused:
        import_document(read_document(data), user=admin)
    assert message in " ".join(refused.value.problems)
    assert (annotation_snapshot(), corpus_snapshot()) == before


def test_invalid_json_and_unknown_labels_with_the_create_option(annotated, admin):
    for data, message in [(b"{not json", "not valid JSON"), (b"\xff\xfe\x00", "not UTF-8"), (b"[]", "not a Hamish")]:
        with pytest.raises(AnnotationImportError, match=message):
            read_document(data)
    data = _broken(export_document(), "label")
    report = import_document(read_document(data), user=admin, options=ImportOptions(create_missing=True))
    assert Label.objects.filter(name="WEAPON").exists() and report.counts["definitions created"] == 1


def test_unknown_annotators_can_be_mapped_to_an_existing_account(annotated, admin):
    document = export_document()
    wipe()
    get_user_model().objects.filter(username="analyst2").delete()
    import_document(document, user=admin, options=ImportOptions(unknown_users="map", map_to=admin))
    assert not get_user_model().objects.filter(username="analyst2").exists()
    assert Span.objects.filter(author=admin, label__name="MISC").exists()


# ---- CoNLL, doccano, W3C -----------------------------------------------------------------------


@pytest.mark.parametrize("tagset", ["conll", "anercorp"])
def test_conll_survives_export_import_export_unchanged(annotated, analyst, tagset):
    first = export_text(tagset)
    assert "B-PER" in first if tagset == "conll" else "B-PERS" in first
    assert "\n\n-DOCSTART- O\n" in first
    wipe()
    document = document_from_file(first.encode(), format="conll", annotator="analyst1", source_name="ANER")
    import_document(document, user=analyst)
    assert Article.objects.count() == 6 and set(Span.objects.values_list("label__name", flat=True)) <= {
        "PER",
        "ORG",
        "LOC",
        "MISC",
    }
    assert export_text(tagset) == first


def test_conll_tokens_and_tags_follow_the_text(labels, analyst):
    paragraph = make_article(["التقى «لويد أوستن» بالعراقيين في واشنطن. ثم غادر!"]).paragraphs.get()
    add_span(paragraph, "لويد أوستن", "PER", author=analyst)
    add_span(paragraph, "واشنطن", "LOC", author=analyst)
    lines = export_text("anercorp").splitlines()
    assert lines[:10] == [
        "-DOCSTART- O",
        "",
        "التقى O",
        "« O",
        "لويد B-PERS",
        "أوستن I-PERS",
        "» O",
        "بالعراقيين O",
        "في O",
        "واشنطن B-LOC",
    ]
    assert lines[10:14] == [". O", "", "ثم O", "غادر O"]


def test_doccano_survives_export_import_export_unchanged(annotated, analyst):
    first = export_text("doccano", annotator="analyst1")
    lines = [json.loads(line) for line in first.splitlines()]
    for line in lines:
        for start, end, _label in line["label"]:
            assert line["text"][start:end].strip()
    wipe()
    import_document(document_from_file(first.encode(), format="doccano", annotator="analyst1"), user=analyst)
    second = [json.loads(line) for line in export_text("doccano", annotator="analyst1").splitlines()]
    assert [{k: v for k, v in line.items() if k != "id"} for line in second] == [
        {k: v for k, v in line.items() if k != "id"} for line in lines
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"text": "سطر أول\\nسطر ثان", "label": [[2, 12, "PER"]]}', "crosses a line break"),
        ('{"text": "نص", "label": [[0, 9, "PER"]]}', "outside the text"),
        ('{"label": []}', 'no "text"'),
        ('{"text": "نص", "label": [["a", 1, "PER"]]}', "must be [start, end"),
        ("not json", "not valid JSON"),
    ],
)
def test_bad_doccano_lines_are_refused(labels, analyst, line, message):
    with pytest.raises(AnnotationImportError, match=re.escape(message)):
        document_from_file(line.encode(), format="doccano", annotator="analyst1")


def test_doccano_import_moves_offsets_past_blank_lines_and_indentation(labels, analyst):
    line = {"text": "  مقدمة\n\nقال لويد أوستن ذلك  ", "label": [[13, 23, "PER"]]}
    import_document(document_from_file(json.dumps(line).encode(), format="doccano", annotator="analyst1"), user=analyst)
    span = Span.objects.get()
    assert span.text == "لويد أوستن" and span.paragraph.text[span.start : span.end] == "لويد أوستن"
    assert list(Article.objects.get().paragraphs.values_list("text", flat=True)) == ["مقدمة", "قال لويد أوستن ذلك"]


def test_w3c_annotations_select_exactly_their_text(annotated):
    collection = json.loads(export_text("w3c"))
    assert collection["type"] == "AnnotationCollection" and collection["@context"] == "http://www.w3.org/ns/anno.jsonld"
    items = collection["first"]["items"]
    texts = {
        a.content_hash: "\n".join(a.paragraphs.order_by("position").values_list("text", flat=True)) for a in Article.objects.all()
    }
    assert len(items) == Span.objects.count()
    for item in items:
        quote, position = item["target"]["selector"]
        text = texts[item["target"]["source"].removeprefix("urn:hamish:article:")]
        assert text[position["start"] : position["end"]] == quote["exact"]
        assert text[: position["start"]].endswith(quote["prefix"]) and text[position["end"] :].startswith(quote["suffix"])
        assert item["body"][0]["value"] in {"PER", "ORG", "LOC", "MISC"}


# ---- pages and commands ------------------------------------------------------------------------


def test_export_download_streams_an_attachment_with_a_safe_name(annotated, analyst_client):
    article = Article.objects.order_by("pk").first()
    response = analyst_client.get(reverse("annotations:export_download"), {"format": "hamish", "article": article.pk})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"].startswith(f'attachment; filename="hamish-article-{article.pk}-')
    document = json.loads(b"".join(response.streaming_content))
    assert not list(VALIDATOR.iter_errors(document)) and len(document["articles"]) == 1
    assert document["exported_by"] == "analyst1"
    source = analyst_client.get(reverse("annotations:export_download"), {"format": "doccano", "source": "../../etc/passwd"})
    assert source.status_code == 404  # no such source; and names never reach the file name
    by_source = analyst_client.get(
        reverse("annotations:export_download"), {"format": "conll", "source": article.source.name, "clean": "1"}
    )
    assert by_source.status_code == 200 and 'filename="hamish-source-' in by_source["Content-Disposition"]
    assert "-clean-" in by_source["Content-Disposition"]


def test_exporting_what_does_not_exist_or_anonymously_is_refused(annotated, analyst_client):
    url = reverse("annotations:export_download")
    assert analyst_client.get(url, {"article": 999999}).status_code == 404
    assert analyst_client.get(url, {"annotator": "nobody"}).status_code == 404
    assert analyst_client.get(url, {"format": "xml"}).status_code == 400
    assert analyst_client.get(url, {"article": "1 OR 1=1"}).status_code == 400
    anonymous = Client().get(url, {"format": "hamish"})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert Client().get(reverse("annotations:export_schema")).status_code == 302


def test_the_schema_is_served_and_the_export_page_offers_every_format(analyst_client):
    schema = json.loads(b"".join(analyst_client.get(reverse("annotations:export_schema")).streaming_content))
    assert schema == load_schema()
    page = analyst_client.get(reverse("annotations:export")).content.decode()
    for name in FORMATS:
        assert f'value="{name}"' in page


def test_the_commands_export_to_a_file_and_import_it_back(annotated, tmp_path, admin):
    out = tmp_path / "backup.json"
    report = io.StringIO()
    call_command("export_annotations", "--out", str(out), "--no-progress", stderr=report)
    assert report.getvalue().startswith("Wrote 6 articles as Hamish JSON")  # not "Wrote 0" without the bar
    document = json.loads(out.read_text(encoding="utf-8"))
    assert not list(VALIDATOR.iter_errors(document))
    wipe()
    stdout = io.StringIO()
    call_command("import_annotations", str(out), stdout=stdout)
    assert "6 articles created" in stdout.getvalue()
    assert comparable(export_document()) == comparable(document)
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    before = annotation_snapshot(), corpus_snapshot()
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("import_annotations", str(bad), stderr=stderr)
    assert "not valid JSON" in stderr.getvalue()
    assert (annotation_snapshot(), corpus_snapshot()) == before


def test_the_admin_import_page_restores_a_file_or_lists_its_problems(annotated, staff_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = export_text().encode()
    wipe()
    url = reverse("admin:annotations_span_import")
    bad = staff_client.post(url, {"file": SimpleUploadedFile("x.json", b"{}"), "unknown_users": "create"})
    assert bad.status_code == 200 and "nothing was changed" in bad.content.decode() and not Article.objects.exists()
    good = staff_client.post(url, {"file": SimpleUploadedFile("backup.json", data), "unknown_users": "create"})
    assert good.status_code == 200 and "6 articles created" in good.content.decode()


def test_analysts_cannot_reach_the_admin_import(annotated, analyst_client):
    response = analyst_client.get(reverse("admin:annotations_span_import"))
    assert response.status_code == 403 and "for administrators" in response.content.decode()


@pytest.mark.parametrize("selection", [{}, {"clean": True}])
def test_the_fast_json_writer_and_the_record_builder_agree(annotated, analyst, selection):
    """Hamish JSON is written as text without building each record (for speed); the other formats build the
    records. Both must describe every article identically, in small batches as in large ones."""
    from annotations.interchange.records import article_json, article_records

    for batch_size in (None, 1):
        query = build_query(None, **selection)
        written = json.loads("[" + "".join(text for _id, text in article_json(query, batch_size=batch_size, separator=",")) + "]")
        built = list(article_records(build_query(None, **selection), batch_size=batch_size))
        assert written == built and len(built) >= 2
        assert sum(len(article["spans"]) for article in built) > 0
