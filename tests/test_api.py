"""The REST API (/api/v1/): tokens, the permission matrix, bad input on every endpoint, the round trip against the
reading view's htmx endpoints, the rate limit, and the OpenAPI document."""

import hashlib
import json
import re

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from annotations.models import AnnotationEvent, BoilerplateMark, Entity, Span, Stance
from annotations.stances import Choice
from api.models import ApiToken
from corpus.models import Article
from projects.models import Assignment, Membership, Project, Role, Status
from tests.utils import add_span, add_stance, annotation_snapshot, make_article

pytestmark = pytest.mark.django_db

V1 = "/api/v1"
SHAPE = {"code", "message", "details"}


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


class Api:
    """A client that sends one token (and, unless told, no session cookie)."""

    def __init__(self, secret, client=None):
        self.client, self.headers = client or Client(), bearer(secret) if secret else {}

    def call(self, method, path, data=None, **kwargs):
        url = path if path.startswith("/") else f"{V1}/{path}"
        send = getattr(self.client, method.lower())
        if method in ("GET", "DELETE"):
            return send(url, data or {}, headers=self.headers, **kwargs) if method == "GET" else send(
                url + (("?" + "&".join(f"{k}={v}" for k, v in data.items())) if data else ""), headers=self.headers)
        if kwargs.get("multipart"):
            return send(url, data, headers=self.headers)
        return send(url, json.dumps(data) if not isinstance(data, (str, bytes)) else data, content_type="application/json",
                    headers=self.headers)

    def get(self, path, data=None):
        return self.call("GET", path, data)

    def post(self, path, data=None):
        return self.call("POST", path, data)

    def patch(self, path, data=None):
        return self.call("PATCH", path, data)

    def delete(self, path, data=None):
        return self.call("DELETE", path, data)


def error_of(response, status):
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == SHAPE, body
    return body["error"]


def token_for(user, name="script"):
    return ApiToken.issue(user=user, name=name)[1]


@pytest.fixture
def world(labels, polarities, categories, analyst, other_analyst, admin):
    article = make_article()
    paragraph = article.paragraphs.get(position=2)
    span = add_span(paragraph, "دانا سترول", "PER", author=analyst)
    entity = Entity.objects.create(name="دانا سترول", label=labels["PER"])
    stance = add_stance(paragraph, "لا تسعى لوجود عسكري دائم", author=analyst, holder=Choice("entity", entity.pk),
                        target=Choice("name", name="الوجود العسكري"), polarity=polarities["opposes"])
    closed = make_article(["مقال في دراسة مغلقة لا يقرؤه الغرباء.", "فقرة ثانية."], source="الجزيرة")
    project = Project.objects.create(name="دراسة مغلقة")
    project.articles.add(closed)
    Membership.objects.create(project=project, user=other_analyst)
    return {"article": article, "paragraph": paragraph, "span": span, "entity": entity, "stance": stance,
            "closed": closed, "project": project, "labels": labels, "polarities": polarities, "categories": categories}


@pytest.fixture
def api(analyst):
    return Api(token_for(analyst))


@pytest.fixture
def other_api(other_analyst):
    return Api(token_for(other_analyst))


@pytest.fixture
def admin_api(admin):
    return Api(token_for(admin))


# --- tokens ---------------------------------------------------------------------------------------------------


def test_it_stores_only_the_hash_and_shows_the_secret_once(analyst_client, analyst):
    response = analyst_client.post(reverse("api:tokens"), {"name": "nightly export"})
    assert response.status_code == 200
    secret = re.search(r"hm_[A-Za-z0-9_-]{40,}", response.content.decode()).group(0)
    token = ApiToken.objects.get(user=analyst)
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:11] and secret not in json.dumps(list(ApiToken.objects.values_list()), default=str)
    again = analyst_client.get(reverse("api:tokens")).content.decode()
    assert secret not in again and token.prefix in again  # shown once; afterwards only its prefix
    assert "no-store" in response["Cache-Control"]
    assert Api(secret).get("projects").status_code == 200


