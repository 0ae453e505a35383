"""Models that pre-annotate: predictions imported as suggestions (Hamish JSON, doccano, CoNLL), scoped to their
project, accepted or rejected like the other suggestions, never exported before; the built-in CRF and its trigger."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from annotations.interchange.formats import FORMATS
from annotations.interchange.selection import build_query
from annotations.models import AnnotationEvent, Span, SuggestionRejection
from annotations.suggestions import accept, reject, suggestions_for
from api.models import ApiToken
from corpus.models import PARAGRAPH_SEPARATOR
from projects.models import Membership, Project, Role
from recommenders import crf
from recommenders.importing import PredictionImportError, import_predictions
from recommenders.models import BUILTIN_MODEL, AcceptedPrediction, Prediction, PredictionBatch, PredictionFilter, Recommender
from recommenders.training import train_project
from tests.utils import SMALL_ARTICLE, add_span, make_article

pytestmark = pytest.mark.django_db

AUSTIN = "لويد أوستن"
STROUL = "دانا سترول"


@pytest.fixture
def project(labels, analyst, admin):
    article = make_article()
    project = Project.objects.create(name="دراسة")
    project.articles.add(article)
    project.labels.set([labels["PER"], labels["ORG"], labels["LOC"]])
    Membership.objects.create(project=project, user=analyst, role=Role.ANNOTATOR)
    project.article = article
    return project


@pytest.fixture
def manager(django_user_model, project):
    user = django_user_model.objects.create_user("manager1", password="manager-pass-123")
    Membership.objects.create(project=project, user=user, role=Role.MANAGER)
    return user


def place(text, quote, occurrence=0):
    index = -1
    for _ in range(occurrence + 1):
        index = text.index(quote, index + 1)
    return index, index + len(quote)


def doccano_line(texts, labels):
    text = PARAGRAPH_SEPARATOR.join(texts)
    return json.dumps({"text": text, "label": labels}, ensure_ascii=False)


def doccano_file(texts=SMALL_ARTICLE, score=0.87):
    text = PARAGRAPH_SEPARATOR.join(texts)
    a, b = place(text, AUSTIN)
    c, d = place(text, STROUL)
    return (doccano_line(texts, [[a, b, "PER", score], [c, d, "PER"]]) + "\n").encode()


def hamish_file(project, score=0.9):
    """A Hamish JSON export of the project's article with one span, its score added."""
    article = project.article
    paragraph = article.paragraphs.get(position=0)
    span = add_span(paragraph, AUSTIN, "PER", author=project.memberships.first().user)
    query = build_query(span.author, article=article.pk)
    document = json.loads("".join(FORMATS["hamish"].chunks(query)))
    span.delete()
    document["articles"][0]["spans"][0]["score"] = score
    return json.dumps(document, ensure_ascii=False).encode()


def conll_file():
    """The article as a CoNLL file: one sentence per paragraph, tokens split at spaces and before the last dot."""
    lines = ["-DOCSTART- O", ""]
    for text in SMALL_ARTICLE:
        words = text.replace(".", " .").split()
        names = {AUSTIN.split()[0]: "B-PER", AUSTIN.split()[1]: "I-PER"}
        lines += [f"{word} {names.get(word, 'O')}" for word in words] + [""]
    return "\n".join(lines).encode()


def offered(user, article):
    paragraphs = list(article.paragraphs.order_by("position"))
    own = Span.objects.filter(paragraph__article=article, author=user)
    return [s for group in suggestions_for(user, paragraphs, own_spans=own).values() for s in group]


def model_offered(user, article):
    return [s for s in offered(user, article) if getattr(s, "model_name", "")]


# --- importing each format ----------------------------------------------------------------------------


def test_doccano_predictions_become_suggestions_with_model_and_score(project, analyst, manager):
    batch = import_predictions(doccano_file(), project=project, format="doccano", model_name="camelbert", user=manager)
    assert batch.count == 2 and batch.status == PredictionBatch.Status.DONE
    scores = sorted(Prediction.objects.values_list("score", flat=True))
    assert scores == [0.87, 1.0]  # a label with no fourth item takes the default score
    shown = model_offered(analyst, project.article)
    assert sorted(s.text for s in shown) == sorted([AUSTIN, STROUL])
    austin = next(s for s in shown if s.text == AUSTIN)
    assert austin.reason == "model camelbert · 0.87" and austin.model_name == "camelbert"
    assert Span.objects.count() == 0  # suggestions, never annotations


