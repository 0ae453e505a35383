"""Curation: the curated layer of an article in a project, auto-merge of what annotators agree on, take / edit /
reject with their audit events, who may curate, "mark curated" (read-only layer), the curation queue, and the
curated layer in exports and in a Hamish JSON round trip."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from annotations.boilerplate import mark_boilerplate
from annotations.interchange.loading import AnnotationImportError, import_document, read_document
from annotations.models import AnnotationEvent, BoilerplateMark, Entity, Span, Stance
from annotations.spans import update_span
from annotations.stances import Choice
from projects import curation_actions
from projects.curation import build_board, mark_key, span_key
from projects.curation_layer import layer_identity
from projects.models import (
    Assignment,
    Curation,
    CurationDecision,
    CurationEvent,
    CurationStatus,
    Membership,
    Project,
    Role,
    Status,
)
from tests.utils import add_span, add_stance, annotation_snapshot, make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator(django_user_model):
    return django_user_model.objects.create_user("curator1", password="curator-pass-123")


@pytest.fixture
def study(labels, polarities, categories, analyst, other_analyst, curator):
    """A closed project: two annotators assigned one article (both done), a curator."""
    project = Project.objects.create(name="دراسة التنسيق")
    article = make_article()
    project.articles.add(article)
    Membership.objects.create(project=project, user=analyst, role=Role.ANNOTATOR)
    Membership.objects.create(project=project, user=other_analyst, role=Role.ANNOTATOR)
    Membership.objects.create(project=project, user=curator, role=Role.CURATOR)
    for user in (analyst, other_analyst):
        Assignment.objects.create(project=project, article=article, annotator=user)
    return project, article


def paragraph(article, position):
    return article.paragraphs.get(position=position)


def done(project, article):
    Assignment.objects.filter(project=project, article=article).update(status=Status.DONE)


def agreeing_and_not(article, analyst, other_analyst, entity, polarities, categories):
    """Both tag لويد أوستن PER, a stance and a mark alike; they differ on ثابت العباسي (PER / ORG) and on a
    stance's polarity, and only one tags واشنطن."""
    first, third = paragraph(article, 0), paragraph(article, 2)
    for user in (analyst, other_analyst):
        add_span(first, "لويد أوستن", "PER", author=user)
        add_stance(
            third,
            "لا تسعى لوجود عسكري دائم",
            author=user,
            holder=Choice("entity", entity.pk),
            target=Choice("name", name="الوجود العسكري"),
            polarity=polarities["opposes"],
        )
        mark_boilerplate(user=user, paragraph=paragraph(article, 1), category=categories["other"])
    add_span(first, "ثابت العباسي", "PER", author=analyst)
    add_span(first, "ثابت العباسي", "ORG", author=other_analyst)
    add_span(first, "واشنطن", "LOC", author=analyst)
    holder = Entity.objects.create(name="ثابت العباسي", label=entity.label)
    add_stance(
        first,
        "يلتقي لويد أوستن",
        author=analyst,
        holder=Choice("entity", holder.pk),
        target=Choice("entity", entity.pk),
        polarity=polarities["supports"],
    )
    add_stance(
        first,
        "يلتقي لويد أوستن",
        author=other_analyst,
        holder=Choice("entity", holder.pk),
        target=Choice("entity", entity.pk),
        polarity=polarities["neutral"],
    )


@pytest.fixture
def annotated(study, analyst, other_analyst, labels, polarities, categories):
    project, article = study
    entity = Entity.objects.create(name="دانا سترول", label=labels["PER"])
    agreeing_and_not(article, analyst, other_analyst, entity, polarities, categories)
    done(project, article)
    return project, article


def key_of(paragraph, quote, label):
    start = paragraph.text.index(quote)
    return span_key(paragraph.pk, start, start + len(quote), label)


def layer_spans(project, article):
    layer = Project.objects.get(pk=project.pk).curated_identity
    return sorted((s.text, s.label.name) for s in Span.objects.filter(author=layer, paragraph__article=article))


# --- auto-merge -----------------------------------------------------------------------------------------------


