"""Projects: members and roles, assignment (by hand, round-robin, k-overlap), my queue, done and reopened
articles (read-only meanwhile), the progress page, and the default project the existing corpus moved into."""

import importlib

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from annotations.models import AnnotationEvent, Span
from annotations.spans import update_span
from projects import assigning
from projects.models import Assignment, Membership, Project, Role, Status, StatusEvent
from tests.utils import add_span, make_article

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def project(analyst, other_analyst):
    project = Project.objects.create(name="دراسة الحرة")
    Membership.objects.create(project=project, user=analyst, role=Role.ANNOTATOR)
    Membership.objects.create(project=project, user=other_analyst, role=Role.ANNOTATOR)
    return project


@pytest.fixture
def manager(django_user_model, project):
    user = django_user_model.objects.create_user("manager1", password="manager-pass-123")
    Membership.objects.create(project=project, user=user, role=Role.MANAGER)
    return user


def articles_in(project, n):
    made = [make_article([f"فقرة رقم {i} من مقال عن العراق وواشنطن والتعاون الأمني"], title=f"مقال {i}") for i in range(n)]
    project.articles.add(*made)
    return made


def tag(user, article, labels, word="العراق"):
    return add_span(article.paragraphs.get(), word, author=user)


# --- assignment ---------------------------------------------------------------------------------------------


def test_round_robin_gives_each_article_to_one_annotator_in_turn(project, analyst, other_analyst, manager):
    articles = articles_in(project, 5)
    made = assigning.assign(project=project, articles=articles, annotators=[analyst, other_analyst], by=manager)
    assert [(a.article_id, a.annotator_id) for a in made] == [
        (articles[0].pk, analyst.pk), (articles[1].pk, other_analyst.pk), (articles[2].pk, analyst.pk),
        (articles[3].pk, other_analyst.pk), (articles[4].pk, analyst.pk),
    ]  # fmt: skip
    # The queue keeps the order they were given in.
    assert [a.article_id for a in assigning.queue_of(analyst, project)] == [articles[0].pk, articles[2].pk, articles[4].pk]


def test_each_article_to_k_annotators_for_a_share_of_the_articles(project, analyst, other_analyst, manager, django_user_model):
    third = django_user_model.objects.create_user("analyst3", password="x-pass-123456")
    Membership.objects.create(project=project, user=third)
    articles = articles_in(project, 10)
    made = assigning.assign(
        project=project, articles=articles, annotators=[analyst, other_analyst, third], by=manager, overlap=2, share=0.4, seed=7
    )
    per_article = {}
    for assignment in made:
        per_article.setdefault(assignment.article_id, set()).add(assignment.annotator_id)
    sizes = sorted(len(users) for users in per_article.values())
    assert len(per_article) == 10 and sizes == [1] * 6 + [2] * 4  # 40% of the articles twice, the rest once
    # Work is spread: 14 assignments over 3 annotators, each gets 4 or 5.
    counts = sorted(Assignment.objects.filter(project=project).values_list("annotator_id", flat=True))
    assert sorted(counts.count(u.pk) for u in (analyst, other_analyst, third)) == [4, 5, 5]


def test_assigning_again_never_gives_an_article_twice_to_one_annotator(project, analyst, manager):
    articles = articles_in(project, 3)
    assigning.assign(project=project, articles=articles, annotators=[analyst], by=manager)
    assert assigning.assign(project=project, articles=articles, annotators=[analyst], by=manager) == []
    assert Assignment.objects.count() == 3


def test_articles_outside_the_project_or_a_bad_k_are_refused_and_nothing_is_made(project, analyst, manager):
    outside = make_article(["مقال خارج المشروع تماما"])
    with pytest.raises(ValidationError, match="not in this project"):
        assigning.assign(project=project, articles=[outside], annotators=[analyst], by=manager)
    with pytest.raises(ValidationError, match="1 to 1"):
        assigning.assign(project=project, articles=articles_in(project, 1), annotators=[analyst], by=manager, overlap=2)
    assert not Assignment.objects.exists()


# --- status -------------------------------------------------------------------------------------------------


def test_the_first_annotation_puts_an_assignment_in_progress_with_an_event(project, analyst, manager, labels):
    [article] = articles_in(project, 1)
    [assignment] = assigning.assign(project=project, articles=[article], annotators=[analyst], by=manager)
    tag(analyst, article, labels)
    assignment.refresh_from_db()
    assert assignment.status == Status.IN_PROGRESS
    assert list(StatusEvent.objects.values_list("actor", "before", "after")) == [(analyst.pk, "new", "in_progress")]