def test_hamish_json_predictions_keep_their_score(project, analyst, manager):
    data = hamish_file(project, score=0.64)
    batch = import_predictions(data, project=project, format="hamish", model_name="other-tool", user=manager)
    assert batch.count == 1
    prediction = Prediction.objects.get()
    assert (prediction.score, prediction.paragraph.text[prediction.start : prediction.end]) == (0.64, AUSTIN)


def test_conll_predictions_are_placed_on_the_stored_paragraphs(project, analyst, manager):
    batch = import_predictions(conll_file(), project=project, format="conll", model_name="crf-x", user=manager, default_score=0.7)
    assert batch.count == 1
    prediction = Prediction.objects.get()
    paragraph = project.article.paragraphs.get(position=0)
    assert prediction.paragraph_id == paragraph.pk
    assert paragraph.text[prediction.start : prediction.end] == AUSTIN and prediction.score == 0.7


@pytest.mark.parametrize(
    ("fmt", "data", "expected"),
    [
        ("doccano", b"not json\n", "Line 1"),
        ("doccano", None, "Line 3"),  # built below: lines 1 and 3 are bad, both reported
        ("hamish", b'{"format": "hamish-annotations"', "not valid JSON"),
        ("conll", b"word B-PER\nother X-\n", "line"),
    ],
)
def test_bad_files_are_refused_whole_with_every_place(project, manager, fmt, data, expected):
    if data is None:
        text = PARAGRAPH_SEPARATOR.join(SMALL_ARTICLE)
        a, b = place(text, AUSTIN)
        data = "\n".join(
            [
                doccano_line(SMALL_ARTICLE, [[a, b + 500, "PER"]]),
                doccano_line(SMALL_ARTICLE, [[a, b, "PER", 0.5]]),
                doccano_line(SMALL_ARTICLE, [[a, b, "PER", 1.5]]),
            ]
        ).encode()
    with pytest.raises(PredictionImportError) as refused:
        import_predictions(data, project=project, format=fmt, model_name="m", user=manager)
    problems = " ".join(refused.value.problems)
    assert expected.lower() in problems.lower(), refused.value.problems
    if fmt == "doccano" and expected == "Line 3":
        assert "Line 1" in problems and "Line 3" in problems and "score" in problems
    assert not Prediction.objects.exists() and not PredictionBatch.objects.exists()


def test_a_wrong_quote_an_unknown_label_and_a_foreign_article_are_refused(project, manager, labels):
    data = json.loads(hamish_file(project))
    data["articles"][0]["spans"][0]["text"] = "شيء آخر"
    with pytest.raises(PredictionImportError) as refused:
        import_predictions(json.dumps(data).encode(), project=project, format="hamish", model_name="m", user=manager)
    assert "do not give its text" in " ".join(refused.value.problems)
    text = PARAGRAPH_SEPARATOR.join(SMALL_ARTICLE)
    a, b = place(text, AUSTIN)
    with pytest.raises(PredictionImportError) as refused:
        import_predictions(
            (doccano_line(SMALL_ARTICLE, [[a, b, "MISC"]])).encode(),
            project=project,
            format="doccano",
            model_name="m",
            user=manager,
        )
    assert "'MISC' is not one of the project's labels" in refused.value.problems[0]
    other = ["نص مقال آخر لا يوجد في المشروع", "فقرة ثانية فيها لويد أوستن"]
    a, b = place(PARAGRAPH_SEPARATOR.join(other), AUSTIN)
    with pytest.raises(PredictionImportError) as refused:
        import_predictions(
            doccano_line(other, [[a, b, "PER"]]).encode(), project=project, format="doccano", model_name="m", user=manager
        )
    assert "no article of the project" in refused.value.problems[0]
    assert not Prediction.objects.exists()


def test_management_command(project, tmp_path):
    path = tmp_path / "out.jsonl"
    path.write_bytes(doccano_file())
    out = io.StringIO()
    call_command("import_predictions", str(path), project=project.name, model="cmd-model", stdout=out)
    assert "2 predictions of cmd-model" in out.getvalue()
    path.write_bytes(b"{bad\n")
    with pytest.raises(CommandError, match="nothing was stored"):
        call_command("import_predictions", str(path), project=project.name, model="cmd-model")
    assert Prediction.objects.count() == 2


# --- scoping -------------------------------------------------------------------------------------------


