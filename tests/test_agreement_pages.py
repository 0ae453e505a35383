"""The agreement pages: pairs, everyone together, per article, and the drill-down, over the project's overlap
sample of finished articles; curators and managers only."""

import pytest
from django.urls import reverse

from projects import assigning
from projects.models import Membership, Project, Role
from tests.utils import add_span, make_article

pytestmark = pytest.mark.django_db

TEXT = "وزير الدفاع العراقي ثابت العباسي يلتقي لويد أوستن في واشنطن"


@pytest.fixture
def study(analyst, other_analyst, django_user_model, labels):
    curator = django_user_model.objects.create_user("curator1", password="curator-pass-123")
    project = Project.objects.create(name="دراسة الاتفاق")
    for user, role in ((analyst, Role.ANNOTATOR), (other_analyst, Role.ANNOTATOR), (curator, Role.CURATOR)):
        Membership.objects.create(project=project, user=user, role=role)
    article = make_article([TEXT], title="مقال الاتفاق")
    project.articles.add(article)
    assignments = assigning.assign(
        project=project, articles=[article], annotators=[analyst, other_analyst], by=curator, overlap=2, share=1.0
    )
    paragraph = article.paragraphs.get()
    # Both tag ثابت العباسي as PER; only analyst1 tags لويد أوستن; they disagree on واشنطن's label.
    for user in (analyst, other_analyst):
        add_span(paragraph, "ثابت العباسي", "PER", author=user)
    add_span(paragraph, "لويد أوستن", "PER", author=analyst)
    add_span(paragraph, "واشنطن", "LOC", author=analyst)
    add_span(paragraph, "واشنطن", "ORG", author=other_analyst)
    return {"project": project, "article": article, "curator": curator, "assignments": assignments}


def test_nothing_is_measured_until_two_annotators_are_done(client, study, analyst):
    client.force_login(study["curator"])
    url = reverse("projects:agreement", args=[study["project"].pk])
    assert "No article has been finished by two annotators yet." in client.get(url).content.decode()
    html = client.get(url, {"status": "any"}).content.decode()
    assert "Pairs of annotators" in html


def test_the_page_shows_pair_and_overall_figures(client, study, analyst, other_analyst):
    for assignment in study["assignments"]:
        assigning.mark_done(assignment=assignment, user=assignment.annotator)
    client.force_login(study["curator"])
    html = client.get(reverse("projects:agreement", args=[study["project"].pk])).content.decode()
    # Spans: a has 3, b has 2, exact matches 1 (ثابت العباسي): F1 = 2·1/(3+2) = 0.4; overlap (same label) also 1.
    row = html[html.index("<bdi>analyst1</bdi> · <bdi>analyst2</bdi></td><td>1</td>") :]
    cells = [c.split("<")[0] for c in row.split("<td>")[2:8]]
    assert cells[:2] == ["0.400", "0.400"]
    assert "PER: 0.667 / 0.667" in html  # PER: a 2, b 1, matched 1: 2/3
    assert "Krippendorff" in html and "2 annotators, 1 articles" in html
    assert f"?a={analyst.pk}&amp;b={other_analyst.pk}" in html


def test_the_drill_down_lists_the_disagreements_side_by_side(client, study, analyst, other_analyst):
    client.force_login(study["curator"])
    url = reverse("projects:disagreements", args=[study["project"].pk, study["article"].pk])
    html = client.get(url, {"a": analyst.pk, "b": other_analyst.pk}).content.decode()
    assert html.count("<tr><td>span</td>") == 2  # لويد أوستن on one side; واشنطن with another label
    assert "لويد أوستن" in html and "واشنطن" in html and "ثابت العباسي" not in html.split("<tbody>")[1]
    for junk in ({"a": "²", "b": other_analyst.pk}, {"a": analyst.pk, "b": analyst.pk}, {}):
        response = client.get(url, junk)
        assert response.status_code == 400 and "Choose two different annotators" in response.content.decode()


def test_annotators_may_not_see_agreement_and_strangers_not_the_project(client, study, analyst, django_user_model):
    client.force_login(analyst)
    assert client.get(reverse("projects:agreement", args=[study["project"].pk])).status_code == 403
    stranger = django_user_model.objects.create_user("stranger", password="s-pass-123456")
    client.force_login(stranger)
    assert client.get(reverse("projects:agreement", args=[study["project"].pk])).status_code == 404
    other_article = make_article(["مقال ليس في المشروع"])
    client.force_login(study["curator"])
    url = reverse("projects:disagreements", args=[study["project"].pk, other_article.pk])
    assert client.get(url, {"a": 1, "b": 2}).status_code == 404


def test_the_page_makes_a_bounded_number_of_queries(client, study, analyst, other_analyst, django_assert_max_num_queries, labels):
    for i in range(6):
        article = make_article([f"{TEXT} {i}"], title=f"مقال {i}")
        study["project"].articles.add(article)
        for assignment in assigning.assign(
            project=study["project"], articles=[article], annotators=[analyst, other_analyst], by=study["curator"], overlap=2
        ):
            add_span(article.paragraphs.get(), "ثابت العباسي", "PER", author=assignment.annotator)
    client.force_login(study["curator"])
    with django_assert_max_num_queries(20):
        assert client.get(reverse("projects:agreement", args=[study["project"].pk]), {"status": "any"}).status_code == 200