def test_a_done_article_is_read_only_for_its_annotator_until_reopened(project, analyst, other_analyst, manager, labels):
    [article] = articles_in(project, 1)
    [assignment] = assigning.assign(project=project, articles=[article], annotators=[analyst], by=manager)
    span = tag(analyst, article, labels)
    assigning.mark_done(assignment=assignment, user=analyst)
    events = AnnotationEvent.objects.count()

    with pytest.raises(ValidationError, match="read-only"):
        update_span(user=analyst, span=span, label=labels["ORG"], version=span.version)
    with pytest.raises(ValidationError, match="read-only"):
        tag(analyst, article, labels, word="واشنطن")
    span.refresh_from_db()
    assert span.label == labels["PER"] and Span.objects.count() == 1 and AnnotationEvent.objects.count() == events
    # Someone without an assignment of it is not held back by another's "done".
    tag(other_analyst, article, labels)

    assigning.reopen(assignment=assignment, user=analyst)
    update_span(user=analyst, span=span, label=labels["ORG"], version=span.version)
    assert list(StatusEvent.objects.values_list("before", "after")) == [
        ("new", "in_progress"), ("in_progress", "done"), ("done", "in_progress"),
    ]  # fmt: skip


def test_a_stale_copy_cannot_mark_done_twice_or_reopen_what_is_open(project, analyst, manager):
    [article] = articles_in(project, 1)
    [assignment] = assigning.assign(project=project, articles=[article], annotators=[analyst], by=manager)
    stale = Assignment.objects.get(pk=assignment.pk)
    assigning.mark_done(assignment=assignment, user=analyst)
    with pytest.raises(ValidationError, match="already marked done"):
        assigning.mark_done(assignment=stale, user=analyst)  # re-read under the lock: it is done
    assigning.reopen(assignment=stale, user=analyst)
    with pytest.raises(ValidationError, match="Only a done article"):
        assigning.reopen(assignment=assignment, user=analyst)
    assert StatusEvent.objects.count() == 2


def test_only_the_annotator_marks_done_and_a_manager_may_reopen(project, analyst, other_analyst, manager):
    [article] = articles_in(project, 1)
    [assignment] = assigning.assign(project=project, articles=[article], annotators=[analyst], by=manager)
    with pytest.raises(ValidationError, match="another annotator"):
        assigning.mark_done(assignment=assignment, user=other_analyst)
    assigning.mark_done(assignment=assignment, user=analyst)
    with pytest.raises(ValidationError, match="another annotator"):
        assigning.reopen(assignment=assignment, user=other_analyst)
    assigning.reopen(assignment=assignment, user=manager)
    assert Assignment.objects.get().status == Status.IN_PROGRESS


# --- pages --------------------------------------------------------------------------------------------------


def test_my_queue_lists_my_articles_in_order_with_status(client, project, analyst, other_analyst, manager):
    articles = articles_in(project, 4)
    assigning.assign(project=project, articles=articles, annotators=[analyst, other_analyst], by=manager)
    client.force_login(analyst)
    html = client.get(reverse("projects:project_detail", args=[project.pk])).content.decode()
    assert "0 of 2 done." in html
    assert html.index("مقال 0") < html.index("مقال 2") and "مقال 1" not in html
    assert f'href="/articles/{articles[0].pk}/?project={project.pk}"' in html


def test_next_goes_to_the_next_unfinished_article_and_says_when_none_is_left(client, project, analyst, manager):
    articles = articles_in(project, 3)
    made = assigning.assign(project=project, articles=articles, annotators=[analyst], by=manager)
    assigning.mark_done(assignment=made[1], user=analyst)
    client.force_login(analyst)
    url = reverse("projects:next_article", args=[project.pk])
    response = client.get(url, {"after": articles[0].pk})
    assert response.url == f"/articles/{articles[2].pk}/?project={project.pk}"  # the done one is skipped
    assigning.mark_done(assignment=made[0], user=analyst)
    assigning.mark_done(assignment=made[2], user=analyst)
    response = client.get(url, {"after": "²"}, follow=True)
    assert "Nothing left in your queue" in response.content.decode()