def test_auto_merge_takes_what_every_annotator_agrees_on_and_nothing_else(annotated, curator):
    project, article = annotated
    merged, problems = curation_actions.auto_merge(project=project, article=article, user=curator)
    assert (merged, problems) == (3, [])  # the span, the stance, the mark
    layer = Project.objects.get(pk=project.pk).curated_identity
    assert layer_spans(project, article) == [("لويد أوستن", "PER")]
    stances = list(Stance.objects.filter(author=layer))
    assert [(s.polarity.name, s.evidence.get().text) for s in stances] == [("opposes", "لا تسعى لوجود عسكري دائم")]
    assert [m.paragraph.position for m in BoilerplateMark.objects.filter(author=layer)] == [1]
    # Audited: the actor is the curator, the author the layer.
    events = AnnotationEvent.objects.filter(actor=curator)
    assert events.count() == 3 and {e.after["author_id"] for e in events} == {layer.pk}
    assert set(CurationDecision.objects.values_list("action", flat=True)) == {"auto"}


def test_auto_merge_is_idempotent(annotated, curator):
    project, article = annotated
    curation_actions.auto_merge(project=project, article=article, user=curator)
    before = annotation_snapshot()
    assert curation_actions.auto_merge(project=project, article=article, user=curator) == (0, [])
    assert annotation_snapshot() == before


def test_a_rejected_agreed_version_is_not_merged_again(annotated, curator):
    project, article = annotated
    curation_actions.auto_merge(project=project, article=article, user=curator)
    key = key_of(paragraph(article, 0), "لويد أوستن", "PER")
    curation_actions.decide(project=project, article=article, user=curator, key=key, action="reject")
    assert layer_spans(project, article) == []
    deleted = AnnotationEvent.objects.get(action="deleted")  # the layer's copy, taken out by the curator
    assert (deleted.actor, deleted.before["author_id"]) == (curator, layer_identity(project).pk)
    curation_actions.auto_merge(project=project, article=article, user=curator)
    assert layer_spans(project, article) == []


def test_a_share_below_one_merges_what_enough_annotators_agree_on(annotated, curator):
    project, article = annotated
    Project.objects.filter(pk=project.pk).update(auto_merge_share=0.5)
    project.refresh_from_db()
    curation_actions.auto_merge(project=project, article=article, user=curator)
    # At 1 of 2, each annotator's version counts as agreed: both labels of ثابت العباسي, and واشنطن.
    assert layer_spans(project, article) == [
        ("ثابت العباسي", "ORG"),
        ("ثابت العباسي", "PER"),
        ("لويد أوستن", "PER"),
        ("واشنطن", "LOC"),
    ]


def test_the_board_shows_disagreements_side_by_side(annotated, curator, analyst, other_analyst):
    project, article = annotated
    curation_actions.auto_merge(project=project, article=article, user=curator)
    board = build_board(project, article, layer_user_id=layer_identity(project).pk)
    assert [u.pk for u in board.annotators] == [analyst.pk, other_analyst.pk]
    abbasi = next(c for c in board.clusters if c.kind == "span" and any(v.label == "ORG" for v in c.versions))
    assert [[v.label for v in cell] for cell in (abbasi.cell(analyst.pk), abbasi.cell(other_analyst.pk))] == [["PER"], ["ORG"]]
    assert abbasi.is_open and not any(v.agreed for v in abbasi.versions)
    polarity = next(c for c in board.clusters if c.kind == "stance" and len(c.versions) == 2)
    assert sorted(v.label for v in polarity.versions) == ["neutral", "supports"]
    assert board.open_count == 5  # PER / ORG, واشنطن, supports / neutral


# --- take, edit, reject ---------------------------------------------------------------------------------------


def test_take_copies_one_annotators_version_and_settles_its_cluster(annotated, curator, analyst):
    project, article = annotated
    p0 = paragraph(article, 0)
    start = p0.text.index("ثابت العباسي")
    key = span_key(p0.pk, start, start + len("ثابت العباسي"), "ORG")
    curation_actions.decide(project=project, article=article, user=curator, key=key, action="take")
    assert layer_spans(project, article) == [("ثابت العباسي", "ORG")]
    event = AnnotationEvent.objects.get(actor=curator, kind="span", action="created")
    layer = Project.objects.get(pk=project.pk).curated_identity
    assert event.after["author_id"] == layer.pk and event.after["label_id"] == Span.objects.get(author=layer).label_id
    decisions = dict(CurationDecision.objects.values_list("key", "action"))
    assert decisions[key] == "take"
    assert decisions[span_key(p0.pk, start, start + len("ثابت العباسي"), "PER")] == "reject"  # the other version
    assert CurationDecision.objects.get(key=key).decided_by == curator


