"""A project's vocabulary is enforced: read in a project, the reading view, the span card, the stance form and the
boilerplate card offer only the project's labels, polarities and categories, and the server refuses any other
(422 with a message) on the pages and in the API. The rule is in projects.scope."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from api.models import ApiToken
from projects.models import Membership, Project, Role
from projects.scope import ALL, CURRENT_PROJECT, allowed_in
from tests.utils import add_span, annotation_snapshot, make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def study(labels, polarities, categories, analyst):
    """A closed project that uses PER and LOC only, 'supports' and 'opposes', one boilerplate category."""
    project = Project.objects.create(name="دراسة المواقف")
    project.labels.set([labels["PER"], labels["LOC"]])
    project.polarities.set([polarities["supports"], polarities["opposes"]])
    first_category = sorted(categories)[0]
    project.categories.set([categories[first_category]])
    article = make_article()
    project.articles.add(article)
    Membership.objects.create(project=project, user=analyst, role=Role.ANNOTATOR)
    return project, article


def signed_in(user, project=None):
    client = Client()
    client.force_login(user)
    if project is not None:
        session = client.session
        session[CURRENT_PROJECT] = project.pk
        session.save()
    return client


def selection(paragraph, quote):
    start = paragraph.text.index(quote)
    return {"start": start, "end": start + len(quote), "quote": quote}


def test_the_picker_and_its_keys_offer_only_the_projects_labels(study, analyst):
    project, article = study
    page = signed_in(analyst).get(reverse("annotations:article", args=[article.pk]), {"project": project.pk})
    assert [label.name for label in page.context["labels"]] == ["PER", "LOC"]
    assert set(page.context["label_keys"].values()) == {"PER", "LOC"}


def test_a_label_outside_the_project_is_refused_with_a_message(study, analyst):
    project, article = study
    client = signed_in(analyst, project)
    paragraph = article.paragraphs.get(position=0)
    url = reverse("annotations:span_create", args=[paragraph.pk])
    before = annotation_snapshot()
    refused = client.post(url, {**selection(paragraph, "لويد أوستن"), "label": "ORG"}, headers={"HX-Request": "true"})
    assert refused.status_code == 422
    assert "is not one of this project's labels" in refused.text and "ORG" in refused.text
    assert annotation_snapshot() == before
    made = client.post(url, {**selection(paragraph, "لويد أوستن"), "label": "PER"}, headers={"HX-Request": "true"})
    assert made.status_code == 200
    # Relabelling to an outside label is refused too, and the span card offers only the project's labels.
    span = paragraph.spans.get()
    relabel = client.post(reverse("annotations:span_update", args=[span.pk]), {"label": "MISC"}, headers={"HX-Request": "true"})
    assert relabel.status_code == 422 and "MISC" in relabel.text
    card = client.get(reverse("annotations:span_card", args=[span.pk]))
    assert [label.name for label in card.context["labels"]] == ["PER", "LOC"]


def test_switching_to_all_my_projects_does_not_lift_the_rule(study, analyst):
    """Read "nowhere", the article is still in the analyst's only project that holds it: its sets apply."""
    project, article = study
    client = signed_in(analyst)
    session = client.session
    session[CURRENT_PROJECT] = ALL
    session.save()
    paragraph = article.paragraphs.get(position=0)
    refused = client.post(
        reverse("annotations:span_create", args=[paragraph.pk]),
        {**selection(paragraph, "لويد أوستن"), "label": "ORG"},
        headers={"HX-Request": "true"},
    )
    assert refused.status_code == 422