def test_another_projects_predictions_are_never_shown(project, analyst, other_analyst, manager):
    other = Project.objects.create(name="مشروع آخر")
    other.articles.add(project.article)
    other.labels.set(project.labels.all())
    Membership.objects.create(project=other, user=other_analyst, role=Role.MANAGER)
    import_predictions(doccano_file(), project=other, format="doccano", model_name="theirs", user=other_analyst)
    assert model_offered(analyst, project.article) == []
    assert {s.model_name for s in model_offered(other_analyst, project.article)} == {"theirs"}
    # Removed from the project, the article no longer shows the project's predictions.
    other.articles.remove(project.article)
    assert model_offered(other_analyst, project.article) == []


def test_filter_by_model_and_score(project, analyst, manager, client):
    import_predictions(doccano_file(score=0.3), project=project, format="doccano", model_name="weak", user=manager)
    assert [s.text for s in model_offered(analyst, project.article)] == [STROUL]  # 0.3 is under the default 0.5
    client.force_login(analyst)
    response = client.post(reverse("recommenders:filter"), {"model_name": "", "min_score": "0.2", "article": project.article.pk})
    assert response.status_code == 302
    assert sorted(s.text for s in model_offered(analyst, project.article)) == sorted([AUSTIN, STROUL])
    client.post(reverse("recommenders:filter"), {"model_name": "-", "min_score": "0", "article": project.article.pk})
    assert model_offered(analyst, project.article) == []
    assert client.post(reverse("recommenders:filter"), {"min_score": "7", "article": project.article.pk}).status_code == 400
    page = client.get(reverse("annotations:article", args=[project.article.pk]))
    assert 'name="min_score"' in page.content.decode() and ">weak<" in page.content.decode()


# --- accepting and rejecting ---------------------------------------------------------------------------


def test_accepting_makes_a_span_that_carries_the_model_and_says_so_in_the_audit_log(project, analyst, manager):
    import_predictions(doccano_file(), project=project, format="doccano", model_name="camelbert", user=manager)
    suggestion = next(s for s in model_offered(analyst, project.article) if s.text == AUSTIN)
    paragraph = project.article.paragraphs.get(pk=suggestion.paragraph_id)
    span = accept(user=analyst, paragraph=paragraph, start=suggestion.start, end=suggestion.end, label=suggestion.label)
    assert span.author == analyst and span.text == AUSTIN
    record = AcceptedPrediction.objects.get(span=span)
    assert (record.model_name, record.score) == ("camelbert", 0.87)
    event = AnnotationEvent.objects.get(kind="span", object_id=span.pk, action=AnnotationEvent.CREATED)
    assert event.via == "suggestion of model camelbert (0.87)"
    assert AUSTIN not in [s.text for s in model_offered(analyst, project.article)]


def test_accept_and_reject_through_the_reading_view(project, analyst, manager, client):
    import_predictions(doccano_file(), project=project, format="doccano", model_name="camelbert", user=manager)
    client.force_login(analyst)
    austin, stroul = sorted(model_offered(analyst, project.article), key=lambda s: s.text != AUSTIN)
    url = reverse("annotations:suggestion_decide", args=[austin.paragraph_id])
    page = client.get(reverse("annotations:article", args=[project.article.pk])).content.decode()
    assert "model camelbert · 0.87" in page
    response = client.post(url, {"action": "accept", "start": austin.start, "end": austin.end, "label": "PER"})
    assert response.status_code == 200
    assert AcceptedPrediction.objects.get().span.text == AUSTIN
    url = reverse("annotations:suggestion_decide", args=[stroul.paragraph_id])
    response = client.post(url, {"action": "reject", "start": stroul.start, "end": stroul.end, "label": "PER"})
    assert response.status_code == 200 and SuggestionRejection.objects.filter(user=analyst).count() == 1
    assert model_offered(analyst, project.article) == []
    assert Span.objects.count() == 1


def test_never_exported_before_acceptance(project, analyst, manager):
    import_predictions(doccano_file(), project=project, format="doccano", model_name="camelbert", user=manager)

    def exported():
        query = build_query(analyst, article=project.article.pk)
        return json.loads("".join(FORMATS["hamish"].chunks(query)))["articles"][0]["spans"]

    assert exported() == []
    suggestion = next(s for s in model_offered(analyst, project.article) if s.text == STROUL)
    paragraph = project.article.paragraphs.get(pk=suggestion.paragraph_id)
    reject(user=analyst, paragraph=paragraph, start=suggestion.start, end=suggestion.end, label=suggestion.label)
    assert exported() == []
    accept(user=analyst, paragraph=paragraph, start=suggestion.start, end=suggestion.end, label=suggestion.label)
    assert [s["text"] for s in exported()] == [STROUL]