def test_edit_takes_a_version_with_another_label_and_boundaries(annotated, curator):
    project, article = annotated
    p0 = paragraph(article, 0)
    start = p0.text.index("واشنطن")
    key = span_key(p0.pk, start, start + 6, "LOC")
    curation_actions.decide(
        project=project, article=article, user=curator, key=key, action="edit", label="ORG", start=start - 3, end=start + 6
    )
    layer = Project.objects.get(pk=project.pk).curated_identity
    span = Span.objects.get(author=layer)
    assert (span.label.name, span.text, p0.text[span.start : span.end]) == ("ORG", "في واشنطن", "في واشنطن")
    assert CurationDecision.objects.get(key=key).action == "edit"
    event = AnnotationEvent.objects.get(action="created", actor=curator)
    assert (event.actor, event.after["author_id"], event.object_id) == (curator, layer.pk, span.pk)


def test_edit_refuses_offsets_outside_the_paragraph_and_changes_nothing(annotated, curator):
    project, article = annotated
    p0 = paragraph(article, 0)
    start = p0.text.index("واشنطن")
    before = annotation_snapshot()
    with pytest.raises(ValidationError, match="within its paragraph"):
        curation_actions.decide(
            project=project,
            article=article,
            user=curator,
            key=span_key(p0.pk, start, start + 6, "LOC"),
            action="edit",
            start=0,
            end=10_000,
        )
    assert annotation_snapshot() == before and not CurationDecision.objects.exists()


def test_reject_leaves_a_version_out_and_records_it(annotated, curator):
    project, article = annotated
    p0 = paragraph(article, 0)
    start = p0.text.index("واشنطن")
    key = span_key(p0.pk, start, start + 6, "LOC")
    curation_actions.decide(project=project, article=article, user=curator, key=key, action="reject")
    assert layer_spans(project, article) == []
    assert CurationDecision.objects.get(key=key).action == "reject"
    assert build_board(project, article).versions[key].state == "rejected"


def test_take_a_stance_and_change_a_marks_category(annotated, curator, categories):
    project, article = annotated
    board = build_board(project, article)
    supports = next(v for v in board.versions.values() if v.kind == "stance" and v.label == "supports")
    curation_actions.decide(project=project, article=article, user=curator, key=supports.key, action="take")
    layer = Project.objects.get(pk=project.pk).curated_identity
    stance = Stance.objects.get(author=layer)
    assert (stance.polarity.name, stance.holder_entity.name, stance.target_entity.name) == (
        "supports",
        "ثابت العباسي",
        "دانا سترول",
    )
    mark = mark_key(paragraph(article, 1).pk, "other")
    curation_actions.decide(project=project, article=article, user=curator, key=mark, action="edit", category="related")
    assert BoilerplateMark.objects.get(author=layer).category.name == "related"


# --- who may curate -------------------------------------------------------------------------------------------


def test_the_layer_identity_cannot_sign_in(annotated, curator):
    project, _ = annotated
    layer = layer_identity(project)
    assert not layer.is_active and not layer.has_usable_password()
    assert layer.get_username() == f"curated-{project.pk}"
    assert not Client().login(username=layer.get_username(), password="")


def test_annotators_get_403_and_strangers_404(annotated, analyst, django_user_model):
    project, article = annotated
    stranger = django_user_model.objects.create_user("stranger", password="stranger-pass-123")
    urls = [
        ("get", reverse("projects:curation_queue", args=[project.pk])),
        ("get", reverse("projects:curate", args=[project.pk, article.pk])),
        ("post", reverse("projects:curation_decide", args=[project.pk, article.pk])),
        ("post", reverse("projects:mark_curated", args=[project.pk, article.pk])),
        ("post", reverse("projects:reopen_curation", args=[project.pk, article.pk])),
    ]
    before = annotation_snapshot()
    for user, status in ((analyst, 403), (stranger, 404)):
        client = Client()
        client.force_login(user)
        for method, url in urls:
            assert getattr(client, method)(url, {"key": "span:1:0:1:PER", "action": "take"}).status_code == status, (user, url)
    assert annotation_snapshot() == before and not Curation.objects.exists()


