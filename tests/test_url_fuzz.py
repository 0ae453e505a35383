"""Junk into every URL of the URLconf: every path converter and every parameter a view reads, as GET and as POST,
anonymous, as an analyst and as an admin. Whatever arrives, the answer is never a 5xx nor an exception.

Each URL pattern is its own test with a few fixed examples (the values that were 500s, in every parameter at once)
and a few Hypothesis draws, so the file runs in under a minute; each example runs inside a rolled-back transaction,
so every example meets the same annotated article.
"""

import importlib
import inspect
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from django import forms as django_forms
from django.apps import apps
from django.contrib.auth import forms as auth_forms
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from annotations.boilerplate import mark_boilerplate
from annotations.models import (
    BoilerplateMark,
    Entity,
    Span,
    Stance,
    StanceEvidence,
    Topic,
)
from annotations.stances import Choice
from corpus.models import Article, Paragraph
from tests.utils import add_span, add_stance, make_article

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]
VIEW_SOURCES = sorted(
    {*ROOT.glob("*/views.py"), *ROOT.glob("*/views_*.py"), *ROOT.glob("*/views/*.py"), ROOT / "hamish" / "login.py"}
)

# What the views read from request.GET / request.POST by name (test_it_lists_every_parameter_the_views_read keeps
# this up to date), plus what Django's login and password views read; form fields are added from the form classes.
PARAMETERS = {
    "what",
    "action",
    "actor",
    "annotator",
    "article",
    "boilerplate",
    "clean",
    "format",
    "kind",
    "label",
    "new_entity",
    "page",
    "paragraph",
    "q",
    "source",
    "spans",
    "stance",
    "username",
    "version",
    "after",
    "project",
    "outlet",  # compare: the stance matrix's outlet filter
    "status",
    "password",
    "next",
    "old_password",
    "new_password1",
    "new_password2",
    "layer",
    "key",
    "start",
    "end",
    "polarity",
    "category",
    "next_anchor",
    "show",
    "a",
    "b",
    "other",  # entity merge: the entity merged into the page's one
    "merge_q",  # entity page: the merge picker's search
    "event",  # undo: the action (entity merge) to undo
    "by",  # reading view: whose spans "everyone's" shows (one annotator's id, or empty for all)
    "in_project",  # export: the articles of the project the analyst works in
    # projects.forms_manage: the manager's page and "new project"
    "role",
    "description",
    "guidelines",
    "is_open",
    "published_from",
    "published_to",
    "name",
    "labels",
    "polarities",
    "categories",
    "manager",
}
READ = re.compile(r"""(?:request\.(?:GET|POST)|params)(?:\.get\(|\[)["'](\w+)["']""")


def form_modules():
    """Django's auth forms and the forms.py of every app of this project."""
    local = [app for app in apps.get_app_configs() if Path(app.path).parent == ROOT and (Path(app.path) / "forms.py").exists()]
    return [auth_forms, *(importlib.import_module(f"{app.name}.forms") for app in local)]


def form_fields():
    names = set()
    for module in form_modules():
        for _, form in inspect.getmembers(module, inspect.isclass):
            if issubclass(form, django_forms.BaseForm) and form.__module__ == module.__name__:
                names |= set(form.base_fields)
    return names


NAMES = sorted(PARAMETERS | form_fields())

SPECIAL = [
    "",
    " ",
    "\x00",
    "1\x00",
    "²",
    "①",
    "٣",
    "٠١٢",
    "߁",
    "𝟗",
    "-1",
    "0",
    "00",
    "+1",
    "1.5",
    "1e3",
    "NaN",
    "inf",
    str(2**63 - 1),
    str(2**63),
    str(10**26),
    "9" * 400,
    "x" * 10_000,
    "٣" * 10_000,
    "ب" * 10_000,
    "\u202e" * 100,
    "me",
    "all",
    "mine",
    "on",
    "true",
    "1",
    "txt",
    "hamish",
    "conll",
    "doccano",
    "toggle",
    "mark",
    "unmark",
    "only",
    "hide",
    "entity:1",
    "topic:1",
    "name",
    "mention:1:0:3",
    "<script>",
    "'; --",
    "%",
    "_",
    "\\",
    "..",
    "/",
    "?",
]
# Sent to every parameter at once, on every URL, whatever Hypothesis draws: each of these was a 500 somewhere.
EVERYWHERE = ["\x00", "²", str(10**26)]
# And to the parameters that name things (an outlet, a user, a label, search text) with no id beside them: a
# junk article= or format= is refused first and would hide what a NUL in source= does (PostgreSQL refuses NUL).
NAMING = ["action", "actor", "annotator", "kind", "label", "new_entity", "q", "source", "username"]
IN_NAMES = ["\x00", "x" * 10_000]
# "@3": the world's fourth id (the world's ids are known only inside the test, and differ on PostgreSQL).
WORLD_ID = st.integers(0, 30).map(lambda i: f"@{i}")
# Unicode text without lone surrogates (which no URL or form can carry).
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
VALUE = st.one_of(WORLD_ID, st.sampled_from(SPECIAL), TEXT, st.integers(-(10**30), 10**30).map(str))