def test_the_stance_form_offers_and_accepts_only_the_projects_polarities(study, analyst):
    project, article = study
    client = signed_in(analyst, project)
    paragraph = article.paragraphs.get(position=2)
    quoted = selection(paragraph, "لا تسعى لوجود عسكري دائم")
    form = client.get(reverse("annotations:stance_new", args=[paragraph.pk]), quoted)
    assert form.status_code == 200
    assert sorted(p.name for p in form.context["polarities"]) == ["opposes", "supports"]
    data = {**quoted, "holder_name": "لويد أوستن", "holder_label": "PER", "target_name": "الوجود العسكري"}
    before = annotation_snapshot()
    refused = client.post(
        reverse("annotations:stance_create", args=[paragraph.pk]), {**data, "polarity": "neutral"}, headers={"HX-Request": "true"}
    )
    assert refused.status_code == 422 and "is not one of this project's polarities" in refused.text
    assert annotation_snapshot() == before
    made = client.post(
        reverse("annotations:stance_create", args=[paragraph.pk]), {**data, "polarity": "opposes"}, headers={"HX-Request": "true"}
    )
    assert made.status_code == 200


def test_the_boilerplate_card_offers_and_accepts_only_the_projects_categories(study, analyst, categories):
    project, article = study
    client = signed_in(analyst, project)
    paragraph = article.paragraphs.get(position=1)
    allowed_name = sorted(categories)[0]
    outside = next(name for name in sorted(categories) if name != allowed_name)
    card = client.get(reverse("annotations:boilerplate_card", args=[paragraph.pk]))
    assert [c.name for c in card.context["categories"]] == [allowed_name]
    url = reverse("annotations:boilerplate_change", args=[paragraph.pk])
    refused = client.post(url, {"action": "mark", "category": outside}, headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "is not one of this project's categories" in refused.text
    assert client.post(url, {"action": "mark", "category": allowed_name}, headers={"HX-Request": "true"}).status_code == 200


def test_the_api_refuses_what_the_project_does_not_use(study, analyst, categories):
    project, article = study
    secret = ApiToken.issue(user=analyst, name="script")[1]
    headers = {"Authorization": f"Bearer {secret}"}
    client = Client()
    paragraph = article.paragraphs.get(position=0)

    def post(route, data):
        return client.post(f"/api/v1/{route}", json.dumps(data), content_type="application/json", headers=headers)

    quote = "لويد أوستن"
    start = paragraph.text.index(quote)
    span = {"paragraph": paragraph.pk, "start": start, "end": start + len(quote), "quote": quote}
    refused = post("spans", {**span, "label": "ORG"})
    assert refused.status_code == 422 and "is not one of this project's labels" in refused.json()["error"]["message"]
    assert post("spans", {**span, "label": "PER"}).status_code == 201
    outside = next(name for name in sorted(categories) if name != sorted(categories)[0])
    refused = post("boilerplate", {"paragraph": article.paragraphs.get(position=1).pk, "category": outside})
    assert refused.status_code == 422
    third = article.paragraphs.get(position=2)
    quote = "لا تسعى لوجود عسكري دائم"
    start = third.text.index(quote)
    stance = {
        "evidence": [{"paragraph": third.pk, "start": start, "end": start + len(quote), "quote": quote}],
        "holder_name": "لويد أوستن",
        "target_name": "الوجود العسكري",
    }
    refused = post("stances", {**stance, "polarity": "neutral"})
    assert refused.status_code == 422 and "polarities" in refused.json()["error"]["message"]


def test_a_project_without_a_vocabulary_restricts_nothing(labels, analyst):
    project = Project.objects.create(name="بلا قيود")
    article = make_article()
    project.articles.add(article)
    Membership.objects.create(project=project, user=analyst, role=Role.ANNOTATOR)
    allowed = allowed_in(analyst, article.pk, project)
    assert allowed.labels is None and allowed.polarities is None and allowed.categories is None
    add_span(article.paragraphs.get(position=0), "لويد أوستن", "ORG", author=analyst)  # the services never ask


def test_an_article_in_two_projects_follows_the_one_it_is_read_in(study, analyst, labels):
    project, article = study
    other = Project.objects.create(name="مشروع آخر")
    other.labels.set([labels["ORG"]])
    other.articles.add(article)
    Membership.objects.create(project=other, user=analyst, role=Role.ANNOTATOR)
    assert allowed_in(analyst, article.pk, other).labels == {labels["ORG"].pk}
    assert allowed_in(analyst, article.pk, project).labels == {labels["PER"].pk, labels["LOC"].pk}
    assert allowed_in(analyst, article.pk, None).labels == {labels[n].pk for n in ("PER", "LOC", "ORG")}


# --- the current project: the switcher, and what follows it -------------------------------------------------


@pytest.fixture
def two_studies(labels, polarities, analyst, other_analyst):
    """Two closed projects the analyst is in, one article each (the same words in both), and a third project
    the analyst is not in."""
    from annotations.stances import Choice
    from tests.utils import add_stance

    first, second = Project.objects.create(name="الدراسة الأولى"), Project.objects.create(name="الدراسة الثانية")
    mine = make_article(["مقال الأولى عن الانتخابات البرلمانية", "فقرة ثانية"], title="عنوان الأولى", source="الحرة")
    theirs = make_article(["مقال الثانية عن الانتخابات البرلمانية", "فقرة أخرى"], title="عنوان الثانية", source="الجزيرة")
    first.articles.add(mine)
    second.articles.add(theirs)
    for project in (first, second):
        Membership.objects.create(project=project, user=analyst, role=Role.ANNOTATOR)
    closed = Project.objects.create(name="مغلق")
    hidden = make_article(["مقال مغلق عن الانتخابات البرلمانية"], title="عنوان مغلق")
    closed.articles.add(hidden)
    Membership.objects.create(project=closed, user=other_analyst, role=Role.MANAGER)
    for article, topic in ((mine, "الانتخابات الأولى"), (theirs, "الانتخابات الثانية")):
        add_stance(
            article.paragraphs.get(position=0),
            "الانتخابات البرلمانية",
            author=analyst,
            holder=Choice("name", name="لويد أوستن", label=labels["PER"]),
            target=Choice("name", name=topic),
            polarity=polarities["supports"],
        )
    return first, second, mine, theirs, hidden


def switch(client, project, next_url="/"):
    value = "all" if project is None else project.pk
    return client.post(reverse("projects:switch"), {"project": value, "next": next_url})


def test_the_corpus_list_follows_the_switcher(two_studies, analyst):
    first, second, mine, theirs, hidden = two_studies
    client = signed_in(analyst)
    url = reverse("corpus:article_list")
    everything = client.get(url).text
    assert "عنوان الأولى" in everything and "عنوان الثانية" in everything and "عنوان مغلق" not in everything
    answer = switch(client, first, url)
    assert answer.status_code == 302 and answer["Location"] == url
    page = client.get(url).text
    assert "عنوان الأولى" in page and "عنوان الثانية" not in page
    assert f'<option value="{first.pk}" selected>' in page  # the switcher shows where the analyst is
    switch(client, None, url)
    page = client.get(url).text
    assert "عنوان الأولى" in page and "عنوان الثانية" in page and '<option value="all" selected>' in page


def test_search_hits_of_another_project_do_not_leak(two_studies, analyst):
    from corpus import search

    first, second, mine, theirs, hidden = two_studies
    search.rebuild()
    client = signed_in(analyst)
    url = reverse("annotations:search")
    both = client.get(url, {"q": "الانتخابات"}).text
    assert "الأولى" in both and "الثانية" in both and "مغلق" not in both
    switch(client, second, url)
    page = client.get(url, {"q": "الانتخابات"}).text
    assert "الثانية" in page and "مقال الأولى" not in page and "مغلق" not in page


def test_the_stances_list_follows_the_switcher(two_studies, analyst):
    first, second, mine, theirs, hidden = two_studies
    client = signed_in(analyst)
    url = reverse("annotations:target_index")
    assert "الانتخابات الأولى" in client.get(url).text
    switch(client, second, url)
    page = client.get(url).text
    assert "الانتخابات الثانية" in page and "الانتخابات الأولى" not in page


def test_the_export_holds_only_the_current_projects_articles(two_studies, analyst):
    from jobs.models import Job

    first, second, mine, theirs, hidden = two_studies
    client = signed_in(analyst)
    switch(client, first, reverse("annotations:export"))
    page = client.get(reverse("annotations:export")).text
    assert f'name="in_project" value="{first.pk}"' in page and "Only the articles of the project you work in" in page
    answer = client.post(reverse("jobs:export_start"), {"format": "hamish", "article": "", "in_project": first.pk})
    assert answer.status_code == 302
    job = Job.objects.get()
    download = client.get(reverse("jobs:download", args=[job.pk]))
    document = json.loads(b"".join(download.streaming_content))
    assert [a["title"] for a in document["articles"]] == ["عنوان الأولى"]
    assert document["filter"]["project"] == first.name
    # A project the analyst is not in is no way round: the export is refused, nothing of it is written.
    closed = Project.objects.get(name="مغلق")
    refused = client.post(reverse("jobs:export_start"), {"format": "hamish", "article": "", "in_project": closed.pk})
    assert refused.status_code == 404 and Job.objects.count() == 1


def test_the_switcher_refuses_a_project_that_is_not_yours_and_foreign_next(two_studies, analyst):
    first, second, mine, theirs, hidden = two_studies
    closed = Project.objects.get(name="مغلق")
    client = signed_in(analyst)
    for value in (closed.pk, 999999, "nonsense", "", "²"):
        answer = client.post(reverse("projects:switch"), {"project": value, "next": "/"})
        assert answer.status_code == 400 and "no such project" in answer.text
    assert CURRENT_PROJECT not in client.session
    answer = switch(client, first, "https://evil.example/")
    assert answer.status_code == 302 and answer["Location"] == reverse("corpus:article_list")
    assert client.get(reverse("projects:switch")).status_code == 405
    assert Client().post(reverse("projects:switch"), {"project": first.pk}).status_code == 302  # to the login page


def test_suggestions_are_not_carried_from_another_projects_articles(labels, analyst):
    """The analyst tagged a statement in one study's article; its copy in another study's article gets no
    carried suggestion when read in that study, and does when read in "all my projects"."""
    import io

    from corpus.management.commands.setup_demo import Command as SetupDemo
    from corpus.models import Article

    SetupDemo(stdout=io.StringIO()).load_corpus()
    seeds = {a.original_filename.rsplit("/", 1)[-1][:3]: a for a in Article.objects.all()}
    tagged_in, read_in = Project.objects.create(name="أ"), Project.objects.create(name="ب")
    tagged_in.articles.add(seeds["000"])
    read_in.articles.add(seeds["003"])
    for project in (tagged_in, read_in):
        Membership.objects.create(project=project, user=analyst, role=Role.ANNOTATOR)
    statement = next(p for p in seeds["000"].paragraphs.all() if p.text.startswith("وأشار بيان مشترك"))
    add_span(statement, "سيليست واندر", "PER", author=analyst)
    copy = next(p for p in seeds["003"].paragraphs.all() if p.text.startswith("وأشار بيان مشترك"))
    client = signed_in(analyst)
    url = reverse("annotations:article", args=[seeds["003"].pk])

    def carried(page):
        paragraph = next(p for p in page.context["paragraphs"] if p.pk == copy.pk)
        return [s for s in paragraph.suggestions if s.reason.startswith("your tag in")]

    assert carried(client.get(url))  # all my projects: carried
    assert carried(client.get(url, {"project": tagged_in.pk}))  # not in that project: the union of mine
    assert not carried(client.get(url, {"project": read_in.pk}))
    switch(client, read_in, url)
    assert not carried(client.get(url))