def test_an_article_outside_the_project_is_404(annotated, curator):
    project, _ = annotated
    other = make_article(["نص آخر"], title="خارج الدراسة")
    client = Client()
    client.force_login(curator)
    assert client.get(reverse("projects:curate", args=[project.pk, other.pk])).status_code == 404


def test_only_curators_and_managers_may_change_the_layer(annotated, curator, analyst, admin):
    project, article = annotated
    curation_actions.auto_merge(project=project, article=article, user=curator)
    span = Span.objects.get(author=layer_identity(project))
    with pytest.raises(PermissionDenied):
        update_span(user=analyst, span=span, note="mine now")
    with pytest.raises(PermissionDenied):
        curation_actions.decide(project=project, article=article, user=analyst, key="span:1:0:1:PER", action="take")
    update_span(user=admin, span=span, note="an administrator manages every project")
    update_span(user=curator, span=span, note="curators may")
    span.refresh_from_db()
    assert span.note == "curators may"


# --- mark curated ---------------------------------------------------------------------------------------------


def test_mark_curated_makes_the_layer_read_only_until_reopened(annotated, curator):
    project, article = annotated
    curation_actions.auto_merge(project=project, article=article, user=curator)
    curation_actions.mark_curated(project=project, article=article, user=curator)
    assert Curation.objects.get().status == CurationStatus.CURATED
    assert list(CurationEvent.objects.values_list("actor", "before", "after")) == [(curator.pk, "open", "curated")]
    span = Span.objects.get(author=layer_identity(project))
    before = annotation_snapshot()
    with pytest.raises(PermissionDenied, match="read-only"):
        update_span(user=curator, span=span, note="too late")
    p0 = paragraph(article, 0)
    start = p0.text.index("واشنطن")
    with pytest.raises(ValidationError, match="read-only"):
        curation_actions.decide(
            project=project, article=article, user=curator, key=span_key(p0.pk, start, start + 6, "LOC"), action="take"
        )
    assert annotation_snapshot() == before
    curation_actions.reopen_curation(project=project, article=article, user=curator)
    update_span(user=curator, span=span, note="reopened")
    assert CurationEvent.objects.count() == 2