def test_mark_done_and_reopen_through_htmx(client, project, analyst, manager):
    [article] = articles_in(project, 1)
    [assignment] = assigning.assign(project=project, articles=[article], annotators=[analyst], by=manager)
    client.force_login(analyst)
    response = client.post(reverse("projects:mark_done", args=[assignment.pk]), headers=HTMX)
    assert response.status_code == 200 and "read-only" in response.content.decode()
    assert "Marked done" in response["HX-Trigger"]
    again = client.post(reverse("projects:mark_done", args=[assignment.pk]), headers=HTMX)
    assert again.status_code == 409 and again.content.decode() == "This article is already marked done."
    response = client.post(reverse("projects:reopen", args=[assignment.pk]), headers=HTMX)
    assert response.status_code == 200 and "Mark done" in response.content.decode()
    assert client.get(reverse("projects:mark_done", args=[assignment.pk])).status_code == 405


def test_the_manager_assigns_through_the_page_and_sees_progress(client, project, analyst, other_analyst, manager, labels):
    articles = articles_in(project, 4)
    client.force_login(manager)
    response = client.post(
        reverse("projects:assign", args=[project.pk]),
        {
            "which": "unassigned",
            "annotators": [analyst.pk, other_analyst.pk],
            "mode": "round_robin",
        },
    )
    assert response.status_code == 302 and Assignment.objects.count() == 4
    tag(analyst, articles[0], labels)
    assigning.mark_done(assignment=Assignment.objects.get(article=articles[0]), user=analyst)
    html = client.get(reverse("projects:progress", args=[project.pk])).content.decode()
    assert '<title id="done-chart-title">' in html
    row = html[html.index("analyst1") :]
    assert [cell.split("<")[0] for cell in row.split("<td>")[1:6]] == ["2", "1", "0", "1", "1"]
    filtered = client.get(reverse("projects:progress", args=[project.pk]), {"status": "done"}).content.decode()
    assert "مقال 0" in filtered and "مقال 1" not in filtered