def test_it_revokes_a_token_and_refuses_it_afterwards(analyst_client, analyst, world):
    token, secret = ApiToken.issue(user=analyst, name="old")
    assert Api(secret).get("projects").status_code == 200
    assert analyst_client.post(reverse("api:token_revoke", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert token.revoked
    error_of(Api(secret).get("projects"), 401)


def test_it_refuses_to_revoke_someone_elses_token(client, other_analyst, analyst):
    token, secret = ApiToken.issue(user=analyst, name="mine")
    client.force_login(other_analyst)
    assert client.post(reverse("api:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert not token.revoked


def test_it_refuses_a_nameless_token(analyst_client, analyst):
    for name in ("", "   ", "a\x00b", "x" * 101):
        assert analyst_client.post(reverse("api:tokens"), {"name": name}).status_code == 400
    assert not ApiToken.objects.exists()


def test_it_records_the_last_use(api, analyst, world):
    assert ApiToken.objects.get(user=analyst).last_used_at is None
    api.get("projects")
    assert ApiToken.objects.get(user=analyst).last_used_at is not None


# --- authentication and the permission matrix -------------------------------------------------------------------


def test_it_answers_401_without_a_token(world):
    for headers in ({}, {"Authorization": "Bearer"}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic YTpi"},
                    {"Authorization": "Bearer " + "x" * 5000}, {"Authorization": "Bearer hm_\x00"}):
        response = Client().get(f"{V1}/projects", headers=headers)
        assert error_of(response, 401)["code"] == "unauthorized"
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_session_cookie_alone_is_not_accepted(analyst_client, world):
    # The browser's session never authenticates the API: a page elsewhere cannot use it (CSRF), reads included.
    error_of(analyst_client.get(f"{V1}/projects"), 401)
    before = annotation_snapshot()
    paragraph = world["paragraph"]
    response = analyst_client.post(f"{V1}/spans", {"paragraph": paragraph.pk, "start": 0, "end": 5,
                                                   "quote": paragraph.text[:5], "label": "PER"}, content_type="application/json")
    error_of(response, 401)
    assert annotation_snapshot() == before


def test_an_inactive_users_token_is_refused(api, analyst, world):
    analyst.is_active = False
    analyst.save()
    error_of(api.get("projects"), 401)


def test_another_users_article_in_a_closed_project_is_404(api, other_api, world):
    closed = world["closed"]
    error_of(api.get(f"articles/{closed.pk}"), 404)
    error_of(api.get(f"articles/{closed.pk}/spans"), 404)
    assert closed.pk not in [a["id"] for a in api.get("articles").json()["results"]]
    error_of(api.get(f"projects/{world['project'].pk}"), 404)
    assert other_api.get(f"articles/{closed.pk}").status_code == 200  # a member reads it
    paragraph = closed.paragraphs.get(position=0)
    error_of(api.post("spans", {"paragraph": paragraph.pk, "start": 0, "end": 4, "quote": paragraph.text[:4], "label": "PER"}), 404)


def test_another_analysts_span_is_403(other_api, world):
    span = world["span"]
    before = annotation_snapshot()
    error_of(other_api.patch(f"spans/{span.pk}", {"label": "ORG"}), 403)
    error_of(other_api.delete(f"spans/{span.pk}"), 403)
    error_of(other_api.patch(f"stances/{world['stance'].pk}", {"note": "x"}), 403)
    error_of(other_api.delete(f"stances/{world['stance'].pk}"), 403)
    assert annotation_snapshot() == before


def test_an_admin_may_change_anyones(admin_api, world):
    span = world["span"]
    response = admin_api.patch(f"spans/{span.pk}", {"label": "ORG", "version": span.version})
    assert response.status_code == 200, response.content
    assert response.json()["label"] == "ORG"
    assert admin_api.get(f"articles/{world['closed'].pk}").status_code == 200
    assert admin_api.delete(f"spans/{span.pk}").status_code == 204
    assert not Span.objects.filter(pk=span.pk).exists()