def test_the_pages_mark_curated_and_refuse_writes_then(annotated, curator):
    project, article = annotated
    client = Client()
    client.force_login(curator)
    page = client.get(reverse("projects:curate", args=[project.pk, article.pk]))
    assert page.status_code == 200 and "Mark curated" in page.text and "auto-merged" in page.text
    marked = client.post(reverse("projects:mark_curated", args=[project.pk, article.pk]), follow=True)
    assert "5 versions were still open: they are not in the curated layer." in marked.text
    p0 = paragraph(article, 0)
    start = p0.text.index("واشنطن")
    response = client.post(
        reverse("projects:curation_decide", args=[project.pk, article.pk]),
        {"key": span_key(p0.pk, start, start + 6, "LOC"), "action": "take"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 409 and "read-only" in response.text
    page = client.get(reverse("projects:curate", args=[project.pk, article.pk]))
    assert "Reopen the curation" in page.text and 'value="take"' not in page.text


def test_undo_of_a_curated_layer_write_is_refused_once_marked_curated(annotated, curator):
    """Undo is a write: after "Mark curated" the curator's last take cannot be taken back through u either."""
    project, article = annotated
    client = Client()
    client.force_login(curator)
    p0 = paragraph(article, 0)
    start = p0.text.index("واشنطن")
    key = span_key(p0.pk, start, start + 6, "LOC")
    taken = client.post(
        reverse("projects:curation_decide", args=[project.pk, article.pk]),
        {"key": key, "action": "take"},
        headers={"HX-Request": "true"},
    )
    assert taken.status_code in (200, 302)
    assert ("واشنطن", "LOC") in layer_spans(project, article)
    curation_actions.mark_curated(project=project, article=article, user=curator)
    before = annotation_snapshot()
    events = AnnotationEvent.objects.count()
    response = client.post(reverse("annotations:undo"), {"article": article.pk}, headers={"HX-Request": "true"})
    assert response.status_code == 409 and "read-only" in response.text
    assert annotation_snapshot() == before and AnnotationEvent.objects.count() == events
    # Reopened, the same undo goes through: the refusal came from the curation status, nothing else.
    curation_actions.reopen_curation(project=project, article=article, user=curator)
    response = client.post(reverse("annotations:undo"), {"article": article.pk}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert ("واشنطن", "LOC") not in layer_spans(project, article)


def test_bad_posts_get_a_message_and_change_nothing(annotated, curator):
    project, article = annotated
    client = Client()
    client.force_login(curator)
    url = reverse("projects:curation_decide", args=[project.pk, article.pk])
    before = annotation_snapshot()
    for data in (
        {"key": "nonsense", "action": "take"},
        {"key": "span:1:2:3:PER", "action": "take"},
        {"key": "span:1:2:3:PER", "action": "destroy"},
        {"key": "span:1:2:3:PER", "action": "edit", "start": "-4"},
    ):
        response = client.post(url, data, headers={"HX-Request": "true"})
        assert 400 <= response.status_code < 500 and response.text, data
    assert annotation_snapshot() == before and not CurationDecision.objects.exists()
    assert client.get(url).status_code == 405


def test_the_queue_lists_articles_whose_assignments_are_all_done(study, curator, analyst):
    project, article = study
    waiting = make_article(["مقال لم ينته بعد"], title="لم ينته")
    project.articles.add(waiting)
    Assignment.objects.create(project=project, article=waiting, annotator=analyst)
    client = Client()
    client.force_login(curator)
    url = reverse("projects:curation_queue", args=[project.pk])
    assert article.title not in client.get(url).text
    done(project, article)
    page = client.get(url).text
    assert article.title in page and "not started" in page and "لم ينته" not in page


# --- the curated layer in exports and imports -----------------------------------------------------------------


@pytest.fixture
def merged(annotated, curator):
    """Auto-merged, plus one take (ثابت العباسي as ORG) and one reject (واشنطن)."""
    project, article = annotated
    curation_actions.auto_merge(project=project, article=article, user=curator)
    p0 = paragraph(article, 0)
    curation_actions.decide(project=project, article=article, user=curator, key=key_of(p0, "ثابت العباسي", "ORG"), action="take")
    curation_actions.decide(project=project, article=article, user=curator, key=key_of(p0, "واشنطن", "LOC"), action="reject")
    project.refresh_from_db()
    return project, article


def export_json(tmp_path, *args):
    out = tmp_path / "export.json"
    call_command("export_annotations", *args, "--out", str(out), "--no-progress", verbosity=0)
    return json.loads(out.read_text(encoding="utf-8"))


def test_the_export_of_the_curated_layer_holds_exactly_the_merged_annotations(merged, tmp_path):
    project, _ = merged
    document = export_json(tmp_path, "--layer", "curated", "--project", str(project.pk))
    assert document["filter"]["layer"] == "curated" and document["filter"]["project"] == project.name
    [record] = document["articles"]
    assert sorted((s["text"], s["label"]) for s in record["spans"]) == [("ثابت العباسي", "ORG"), ("لويد أوستن", "PER")]
    for span in record["spans"]:
        text = record["paragraphs"][span["paragraph"]]["text"]
        assert text[span["start"] : span["end"]] == span["text"] == record["text"][span["article_start"] : span["article_end"]]
        assert (span["layer"], span["project"], span["annotator"]) == ("curated", project.name, f"curated-{project.pk}")
    assert [(s["polarity"], s["layer"]) for s in record["stances"]] == [("opposes", "curated")]
    assert [p["boilerplate_marks"] for p in record["paragraphs"] if p["boilerplate_marks"]] == [
        [{"category": "other", "annotator": f"curated-{project.pk}", "layer": "curated", "project": project.name}]
    ]


def test_everyones_export_says_which_layer_each_annotation_is_in(merged, tmp_path):
    document = export_json(tmp_path)
    layers = {(s["annotator"], s["layer"]) for s in document["articles"][0]["spans"]}
    project, _ = merged
    assert layers == {("analyst1", "annotator"), ("analyst2", "annotator"), (f"curated-{project.pk}", "curated")}


def test_a_project_without_a_curated_layer_is_refused_clearly(study, tmp_path):
    from django.core.management.base import CommandError

    project, _ = study
    with pytest.raises(CommandError, match="no curated layer yet"):
        export_json(tmp_path, "--layer", "curated", "--project", str(project.pk))
    with pytest.raises(CommandError, match="no project 999"):
        export_json(tmp_path, "--layer", "curated", "--project", "999")
    with pytest.raises(CommandError, match="Name the project"):
        export_json(tmp_path, "--layer", "curated")


def test_the_export_page_offers_the_layer_and_downloads_it(merged, curator, analyst):
    project, article = merged
    client = Client()
    client.force_login(analyst)  # a member of the project may read its curated layer
    assert project.name in client.get(reverse("annotations:export")).text
    response = client.post(
        reverse("jobs:export_start"),
        {"format": "hamish", "article": article.pk, "layer": "curated", "project": project.pk, "annotator": "me"},
    )
    assert response.status_code == 302
    download = client.get(response["Location"])
    document = json.loads(b"".join(download.streaming_content))
    assert {s["layer"] for s in document["articles"][0]["spans"]} == {"curated"} and len(document["articles"][0]["spans"]) == 2
    # More than one article: a background job (run at once in tests) with the same parameters.
    response = client.post(
        reverse("jobs:export_start"), {"format": "hamish", "article": "", "layer": "curated", "project": project.pk}
    )
    job_page = client.get(response["Location"])
    assert job_page.status_code == 200
    from jobs.models import Job

    job = Job.objects.get(kind=Job.Kind.EXPORT)
    assert job.status == Job.Status.DONE and job.parameters["layer"] == "curated"
    document = json.loads(b"".join(client.get(reverse("jobs:download", args=[job.pk])).streaming_content))
    assert sorted(s["text"] for s in document["articles"][0]["spans"]) == ["ثابت العباسي", "لويد أوستن"]


def test_the_export_page_refuses_a_layer_it_does_not_know(merged, analyst, django_user_model):
    project, _ = merged
    client = Client()
    client.force_login(analyst)
    assert client.post(reverse("jobs:export_start"), {"format": "hamish", "layer": "secret"}).status_code == 400
    assert client.post(reverse("jobs:export_start"), {"format": "hamish", "layer": "curated", "project": "x"}).status_code == 400
    stranger = django_user_model.objects.create_user("stranger", password="stranger-pass-123")
    client.force_login(stranger)  # not in the (closed) project: no such project for them
    assert (
        client.post(reverse("jobs:export_start"), {"format": "hamish", "layer": "curated", "project": project.pk}).status_code
        == 404
    )


def test_the_layer_field_round_trips_through_an_import(merged, tmp_path, admin):
    project, _ = merged
    document = export_json(tmp_path)
    layer = project.curated_identity
    wanted = sorted((s.paragraph_id, s.start, s.end, s.label_id) for s in Span.objects.filter(author=layer))
    Span.objects.filter(author=layer).delete()
    Stance.objects.filter(author=layer).delete()
    BoilerplateMark.objects.filter(author=layer).delete()
    # Elsewhere the layer's account has another name: the project's name is what places the annotations.
    for span in document["articles"][0]["spans"]:
        if span["layer"] == "curated":
            span["annotator"] = "curated-77"
    report = import_document(read_document(json.dumps(document).encode()), user=admin)
    assert report.counts["spans created"] == 2 and report.counts["stances created"] == 1 and report.counts["marks created"] == 1
    assert sorted((s.paragraph_id, s.start, s.end, s.label_id) for s in Span.objects.filter(author=layer)) == wanted
    assert not django_user_exists("curated-77")
    again = export_json(tmp_path)
    # Exported again, the layer is the same layer: same texts, same layer fields.
    assert sorted((s["text"], s["layer"], s.get("project")) for s in again["articles"][0]["spans"]) == sorted(
        (s["text"], s["layer"], s.get("project")) for s in document["articles"][0]["spans"]
    )


def django_user_exists(name):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username=name).exists()


def test_an_import_naming_an_unknown_project_is_refused_and_changes_nothing(merged, tmp_path, admin):
    document = export_json(tmp_path)
    for span in document["articles"][0]["spans"]:
        if span["layer"] == "curated":
            span["project"] = "دراسة أخرى"
    before = annotation_snapshot()
    with pytest.raises(AnnotationImportError, match="no project of that name here"):
        import_document(read_document(json.dumps(document).encode()), user=admin)
    assert annotation_snapshot() == before


def test_a_curated_annotation_must_name_its_project(merged, tmp_path):
    document = export_json(tmp_path)
    span = next(s for s in document["articles"][0]["spans"] if s["layer"] == "curated")
    del span["project"]
    with pytest.raises(AnnotationImportError, match="project"):
        read_document(json.dumps(document).encode())
    span["project"], span["layer"] = "x", "reviewer"
    with pytest.raises(AnnotationImportError, match="reviewer"):
        read_document(json.dumps(document).encode())


def test_both_writers_of_a_record_agree_on_the_layer_fields(merged):
    from annotations.interchange.records import article_json, article_records
    from annotations.interchange.selection import build_query

    query = build_query(None)
    assert [json.loads(text) for _, text in article_json(query)] == list(article_records(query))


def test_the_board_reads_in_constant_queries_however_many_annotations(study, curator, analyst, other_analyst):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    project, article = study
    done_page = reverse("projects:curate", args=[project.pk, article.pk])
    client = Client()
    client.force_login(curator)

    def queries_of_a_second_visit():
        client.get(done_page)  # the first visit auto-merges (writes); the second only reads
        with CaptureQueriesContext(connection) as context:
            assert client.get(done_page).status_code == 200
        return len(context)

    add_span(paragraph(article, 0), "لويد أوستن", "PER", author=analyst)
    few = queries_of_a_second_visit()
    for quote in ("ثابت العباسي", "واشنطن", "وزير الدفاع"):
        add_span(paragraph(article, 0), quote, "ORG", author=analyst)
        add_span(paragraph(article, 0), quote, "LOC", author=other_analyst)
    add_span(paragraph(article, 1), "الولايات المتحدة", "LOC", author=other_analyst)
    assert queries_of_a_second_visit() == few


def test_the_project_page_links_curators_to_the_queue(study, curator, analyst):
    project, _ = study
    client = Client()
    client.force_login(curator)
    queue = reverse("projects:curation_queue", args=[project.pk])
    assert queue in client.get(reverse("projects:project_detail", args=[project.pk])).text
    client.force_login(analyst)
    assert queue not in client.get(reverse("projects:project_detail", args=[project.pk])).text


@pytest.mark.django_db(transaction=True)
def test_two_curators_opening_the_board_at_once_merge_once(
    labels, polarities, categories, analyst, other_analyst, django_user_model
):
    from tests.test_races import race

    project = Project.objects.create(name="سباق")
    article = make_article()
    project.articles.add(article)
    curators = [django_user_model.objects.create_user(f"curator{i}") for i in (1, 2)]
    for user in curators:
        Membership.objects.create(project=project, user=user, role=Role.CURATOR)
    for user in (analyst, other_analyst):
        Assignment.objects.create(project=project, article=article, annotator=user)
        add_span(paragraph(article, 0), "لويد أوستن", "PER", author=user)
    done(project, article)
    outcomes = race(
        *(
            lambda user=user: curation_actions.auto_merge(project=Project.objects.get(pk=project.pk), article=article, user=user)
            for user in curators
        )
    )
    assert outcomes == [None, None]
    layer = Project.objects.get(pk=project.pk).curated_identity
    assert Span.objects.filter(author=layer).count() == 1 and CurationDecision.objects.count() == 1
    assert django_user_model.objects.filter(username__startswith="curated-").count() == 1 and Curation.objects.count() == 1