# --- the API ---------------------------------------------------------------------------------------------


def api_post(client, user, path, body):
    secret = ApiToken.issue(user=user, name="t")[1]
    return client.post(path, json.dumps(body), content_type="application/json", headers={"Authorization": f"Bearer {secret}"})


def test_api_import_needs_a_manager_of_the_project(project, analyst, manager, other_analyst, client, settings):
    body = {"model": "api-model", "format": "doccano", "content": doccano_file().decode()}
    path = f"/api/v1/projects/{project.pk}/predictions"
    assert api_post(client, analyst, path, body).status_code == 403  # an annotator
    assert api_post(client, other_analyst, path, body).status_code in (403, 404)
    Project.objects.filter(pk=project.pk).update(is_open=False)
    assert api_post(client, other_analyst, path, body).status_code == 404  # not a member of a closed project
    assert not Prediction.objects.exists()
    response = api_post(client, manager, path, body)
    assert response.status_code == 201, response.content
    assert response.json()["count"] == 2 and response.json()["model"] == "api-model"
    bad = api_post(client, manager, path, {**body, "content": "{oops"})
    assert bad.status_code == 422 and bad.json()["error"]["details"][0].startswith("Line 1")
    assert Prediction.objects.count() == 2
    # A large file goes to the worker (immediate in tests) and is polled.
    settings.HAMISH_PREDICTIONS_SYNC_BYTES = 10
    queued = api_post(client, manager, path, {**body, "model": "big"})
    assert queued.status_code in (201, 202)
    status = client.get(
        f"/api/v1/prediction-batches/{queued.json()['id']}",
        headers={"Authorization": f"Bearer {ApiToken.issue(user=manager, name='u')[1]}"},
    )
    assert status.json()["status"] == "done" and status.json()["count"] == 2


def test_manager_page_imports_and_refuses(project, manager, analyst, client):
    client.force_login(analyst)
    assert client.get(reverse("recommenders:predictions", args=[project.pk])).status_code == 403
    client.force_login(manager)
    url = reverse("recommenders:predictions", args=[project.pk])
    upload = io.BytesIO(b"{bad json\n")
    upload.name = "x.jsonl"
    response = client.post(url, {"file": upload, "model_name": "page-model", "format": "", "default_score": "1"})
    assert response.status_code == 422 and "Line 1" in response.content.decode()
    assert not Prediction.objects.exists()
    upload = io.BytesIO(doccano_file())
    upload.name = "x.jsonl"
    response = client.post(url, {"file": upload, "model_name": "page-model", "format": "", "default_score": "1"}, follow=True)
    assert "2 predictions imported" in response.content.decode()
    assert Prediction.objects.filter(model_name="page-model").count() == 2


# --- the built-in CRF ------------------------------------------------------------------------------------

NAMES = ["لويد أوستن", "دانا سترول", "ثابت العباسي", "سيليست واندر", "محمد شياع السوداني", "جو بايدن"]
PLACES = ["بغداد", "واشنطن", "البصرة", "أربيل"]


def synthetic_articles(count, offset=0):
    """Short news paragraphs with repeated names and places: (texts, [(paragraph index, quote, label)])."""
    articles = []
    for n in range(offset, offset + count):
        person, other, city = NAMES[n % len(NAMES)], NAMES[(n + 2) % len(NAMES)], PLACES[n % len(PLACES)]
        texts = [
            f"قال {person} في {city} إن المحادثات مع {other} كانت مثمرة",
            f"وأضاف {person} أن الوفد سيعود إلى {city} الأسبوع المقبل رقم {n}",
        ]
        tags = [(0, person, "PER"), (0, city, "LOC"), (0, other, "PER"), (1, person, "PER"), (1, city, "LOC")]
        articles.append((texts, tags))
    return articles