def test_bad_assign_input_is_a_message_and_changes_nothing(client, project, analyst, manager):
    articles_in(project, 2)
    client.force_login(manager)
    response = client.post(
        reverse("projects:assign", args=[project.pk]),
        {
            "which": "source",
            "annotators": [analyst.pk],
            "mode": "overlap",
            "overlap": "ثلاثة",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose the outlet" in html and "Enter a whole number" in html
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("who", ["analyst", "other_analyst", "stranger"])
def test_only_managers_assign_or_see_progress_and_strangers_see_nothing(client, project, who, request, django_user_model):
    user = (
        django_user_model.objects.create_user("stranger", password="s-pass-123456")
        if who == "stranger"
        else request.getfixturevalue(who)
    )
    client.force_login(user)
    expected = 404 if who == "stranger" else 403  # a project one is not in does not exist for them
    for name in ("projects:assign", "projects:progress"):
        assert client.get(reverse(name, args=[project.pk])).status_code == expected
    assert client.get(reverse("projects:project_detail", args=[project.pk])).status_code == (404 if who == "stranger" else 200)
    listed = client.get(reverse("projects:project_list")).content.decode()
    assert ("دراسة الحرة" in listed) == (who != "stranger")


def test_another_annotators_assignment_cannot_be_changed(client, project, analyst, other_analyst, manager):
    [article] = articles_in(project, 1)
    [assignment] = assigning.assign(project=project, articles=[article], annotators=[analyst], by=manager)
    client.force_login(other_analyst)
    response = client.post(reverse("projects:mark_done", args=[assignment.pk]), headers=HTMX)
    assert response.status_code == 409 and Assignment.objects.get().status == Status.NEW


def test_the_migration_files_the_existing_corpus_in_one_open_project(labels):
    migration = importlib.import_module("projects.migrations.0002_default_project")
    from django.apps import apps

    article = make_article()
    Project.objects.all().delete()
    migration.create_default_project(apps, None)
    project = Project.objects.get()
    assert project.name == "Shared corpus" and project.is_open
    assert list(project.articles.all()) == [article]
    assert set(project.labels.values_list("name", flat=True)) >= {"PER", "ORG", "LOC"}


def test_k_may_be_typed_in_arabic_indic_digits_but_not_above_the_annotators_chosen(client, project, analyst, manager):
    articles_in(project, 2)
    client.force_login(manager)
    response = client.post(
        reverse("projects:assign", args=[project.pk]),
        {
            "which": "all",
            "annotators": [analyst.pk],
            "mode": "overlap",
            "overlap": "٣",  # a number, meant as one
        },
    )
    assert response.status_code == 400
    assert "k cannot be more than the number of annotators chosen." in response.content.decode()
    assert not Assignment.objects.exists()


def test_the_reading_view_loads_the_status_bar_of_my_assignment(client, project, analyst, other_analyst, manager):
    [article] = articles_in(project, 1)
    [assignment] = assigning.assign(project=project, articles=[article], annotators=[analyst], by=manager)
    client.force_login(analyst)
    page = client.get(reverse("annotations:article", args=[article.pk]), {"project": project.pk}).content.decode()
    assert f'hx-get="/articles/{article.pk}/assignment/?project={project.pk}"' in page
    bar = client.get(reverse("projects:article_status", args=[article.pk]), {"project": "junk²"}).content.decode()
    assert f'action="/assignments/{assignment.pk}/done/"' in bar and "data-next-article" in bar
    client.force_login(other_analyst)  # not assigned: an empty bar
    bar = client.get(reverse("projects:article_status", args=[article.pk]), {"project": project.pk}).content.decode()
    assert bar == '<div id="assignment-status"></div>'


# --- closed projects: nothing leaks --------------------------------------------------------------------------


@pytest.fixture
def closed_article(project):
    article = make_article(["سرّي: مقال في دراسة مغلقة عن العراق"], title="مقال مغلق", source="مصدر خاص")
    project.articles.add(article)
    return article


def test_a_closed_projects_articles_are_read_by_its_members_only(
    client, project, closed_article, analyst, admin, django_user_model
):
    stranger = django_user_model.objects.create_user("stranger", password="s-pass-123456")
    unfiled = make_article(["مقال خارج كل مشروع"], title="مقال مشترك")
    from corpus.models import Article

    assert set(Article.objects.for_reader(analyst)) == {closed_article, unfiled}
    assert set(Article.objects.for_reader(stranger)) == {unfiled}
    assert set(Article.objects.for_reader(admin)) == {closed_article, unfiled}
    # Also in an open project: then everyone reads it.
    Project.objects.create(name="مفتوح", is_open=True).articles.add(closed_article)
    assert set(Article.objects.for_reader(stranger)) == {closed_article, unfiled}


def test_no_page_search_or_export_shows_a_closed_article_to_a_stranger(
    client, project, closed_article, django_user_model, labels
):
    from corpus import search

    stranger = django_user_model.objects.create_user("stranger", password="s-pass-123456")
    paragraph = closed_article.paragraphs.get()
    search.rebuild()
    client.force_login(stranger)
    assert client.get(reverse("annotations:article", args=[closed_article.pk])).status_code == 404
    assert client.get(reverse("annotations:paragraph_versions", args=[paragraph.pk])).status_code == 404
    assert client.post(reverse("annotations:span_create", args=[paragraph.pk]), {}).status_code == 404
    assert "مقال مغلق" not in client.get(reverse("corpus:article_list")).content.decode()
    assert "سرّي" not in client.get(reverse("annotations:search"), {"q": "العراق"}).content.decode()
    export = client.get(reverse("annotations:export_download"), {"format": "hamish"})
    assert "سرّي" not in b"".join(export.streaming_content).decode()
    assert (
        client.get(reverse("annotations:export_download"), {"format": "hamish", "article": closed_article.pk}).status_code == 404
    )
    # The member reads and searches it.
    client.force_login(project.memberships.first().user)
    assert client.get(reverse("annotations:article", args=[closed_article.pk])).status_code == 200
    assert "سرّي" in client.get(reverse("annotations:search"), {"q": "العراق"}).content.decode()


@pytest.mark.parametrize("junk", ["²", str(10**26), "-1", "\x00"])
def test_junk_ids_in_the_assign_form_are_refused_by_name(client, project, analyst, manager, junk):
    articles_in(project, 1)
    client.force_login(manager)
    for data in (
        {"which": "source", "source": junk, "annotators": [analyst.pk], "mode": "round_robin"},
        {"which": "all", "annotators": [analyst.pk, junk], "mode": "round_robin"},
    ):
        response = client.post(reverse("projects:assign", args=[project.pk]), data)
        assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert not Assignment.objects.exists()


def test_a_done_article_does_not_hold_back_writes_to_annotations_that_are_not_the_actors(
    project, analyst, other_analyst, manager, labels, admin
):
    [article] = articles_in(project, 1)
    [mine] = assigning.assign(project=project, articles=[article], annotators=[admin], by=manager)
    theirs = tag(other_analyst, article, labels)
    assigning.mark_done(assignment=mine, user=admin)
    # The admin marked the article done as an annotator; fixing another analyst's span is not their own work.
    update_span(user=admin, span=theirs, label=labels["ORG"], version=theirs.version)
    with pytest.raises(ValidationError, match="read-only"):
        tag(admin, article, labels, word="واشنطن")