@pytest.fixture
def world(labels, polarities, categories, analyst, other_analyst, admin):
    """One annotated article: spans by two analysts, an entity, a stance on a topic, a boilerplate mark."""
    article = make_article()
    paragraph = article.paragraphs.get(position=2)
    add_span(paragraph, "دانا سترول", "PER", author=analyst)
    add_span(article.paragraphs.get(position=0), "العباسي", "PER", author=other_analyst)
    entity = Entity.objects.create(name="دانا سترول", label=labels["PER"])
    add_stance(
        paragraph,
        "لا تسعى لوجود عسكري دائم",
        author=analyst,
        holder=Choice("entity", entity.pk),
        target=Choice("name", name="الوجود العسكري"),
        polarity=polarities["opposes"],
    )
    mark_boilerplate(user=analyst, paragraph=article.paragraphs.get(position=1), category=categories["related"])
    ids = set()
    for model in (Article, Paragraph, Span, Entity, Stance, StanceEvidence, Topic, BoilerplateMark):
        ids |= set(model.objects.values_list("pk", flat=True))
    return sorted(str(pk) for pk in ids)


def url_patterns():
    """(route with converters, name, open to anonymous users) for every pattern; of the admin only its login page."""

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and (not route.startswith("admin/") or route == "admin/login/"):
                yield route, pattern.name, getattr(pattern.callback, "login_required", True) is False

    first = {}
    for route, name, is_open in walk(get_resolver().url_patterns, ""):
        first.setdefault(route, (route, name, is_open))  # a later pattern with the same route never answers
    return sorted(first.values(), key=lambda item: item[0])


ROUTES = url_patterns()
CONVERTER = re.compile(r"<(?:\w+:)?\w+>")
# Every route as an analyst and as an admin; anonymous users only where there is more than a login redirect.
CASES = [(route, who) for route, _, is_open in ROUTES for who in ("analyst", "admin", *(("anonymous",) if is_open else ()))]


@pytest.fixture(scope="module")
def client():
    """One client for the whole file: a new one loads the middleware again (WhiteNoise scans every static file)."""
    return Client()  # no CSRF checks: junk reaches the views, not the CSRF failure page


def answer(client, method, path, params, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.get(path, params, headers=headers) if method == "GET" else client.post(path, params, headers=headers)
    if response.streaming:  # an export fails while it streams, not when the view returns; reading it all closes it
        b"".join(response.streaming_content)
    return response.status_code


def with_every_dangerous_value(test):
    for value in EVERYWHERE:
        test = example(segment="@0", params=dict.fromkeys(NAMES, value), htmx=False)(test)
    for value in IN_NAMES:
        test = example(segment="@0", params=dict.fromkeys(NAMING, value), htmx=False)(test)
    return test


@pytest.mark.parametrize(("route", "who"), CASES)
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(segment=VALUE, params=st.dictionaries(st.sampled_from(NAMES), VALUE, max_size=8), htmx=st.booleans())
@with_every_dangerous_value
def test_it_never_answers_junk_with_a_server_error(route, who, segment, params, htmx, client, world, analyst, admin):
    def resolved(value):
        return world[int(value[1:]) % len(world)] if re.fullmatch(r"@[0-9]+", value) else value

    path = "/" + CONVERTER.sub(lambda _: quote(resolved(segment), safe=""), route)
    params = {name: resolved(value) for name, value in params.items()}
    user = {"analyst": analyst, "admin": admin}.get(who)
    with transaction.atomic():  # rolled back: every example meets the same world (and logout logs no one out for good)
        client.cookies.clear()
        if user is not None:
            client.force_login(user)
        for method in ("GET", "POST"):
            status = answer(client, method, path, params, htmx)
            assert status < 500, f"{method} {path} {params!r} as {who}: {status}"
        transaction.set_rollback(True)


def test_it_lists_every_parameter_the_views_read():
    assert set(NAMING) <= set(NAMES)
    read = set()
    for source in VIEW_SOURCES:
        read |= set(READ.findall(source.read_text(encoding="utf-8")))
    assert read <= set(NAMES), f"add {sorted(read - set(NAMES))} to PARAMETERS"


def test_it_walks_the_whole_urlconf():
    routes = {route for route, _, _ in ROUTES}
    assert {"", "articles/<id:pk>/", "export/download/", "audit/", "spans/<id:span_id>/update/", "undo/", "import/"} <= routes
    assert {"accounts/login/", "admin/login/"} <= {route for route, who in CASES if who == "anonymous"}
    assert not any(route.startswith("admin/") and route != "admin/login/" for route in routes)