def test_crf_trains_and_suggests_deterministically():
    examples = []
    for texts, tags in synthetic_articles(12):
        for index, text in enumerate(texts):
            spans = [(*place(text, quote), label, 1) for i, quote, label in tags if i == index]
            examples.append((text, spans))
    first, second = crf.train(examples), crf.train(examples)
    assert first.model_bytes == second.model_bytes
    text = "قال جو بايدن في البصرة إن المحادثات مع لويد أوستن كانت مثمرة"
    found = first.suggest(text)
    assert found == second.suggest(text)
    assert {(text[a:b], label) for a, b, label, _score in found} >= {("جو بايدن", "PER"), ("البصرة", "LOC")}
    assert all(0 < score <= 1 for *_rest, score in found)
    assert crf.train([("نص بلا أسماء", [])]) is None


def test_training_a_project_stores_suggestions_shown_as_the_models(labels, analyst, settings):
    project = Project.objects.create(name="تدريب")
    project.labels.set([labels["PER"], labels["LOC"]])
    Membership.objects.create(project=project, user=analyst, role=Role.MANAGER)
    articles = []
    for texts, tags in synthetic_articles(10):
        article = make_article(texts)
        project.articles.add(article)
        paragraphs = list(article.paragraphs.order_by("position"))
        for index, quote, label in tags:
            add_span(paragraphs[index], quote, label, author=analyst)
        articles.append(article)
    fresh = make_article(["قال جو بايدن في أربيل إن المحادثات مع دانا سترول كانت مثمرة"])
    project.articles.add(fresh)
    batch = train_project(project)
    assert batch.model_name == BUILTIN_MODEL and batch.count > 0
    recommender = Recommender.objects.get(project=project)
    assert recommender.model_bytes and recommender.trained_on["spans"] > 0
    shown = {(s.text, s.label.name) for s in model_offered(analyst, fresh)}
    assert ("جو بايدن", "PER") in shown and ("أربيل", "LOC") in shown
    assert all(s.reason.startswith(f"model {BUILTIN_MODEL} · ") for s in model_offered(analyst, fresh))
    # Trained again, the new run's predictions replace the old; only the newest articles get them, up to the cap.
    settings.HAMISH_RECOMMENDER_MAX_ARTICLES = 1
    train_project(project)
    assert PredictionBatch.objects.filter(project=project, model_name=BUILTIN_MODEL).count() == 1
    assert set(Prediction.objects.values_list("paragraph__article_id", flat=True)) == {fresh.pk}


def test_retrain_trigger_after_every_n_new_spans(labels, analyst, settings, monkeypatch, django_capture_on_commit_callbacks):
    settings.HAMISH_RECOMMENDER_RETRAIN_EVERY = 3
    runs = []
    import recommenders.training as training

    real = training.train_project
    monkeypatch.setattr(
        training,
        "train_project",
        lambda project, user=None, run=None: runs.append(project.pk) or real(project, user=user, run=run),
    )
    project = Project.objects.create(name="محفز")
    article = make_article()
    project.articles.add(article)
    Membership.objects.create(project=project, user=analyst, role=Role.MANAGER)
    paragraphs = list(article.paragraphs.order_by("position"))
    with django_capture_on_commit_callbacks(execute=True):  # counted once the span's transaction commits
        add_span(paragraphs[0], "ثابت العباسي", "PER", author=analyst)
        add_span(paragraphs[0], AUSTIN, "PER", author=analyst)
    assert runs == [] and Recommender.objects.get(project=project).spans_since_training == 2
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        add_span(paragraphs[2], STROUL, "PER", author=analyst)
    assert len(callbacks) == 1 and runs == [project.pk]  # the third span: queued on commit (run at once in tests)
    recommender = Recommender.objects.get(project=project)
    assert recommender.spans_since_training == 0 and recommender.status == Recommender.Status.IDLE
    assert recommender.trained_on["spans"] == 3


