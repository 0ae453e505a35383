"""Managers run their project outside the admin (guidelines, access, members and roles, articles by search or by
outlet and dates, bounded), administrators create projects from a page; each URL by role: annotator, curator,
manager, administrator, non-member."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from corpus.models import Source
from projects import managing
from projects.models import Assignment, Membership, Project, Role
from tests.utils import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(django_user_model, admin):
    made = {
        name: django_user_model.objects.create_user(name, password="pass-12345-xyz")
        for name in ("annotator", "curator", "manager", "stranger", "newcomer")
    }
    made["admin"] = admin
    return made


@pytest.fixture
def study(people):
    project = Project.objects.create(name="دراسة الإدارة", guidelines="قديمة")
    for role in (Role.ANNOTATOR, Role.CURATOR, Role.MANAGER):
        Membership.objects.create(project=project, user=people[role.value], role=role)
    inside = make_article(["مقال داخل المشروع عن الموازنة"], title="داخل", source="الحرة")
    project.articles.add(inside)
    return project


def client_of(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def urls(project, membership):
    return {
        "manage": ("GET", reverse("projects:manage", args=[project.pk]), {}),
        "settings": ("POST", reverse("projects:manage_settings", args=[project.pk]), {"guidelines": "جديدة", "is_open": ""}),
        "member_add": ("POST", reverse("projects:member_add", args=[project.pk]), {"username": "newcomer", "role": "annotator"}),
        "member_role": ("POST", reverse("projects:member_role", args=[project.pk, membership.pk]), {"role": "curator"}),
        "member_remove": ("POST", reverse("projects:member_remove", args=[project.pk, membership.pk]), {}),
        "articles": (
            "POST",
            reverse("projects:articles_change", args=[project.pk]),
            {"action": "add", "source": Source.objects.get(name="الحرة").pk},
        ),
        "new": ("GET", reverse("projects:project_new"), {}),
    }


# Who gets what: the manager's pages are the project's managers' (and administrators'); a non-member is told
# nothing (404, as for every page of a closed project); "new project" is for administrators only.
EXPECTED = {
    "annotator": {
        "new": 403,
        **dict.fromkeys(["manage", "settings", "member_add", "member_role", "member_remove", "articles"], 403),
    },
    "curator": {
        "new": 403,
        **dict.fromkeys(["manage", "settings", "member_add", "member_role", "member_remove", "articles"], 403),
    },
    "stranger": {
        "new": 403,
        **dict.fromkeys(["manage", "settings", "member_add", "member_role", "member_remove", "articles"], 404),
    },
    "manager": {
        "new": 403,
        "manage": 200,
        "settings": 302,
        "member_add": 302,
        "member_role": 302,
        "member_remove": 302,
        "articles": 302,
    },
    "admin": {
        "new": 200,
        "manage": 200,
        "settings": 302,
        "member_add": 302,
        "member_role": 302,
        "member_remove": 302,
        "articles": 302,
    },
}


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_the_permission_matrix_of_every_new_url(study, people, who):
    from django.db import transaction

    target = Membership.objects.get(project=study, user=people["annotator"])
    for name, (method, url, data) in urls(study, target).items():
        with transaction.atomic():
            client = client_of(people[who])
            response = client.get(url, data) if method == "GET" else client.post(url, data)
            transaction.set_rollback(True)
        assert response.status_code == EXPECTED[who][name], f"{who} {name}: {response.status_code}"
        anonymous = client_of(None)
        answer = anonymous.get(url) if method == "GET" else anonymous.post(url, data)
        assert answer.status_code == 302 and "/login/" in answer["Location"], name
    if who in ("annotator", "curator", "stranger"):
        study.refresh_from_db()
        assert study.guidelines == "قديمة" and not Membership.objects.filter(user=people["newcomer"]).exists()


def test_a_manager_edits_guidelines_and_closes_or_opens_the_project(study, people):
    client = client_of(people["manager"])
    client.post(
        reverse("projects:manage_settings", args=[study.pk]),
        {"guidelines": "علّم الأشخاص فقط", "description": "<b>x</b>", "is_open": "on"},
    )
    study.refresh_from_db()
    assert study.guidelines == "علّم الأشخاص فقط" and study.is_open and study.description == "<b>x</b>"
    page = client.get(reverse("projects:manage", args=[study.pk])).text
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page
    client.post(reverse("projects:manage_settings", args=[study.pk]), {"guidelines": "", "description": ""})
    study.refresh_from_db()
    assert not study.is_open
    too_long = client.post(reverse("projects:manage_settings", args=[study.pk]), {"guidelines": "x" * 60_000})
    assert too_long.status_code == 400


def test_members_and_roles(study, people):
    client = client_of(people["manager"])
    add = reverse("projects:member_add", args=[study.pk])
    assert client.post(add, {"username": "newcomer", "role": "curator"}).status_code == 302
    assert Membership.objects.get(project=study, user=people["newcomer"]).role == Role.CURATOR
    again = client.post(add, {"username": "newcomer", "role": "annotator"})
    assert again.status_code == 400 and "already a member" in again.text
    nobody = client.post(add, {"username": "لا أحد", "role": "annotator"})
    assert nobody.status_code == 400 and "There is no user called" in nobody.text
    bad_role = client.post(add, {"username": "stranger", "role": "owner"})
    assert bad_role.status_code == 400 and not Membership.objects.filter(user=people["stranger"]).exists()
    # The last manager cannot step down or be removed: the project would be left without anyone to run it.
    own = Membership.objects.get(project=study, user=people["manager"])
    refused = client.post(reverse("projects:member_role", args=[study.pk, own.pk]), {"role": "annotator"})
    assert refused.status_code == 409 and "at least one manager" in refused.text
    refused = client.post(reverse("projects:member_remove", args=[study.pk, own.pk]))
    assert refused.status_code == 409 and Membership.objects.filter(pk=own.pk).exists()
    # A membership of another project is not reachable through this one.
    other = Project.objects.create(name="آخر")
    foreign = Membership.objects.create(project=other, user=people["stranger"], role=Role.MANAGER)
    answer = client.post(reverse("projects:member_remove", args=[study.pk, foreign.pk]))
    assert answer.status_code == 409 and Membership.objects.filter(pk=foreign.pk).exists()
    # Removing a member keeps their assignment and work; the removed annotator can no longer enter.
    annotator = Membership.objects.get(project=study, user=people["annotator"])
    Assignment.objects.create(project=study, article=study.articles.get(), annotator=people["annotator"])
    assert client.post(reverse("projects:member_remove", args=[study.pk, annotator.pk])).status_code == 302
    assert Assignment.objects.filter(annotator=people["annotator"]).exists()
    assert client_of(people["annotator"]).get(reverse("projects:project_detail", args=[study.pk])).status_code == 404


def test_articles_added_by_search_and_by_outlet_and_dates_bounded(study, people, monkeypatch):
    from corpus import search

    old = make_article(["خبر قديم عن الموازنة العامة"], title="قديم", source="الجزيرة")
    new = make_article(["خبر جديد عن الموازنة العامة"], title="جديد", source="الجزيرة")
    elsewhere = make_article(["خبر عن الطقس"], title="طقس", source="العربية")
    type(old).objects.filter(pk=old.pk).update(published_on=datetime.date(2024, 1, 5))
    type(new).objects.filter(pk=new.pk).update(published_on=datetime.date(2025, 3, 1))
    closed = Project.objects.create(name="مغلق")
    secret = make_article(["خبر سري عن الموازنة العامة"], title="سري", source="الجزيرة")
    closed.articles.add(secret)
    search.rebuild()
    client = client_of(people["manager"])
    url = reverse("projects:manage", args=[study.pk])
    preview = client.get(url, {"q": "الموازنة"})
    assert preview.status_code == 200
    found = {a.title for a in preview.context["preview"]["add"]["shown"]}
    assert found == {"قديم", "جديد"}  # not the closed project's article, not the one already in
    assert {a.title for a in preview.context["preview"]["remove"]["shown"]} == {"داخل"}
    change = reverse("projects:articles_change", args=[study.pk])
    jazeera = Source.objects.get(name="الجزيرة")
    answer = client.post(change, {"action": "add", "source": jazeera.pk, "published_from": "2025-01-01"}, follow=True)
    assert "1 article added." in answer.text
    assert set(study.articles.values_list("title", flat=True)) == {"داخل", "جديد"}
    client.post(change, {"action": "add", "q": "الموازنة"})
    assert set(study.articles.values_list("title", flat=True)) == {"داخل", "جديد", "قديم"}
    assert elsewhere not in study.articles.all() and secret not in study.articles.all()
    # Nothing named, a backwards range, junk: refused with a message, nothing changed.
    for data in (
        {"action": "add"},
        {"action": "add", "published_from": "2025-02-01", "published_to": "2024-01-01"},
        {"action": "add", "published_from": "tomorrow"},
        {"action": "explode", "q": "خبر"},
        {"action": "add", "source": "²"},
    ):
        refused = client.post(change, data)
        assert refused.status_code == 400 and refused.text, data
    assert study.articles.count() == 3
    # Bounded: more than MAX_ARTICLES_CHANGED matching is refused whole.
    monkeypatch.setattr(managing, "MAX_ARTICLES_CHANGED", 1)
    refused = client.post(change, {"action": "remove", "source": jazeera.pk})
    assert refused.status_code == 400 and "at most 1 at a time" in refused.text and study.articles.count() == 3
    monkeypatch.setattr(managing, "MAX_ARTICLES_CHANGED", 500)
    # Removing keeps the articles assigned in the project.
    Assignment.objects.create(project=study, article=new, annotator=people["annotator"])
    answer = client.post(change, {"action": "remove", "source": jazeera.pk}, follow=True)
    assert "1 article removed." in answer.text and "1 article is assigned in this project and stays." in answer.text
    assert set(study.articles.values_list("title", flat=True)) == {"داخل", "جديد"}


def test_administrators_create_projects_from_a_page(people, labels, polarities, categories):
    client = client_of(people["admin"])
    url = reverse("projects:project_new")
    form = client.get(url)
    assert form.status_code == 200 and form.context["form"].initial["labels"]
    answer = client.post(
        url,
        {
            "name": "  دراسة   جديدة ",
            "labels": [labels["PER"].pk],
            "polarities": [polarities["supports"].pk],
            "manager": "manager",
        },
    )
    project = Project.objects.get(name="دراسة جديدة")
    assert answer.status_code == 302 and answer["Location"] == reverse("projects:manage", args=[project.pk])
    assert list(project.labels.values_list("name", flat=True)) == ["PER"] and not project.categories.exists()
    assert project.memberships.get().user == people["manager"] and not project.is_open
    again = client.post(url, {"name": "دراسة جديدة"})
    assert again.status_code == 400 and "already a project" in again.text
    assert client.post(url, {"name": "x", "manager": "nobody"}).status_code == 400
    assert client.post(url, {"name": "y", "labels": ["²"]}).status_code == 400
    assert client_of(people["manager"]).post(url, {"name": "z"}).status_code == 403
    assert not Project.objects.filter(name__in=["x", "y", "z"]).exists()