def test_manager_can_train_on_demand(project, manager, analyst, client, django_capture_on_commit_callbacks):
    add_span(project.article.paragraphs.get(position=0), AUSTIN, "PER", author=analyst)
    client.force_login(analyst)
    assert client.post(reverse("recommenders:train", args=[project.pk])).status_code == 403
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):  # queued once the claim is committed
        assert client.post(reverse("recommenders:train", args=[project.pk])).status_code == 302
    assert Recommender.objects.get(project=project).trained_at is not None
    secret = ApiToken.issue(user=analyst, name="t")[1]
    response = client.post(f"/api/v1/projects/{project.pk}/recommender/train", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 403
    assert PredictionFilter.objects.count() == 0


def test_a_large_file_is_imported_by_the_worker_and_a_refused_one_stores_nothing(project, manager, client, settings):
    settings.HAMISH_PREDICTIONS_SYNC_BYTES = 10
    client.force_login(manager)
    url = reverse("recommenders:predictions", args=[project.pk])
    upload = io.BytesIO(doccano_file())
    upload.name = "big.jsonl"
    response = client.post(url, {"file": upload, "model_name": "big-model", "format": "", "default_score": "1"}, follow=True)
    assert "in the background" in response.content.decode()
    batch = PredictionBatch.objects.get(model_name="big-model")
    assert (batch.status, batch.count, batch.payload) == (PredictionBatch.Status.DONE, 2, None)
    text = PARAGRAPH_SEPARATOR.join(SMALL_ARTICLE)
    a, b = place(text, AUSTIN)
    upload = io.BytesIO(doccano_line(SMALL_ARTICLE, [[a, b, "PER", 2]]).encode())
    upload.name = "bad.jsonl"
    client.post(url, {"file": upload, "model_name": "bad-model", "format": "", "default_score": "1"})
    refused = PredictionBatch.objects.get(model_name="bad-model")
    assert refused.status == PredictionBatch.Status.REFUSED and "score 2" in refused.problems[0]
    assert not Prediction.objects.filter(batch=refused).exists() and refused.payload is None
    page = client.get(url).content.decode()
    assert "score 2 is not a number from 0 to 1" in page


def test_model_name_is_required_and_not_the_no_model_choice(project, manager):
    for name in ("", "   ", "-", "x" * 101, "bad\x07name"):
        with pytest.raises(PredictionImportError):
            import_predictions(doccano_file(), project=project, format="doccano", model_name=name, user=manager)
    assert not PredictionBatch.objects.exists()


def test_the_audit_log_page_says_which_model_proposed_an_accepted_span(project, analyst, manager, admin, client):
    import_predictions(doccano_file(), project=project, format="doccano", model_name="camelbert", user=manager)
    suggestion = next(s for s in model_offered(analyst, project.article) if s.text == AUSTIN)
    paragraph = project.article.paragraphs.get(pk=suggestion.paragraph_id)
    accept(user=analyst, paragraph=paragraph, start=suggestion.start, end=suggestion.end, label=suggestion.label)
    client.force_login(admin)
    page = client.get(reverse("annotations:audit_log")).content.decode()
    assert "through <bdi>suggestion of model camelbert (0.87)</bdi>" in page


# --- bad input, and work bounded by the page, not the corpus ---------------------------------------------


@pytest.mark.parametrize("score", ["NaN", "Infinity", "-0.1", "1.01", '"0.9"', "true", "null"])
def test_a_score_outside_0_to_1_or_not_a_number_is_refused_with_its_place(project, manager, score):
    text = PARAGRAPH_SEPARATOR.join(SMALL_ARTICLE)
    a, b = place(text, AUSTIN)
    line = json.dumps({"text": text, "label": [[a, b, "PER", 0.5]]}, ensure_ascii=False).replace("0.5]", f"{score}]")
    with pytest.raises(PredictionImportError) as refused:
        import_predictions(line.encode(), project=project, format="doccano", model_name="m", user=manager)
    assert "Line 1" in refused.value.problems[0] or "line 1" in refused.value.problems[0].lower(), refused.value.problems
    data = json.loads(hamish_file(project))
    data["articles"][0]["spans"][0]["score"] = None
    raw = json.dumps(data, ensure_ascii=False).replace('"score": null', f'"score": {score}')
    with pytest.raises(PredictionImportError) as refused:
        import_predictions(raw.encode(), project=project, format="hamish", model_name="m", user=manager)
    assert refused.value.problems
    assert not Prediction.objects.exists() and not PredictionBatch.objects.exists()


def test_doccano_problems_in_arabic_keep_each_lines_number(project, manager, settings):
    settings.LANGUAGE_CODE = "ar"
    from django.utils import translation

    text = PARAGRAPH_SEPARATOR.join(SMALL_ARTICLE)
    a, b = place(text, AUSTIN)
    data = "\n".join([doccano_line(SMALL_ARTICLE, [[a, b, "PER"]]), "{bad", doccano_line(SMALL_ARTICLE, [[a, b + 500, "PER"]])])
    with translation.override("ar"), pytest.raises(PredictionImportError) as refused:
        import_predictions(data.encode(), project=project, format="doccano", model_name="m", user=manager)
    problems = refused.value.problems
    assert len(problems) == 2 and "2" in problems[0] and "3" in problems[1], problems
    assert not any("Line" in problem for problem in problems), problems  # translated, numbers kept


def test_the_filter_refuses_bad_scores_and_other_projects_articles(project, analyst, other_analyst, client):
    client.force_login(analyst)
    url = reverse("recommenders:filter")
    for score in ("nan", "inf", "-1", "2", "x", ""):
        assert client.post(url, {"model_name": "", "min_score": score, "article": project.article.pk}).status_code == 400
    client.force_login(other_analyst)
    assert client.post(url, {"model_name": "", "min_score": "0.5", "article": project.article.pk}).status_code == 404
    assert client.post(url, {"model_name": "", "min_score": "0.5", "article": "999999"}).status_code == 404
    assert not PredictionFilter.objects.exists()


def test_a_huge_predictions_file_is_refused_before_it_is_read(project, manager, client, settings):
    settings.HAMISH_PREDICTIONS_MAX_BYTES = 100
    client.force_login(manager)
    upload = io.BytesIO(doccano_file())
    upload.name = "huge.jsonl"
    url = reverse("recommenders:predictions", args=[project.pk])
    response = client.post(url, {"file": upload, "model_name": "m", "format": "", "default_score": "1"})
    assert response.status_code == 200 and "a predictions file may hold at most 100" in response.content.decode()
    secret = ApiToken.issue(user=manager, name="t")[1]
    response = client.post(
        f"/api/v1/projects/{project.pk}/predictions",
        {"model": "m", "format": "doccano", "content": doccano_file().decode()},
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"
    assert not PredictionBatch.objects.exists() and not Prediction.objects.exists()


def test_the_api_prediction_messages_are_translated(project, manager, client):
    secret = ApiToken.issue(user=manager, name="t")[1]
    headers = {"Authorization": f"Bearer {secret}", "Accept-Language": "ar"}

    url = f"/api/v1/projects/{project.pk}/predictions"
    response = client.post(url, {"model": "m", "format": "xml", "content": "x"}, content_type="application/json", headers=headers)
    assert response.status_code == 422
    assert "Unknown format" not in response.json()["error"]["message"], response.json()
    response = client.post(
        url, {"model": "m", "format": "doccano", "content": "{bad"}, content_type="application/json", headers=headers
    )
    assert "nothing was stored" not in response.json()["error"]["message"], response.json()


def many_predictions(project, n):
    """n predictions of three models on the project's article, at places all over its paragraphs."""
    batch = PredictionBatch.objects.create(project=project, model_name="bulk", status=PredictionBatch.Status.DONE)
    label = project.labels.get(name="PER")
    paragraphs = list(project.article.paragraphs.values_list("pk", "text"))
    rows = []
    for k in range(n):
        pk, text = paragraphs[k % len(paragraphs)]
        start = (k // len(paragraphs)) % (len(text) - 3)
        rows.append(
            Prediction(
                project=project,
                batch=batch,
                paragraph_id=pk,
                start=start,
                end=start + 3,
                label=label,
                score=0.5 + (k % 50) / 100,
                model_name=f"model-{k % 3}",
            )
        )
    Prediction.objects.bulk_create(rows, batch_size=2000)


def test_the_reading_view_serves_models_suggestions_in_a_bounded_number_of_queries(project, analyst, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from recommenders.suggesting import MAX_OFFERED

    client.force_login(analyst)
    url = reverse("annotations:article", args=[project.article.pk])
    many_predictions(project, 10)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    many_predictions(project, 10_000)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert page.status_code == 200
    assert len(many) == len(few), [q["sql"][:120] for q in many]
    assert len(model_offered(analyst, project.article)) <= MAX_OFFERED


def test_accept_all_with_ten_thousand_predictions_is_bounded(project, analyst, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from annotations.suggestions import accept_all
    from recommenders import suggesting

    monkeypatch.setattr(suggesting, "MAX_OFFERED", 30)
    many_predictions(project, 10_000)
    PredictionFilter.objects.create(user=analyst, model_name="", min_score=0)
    with CaptureQueriesContext(connection) as queries:
        made = accept_all(user=analyst, article=project.article)
    assert 0 < made <= 30
    assert len(queries) < 30 * 40, len(queries)  # per accepted suggestion, not per prediction
