"""Attacks, each a test that fails if the hole reopens: every URL's permissions, CSRF on every write,
stored XSS in every user-supplied string, IDOR by id, login rate limiting."""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from annotations.models import Entity, EntityAlias, Label, Span, Stance, Topic
from annotations.stances import Choice
from corpus.models import Article, Source
from tests.utils import add_span, add_stance, annotation_snapshot, import_bytes, make_article

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def url_names():
    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                # The admin has its own login and permission checks; the API (api:v1) takes tokens, not sessions,
                # and has its own matrix in tests/test_api.py.
                if pattern.namespace not in ("admin", "v1"):
                    yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return set(walk(get_resolver().url_patterns))


@pytest.fixture
def world(labels, polarities, categories, analyst, other_analyst, admin):
    article = make_article()
    paragraph = article.paragraphs.get(position=2)
    span = add_span(paragraph, "دانا سترول", "PER", author=analyst)
    entity = Entity.objects.create(name="دانا سترول", label=labels["PER"])
    stance = add_stance(
        paragraph,
        "لا تسعى لوجود عسكري دائم",
        author=analyst,
        holder=Choice("entity", entity.pk),
        target=Choice("name", name="الوجود العسكري"),
        polarity=polarities["opposes"],
    )
    from jobs.models import Job

    job = Job.objects.create(kind=Job.Kind.EXPORT, user=analyst, parameters={"format": "hamish"})  # queued, never run
    from projects.models import Assignment, Membership, Project

    project = Project.objects.create(name="دراسة مغلقة")  # closed; strangers to it: tests/test_projects.py
    project.articles.add(article)
    Membership.objects.create(project=project, user=analyst)
    Membership.objects.create(project=project, user=other_analyst)
    membership = Membership.objects.get(project=project, user=analyst)
    assignment = Assignment.objects.create(project=project, article=article, annotator=analyst)
    return {
        "project": project.pk,
        "membership": membership.pk,
        "assignment": assignment.pk,
        "job": job.pk,
        "article": article.pk,
        "paragraph": paragraph.pk,
        "span": span.pk,
        "stance": stance.pk,
        "evidence": stance.evidence.get().pk,
        "entity": entity.pk,
        "topic": stance.target_topic_id,
        "language": "ar",
    }


# name: (method, url arguments from the world, statuses for anonymous, analyst (owner), other analyst, admin)
OK, REDIRECT = 200, 302
MATRIX = {
    "login": ("GET", [], (200, 302, 302, 302)),  # signed-in users are sent on
    "logout": ("POST", [], (302, 302, 302, 302)),
    "password_change": ("GET", [], (REDIRECT, OK, OK, OK)),
    "password_change_done": ("GET", [], (REDIRECT, OK, OK, OK)),
    # The language switch is open to anonymous visitors (the login page's language); posted empty: no language.
    "accounts:switch_language": ("POST", [], (400, 400, 400, 400)),
    "accounts:preferences": ("GET", [], (REDIRECT, OK, OK, OK)),
    "corpus:article_list": ("GET", [], (REDIRECT, OK, OK, OK)),
    "corpus:import": ("GET", [], (REDIRECT, 403, 403, OK)),
    "corpus:shared": ("GET", [], (REDIRECT, OK, OK, OK)),
    "annotations:article": ("GET", ["article"], (REDIRECT, OK, OK, OK)),
    "annotations:clean_text": ("GET", ["article"], (REDIRECT, OK, OK, OK)),
    "annotations:span_create": ("POST", ["paragraph"], (REDIRECT, 422, 422, 422)),
    "annotations:span_card": ("GET", ["span"], (REDIRECT, OK, OK, OK)),
    "annotations:span_update": ("POST", ["span"], (REDIRECT, OK, 403, OK)),
    "annotations:span_delete": ("POST", ["span"], (REDIRECT, OK, 403, OK)),
    "annotations:undo": ("POST", [], (REDIRECT, 200, 409, 409)),
    # What undo would take back (JSON): the owner's last action; the others have none.
    "annotations:undo_preview": ("GET", [], (REDIRECT, OK, 409, 409)),
    # The JavaScript interface strings: open to anonymous visitors (the login page loads them too).
    "javascript_catalog": ("GET", ["language"], (OK, OK, OK, OK)),
    "annotations:stance_new": ("GET", ["paragraph"], (REDIRECT, 422, 422, 422)),
    "annotations:stance_create": ("POST", ["paragraph"], (REDIRECT, 422, 422, 422)),
    "annotations:stance_card": ("GET", ["stance"], (REDIRECT, OK, OK, OK)),
    "annotations:stance_update": ("POST", ["stance"], (REDIRECT, 422, 403, 422)),
    "annotations:stance_delete": ("POST", ["stance"], (REDIRECT, OK, 403, OK)),
    "annotations:evidence_add": ("POST", ["stance"], (REDIRECT, 422, 403, 422)),
    "annotations:evidence_remove": ("POST", ["evidence"], (REDIRECT, 422, 403, 422)),  # the last passage stays
    "annotations:target_index": ("GET", [], (REDIRECT, OK, OK, OK)),
    "annotations:topic_detail": ("GET", ["topic"], (REDIRECT, OK, OK, OK)),
    "annotations:entity_target_detail": ("GET", ["entity"], (REDIRECT, OK, OK, OK)),
    "annotations:boilerplate_card": ("GET", ["paragraph"], (REDIRECT, OK, OK, OK)),
    "annotations:boilerplate_change": ("POST", ["paragraph"], (REDIRECT, 422, 422, 422)),
    "annotations:suggestion_decide": ("POST", ["paragraph"], (REDIRECT, 422, 422, 422)),
    "annotations:suggestion_accept_all": ("POST", ["article"], (REDIRECT, 204, 204, 204)),
    "annotations:paragraph_versions": ("GET", ["paragraph"], (REDIRECT, OK, OK, OK)),
    "annotations:entity_search": ("GET", [], (REDIRECT, OK, OK, OK)),
    "annotations:entity_detail": ("GET", ["entity"], (REDIRECT, OK, OK, OK)),
    # Posted empty: no entity picked, no merge named, no spelling typed (422); no alias of that id (404).
    "annotations:entity_merge": ("POST", ["entity"], (REDIRECT, 422, 422, 422)),
    "annotations:entity_merge_undo": ("POST", ["entity"], (REDIRECT, 422, 422, 422)),
    "annotations:entity_alias_add": ("POST", ["entity"], (REDIRECT, 422, 422, 422)),
    "annotations:entity_alias_remove": ("POST", ["entity", "entity"], (REDIRECT, 404, 404, 404)),
    "favicon": ("GET", [], (301, 301, 301, 301)),  # to the static icon, for anyone
    "annotations:label_styles": ("GET", [], (REDIRECT, OK, OK, OK)),
    "annotations:search": ("GET", [], (REDIRECT, OK, OK, OK)),
    "annotations:audit_log": ("GET", [], (REDIRECT, 403, 403, OK)),
    "annotations:export": ("GET", [], (REDIRECT, OK, OK, OK)),
    "annotations:export_download": ("GET", [], (REDIRECT, OK, OK, OK)),
    "annotations:export_schema": ("GET", [], (REDIRECT, OK, OK, OK)),
    # Background jobs: the world's job is the analyst's queued export; another analyst's is 404 (not theirs).
    "projects:project_list": ("GET", [], (REDIRECT, OK, OK, OK)),
    "projects:switch": ("POST", [], (REDIRECT, 400, 400, 400)),  # no project named
    "projects:project_new": ("GET", [], (REDIRECT, 403, 403, OK)),  # administrators create projects
    "projects:manage": ("GET", ["project"], (REDIRECT, 403, 403, OK)),  # managers (and admins) run them
    "projects:manage_settings": ("POST", ["project"], (REDIRECT, 403, 403, REDIRECT)),  # empty is valid: saved
    "projects:member_add": ("POST", ["project"], (REDIRECT, 403, 403, 400)),  # no user named
    "projects:member_role": ("POST", ["project", "membership"], (REDIRECT, 403, 403, 400)),  # no role named
    "projects:member_remove": ("POST", ["project", "membership"], (REDIRECT, 403, 403, REDIRECT)),
    "projects:articles_change": ("POST", ["project"], (REDIRECT, 403, 403, 400)),  # no action, no filter
    "projects:project_detail": ("GET", ["project"], (REDIRECT, OK, OK, OK)),
    "projects:assign": ("GET", ["project"], (REDIRECT, 403, 403, OK)),  # managers (and admins) only
    "projects:progress": ("GET", ["project"], (REDIRECT, 403, 403, OK)),
    "projects:next_article": ("GET", ["project"], (REDIRECT, REDIRECT, REDIRECT, REDIRECT)),
    "projects:agreement": ("GET", ["project"], (REDIRECT, 403, 403, OK)),  # curators and managers
    "projects:disagreements": ("GET", ["project", "article"], (REDIRECT, 403, 403, 400)),  # no pair chosen
    # Curation: curators and managers (admins are managers everywhere); the world's analysts are annotators.
    "projects:curation_queue": ("GET", ["project"], (REDIRECT, 403, 403, OK)),
    "projects:curate": ("GET", ["project", "article"], (REDIRECT, 403, 403, OK)),  # opening it auto-merges
    "projects:curation_decide": ("POST", ["project", "article"], (REDIRECT, 403, 403, 422)),  # no version named
    "projects:mark_curated": ("POST", ["project", "article"], (REDIRECT, 403, 403, REDIRECT)),  # back to the board
    "projects:reopen_curation": ("POST", ["project", "article"], (REDIRECT, 403, 403, 409)),  # it is not curated
    "projects:article_status": ("GET", ["article"], (REDIRECT, OK, OK, OK)),
    "projects:mark_done": ("POST", ["assignment"], (REDIRECT, OK, 409, 409)),  # only its annotator marks it done
    "projects:reopen": ("POST", ["assignment"], (REDIRECT, 409, 409, 409)),  # it is not done
    "compare:event": ("GET", ["project"], (REDIRECT, OK, OK, OK)),  # both analysts are members
    "compare:statements_svg": ("GET", ["project"], (REDIRECT, OK, OK, OK)),  # both analysts are members
    "compare:statements_csv": ("GET", ["project"], (REDIRECT, OK, OK, OK)),  # both analysts are members
    "compare:spellings_csv": ("GET", ["project"], (REDIRECT, OK, OK, OK)),  # both analysts are members
    "compare:attention_svg": ("GET", ["project"], (REDIRECT, OK, OK, OK)),  # both analysts are members
    "compare:attention_csv": ("GET", ["project"], (REDIRECT, OK, OK, OK)),  # both analysts are members
    "compare:stances_csv": ("GET", ["project"], (REDIRECT, OK, OK, OK)),  # both analysts are members
    "compare:timeline_svg": ("GET", ["project"], (REDIRECT, OK, OK, OK)),  # both analysts are members
    "jobs:list": ("GET", [], (REDIRECT, OK, OK, OK)),
    "jobs:rebuild": ("GET", [], (REDIRECT, 403, 403, OK)),  # superusers only
    "recommenders:predictions": ("GET", ["project"], (REDIRECT, 403, 403, OK)),  # the project's managers
    "recommenders:train": ("POST", ["project"], (REDIRECT, 403, 403, REDIRECT)),
    "recommenders:filter": ("POST", [], (REDIRECT, 400, 400, 400)),  # no article named
    "jobs:imports": ("GET", [], (REDIRECT, 403, 403, OK)),
    "jobs:detail": ("GET", ["job"], (REDIRECT, OK, 404, OK)),
    "jobs:status": ("GET", ["job"], (REDIRECT, OK, 404, OK)),
    "jobs:cancel": ("POST", ["job"], (REDIRECT, OK, 404, OK)),
    "jobs:retry": ("POST", ["job"], (REDIRECT, 409, 404, 409)),  # neither failed nor stale: nothing to run again
    "jobs:download": ("GET", ["job"], (REDIRECT, 409, 404, 409)),  # not done: no file yet
    "jobs:export_start": ("POST", [], (REDIRECT, REDIRECT, REDIRECT, REDIRECT)),  # to the new export job
    "api:tokens": ("GET", [], (REDIRECT, OK, OK, OK)),
    "api:token_revoke": ("POST", ["job"], (REDIRECT, 404, 404, 404)),  # no token of that id is theirs (tests/test_api.py)
}


def test_every_url_is_in_the_permission_matrix():
    assert url_names() == set(MATRIX), "a URL was added or removed: add it to MATRIX with its expected statuses"


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_url_answers_each_kind_of_user_as_expected(name, world, analyst, other_analyst, admin):
    method, arguments, expected = MATRIX[name]
    clients = [Client()]
    for user in (analyst, other_analyst, admin):
        client = Client()
        client.force_login(user)
        clients.append(client)
    got = []
    for client in clients:
        url = reverse(name, args=[world[a] for a in arguments])
        with transaction.atomic():  # each user meets the same world: the owner's delete is rolled back
            response = client.post(url, {}, headers={"HX-Request": "true"}) if method == "POST" else client.get(url)
            transaction.set_rollback(True)
        got.append(response.status_code)
        if client is clients[0] and method == "POST" and name != "accounts:switch_language":
            # An htmx write without a session is told so (401, plain text), never redirected to a login
            # page that htmx would swap into the article.
            assert response.status_code == 401, f"{name}: an htmx write without a session must get 401"
            got[-1] = expected[0]
        elif client is clients[0] and expected[0] == REDIRECT and name not in ("logout",):
            assert response["Location"].startswith(LOGIN), f"{name}: anonymous users must be sent to the login page"
    assert tuple(got) == expected, f"{name}: anonymous, owner, other analyst, admin"


WRITES = [name for name, (method, _a, _e) in MATRIX.items() if method == "POST" and name != "logout"]


@pytest.mark.parametrize("name", WRITES)
def test_every_write_needs_the_csrf_token(name, world, analyst):
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    before = annotation_snapshot()
    url = reverse(name, args=[world[a] for a in MATRIX[name][1]])
    assert client.post(url, {"action": "toggle"}).status_code == 403
    assert annotation_snapshot() == before


def test_another_analysts_annotations_cannot_be_changed_by_id(world, other_analyst):
    client = Client()
    client.force_login(other_analyst)
    before = annotation_snapshot()
    writes = [
        ("annotations:span_update", "span", {"label": "ORG", "note": "x"}),
        ("annotations:span_delete", "span", {}),
        ("annotations:stance_update", "stance", {"holder_name": "x", "target_name": "y", "polarity": "supports"}),
        ("annotations:stance_delete", "stance", {}),
        ("annotations:evidence_add", "stance", {"paragraph": world["paragraph"], "start": 0, "end": 4, "quote": "وقال"}),
        ("annotations:evidence_remove", "evidence", {}),
    ]
    for name, key, data in writes:
        assert client.post(reverse(name, args=[world[key]]), data).status_code == 403, name
    assert annotation_snapshot() == before
    assert Span.objects.filter(pk=world["span"]).exists() and Stance.objects.filter(pk=world["stance"]).exists()


PAYLOAD = '"><img src=x onerror=alert(1)><script>alert(2)</script>'


def test_stored_xss_is_inert_in_every_page(labels, polarities, categories, admin, django_user_model):
    evil_user = django_user_model.objects.create_user("evil" + "x", password="p-123456789")
    outcome = import_bytes(f"{PAYLOAD}.txt", f"{PAYLOAD} عنوان\nوقال لويد أوستن إن {PAYLOAD} مهم.".encode(), source_name=PAYLOAD)
    article = Article.objects.get(pk=outcome.article_id)
    Article.objects.filter(pk=article.pk).update(title=PAYLOAD)
    paragraph = article.paragraphs.get(position=1)
    Label.objects.filter(name="PER").update(display_name=PAYLOAD, description=PAYLOAD)
    entity = Entity.objects.create(name=PAYLOAD, label=labels["PER"])
    EntityAlias.objects.create(entity=entity, name=PAYLOAD + "x")
    span = add_span(paragraph, "لويد أوستن", "PER", author=evil_user, entity=entity)
    Span.objects.filter(pk=span.pk).update(note=PAYLOAD)  # even a note that skipped the sanitiser
    stance = add_stance(
        paragraph,
        "مهم",
        author=evil_user,
        holder=Choice("entity", entity.pk),
        target=Choice("name", name=PAYLOAD + " موضوع"),
        polarity=polarities["opposes"],
        note=PAYLOAD,
    )
    client = Client()
    client.force_login(admin)
    topic = Topic.objects.get(name=PAYLOAD + " موضوع")
    pages = [
        reverse("corpus:article_list"),
        article.get_absolute_url(),
        article.get_absolute_url() + "?spans=all",
        reverse("annotations:clean_text", args=[article.pk]),
        reverse("annotations:span_card", args=[span.pk]),
        reverse("annotations:stance_card", args=[stance.pk]),
        reverse("annotations:entity_detail", args=[entity.pk]),
        reverse("annotations:topic_detail", args=[topic.pk]),
        reverse("annotations:target_index"),
        reverse("annotations:entity_target_detail", args=[entity.pk]),
        reverse("annotations:search") + "?q=لويد",
        reverse("annotations:entity_search") + "?q=img",
        reverse("annotations:audit_log"),
        reverse("annotations:export"),
        reverse("corpus:shared"),
        reverse("annotations:boilerplate_card", args=[paragraph.pk]),
        reverse("annotations:paragraph_versions", args=[paragraph.pk]),
        "/admin/annotations/span/",
        "/admin/corpus/article/",
    ]
    for url in pages:
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert "<script>alert(2)</script>" not in html and "<img src=x" not in html, f"unescaped payload in {url}"


def test_failed_logins_are_rate_limited_per_user_name(settings, analyst):
    settings.HAMISH_LOGIN_MAX_FAILURES_PER_USER = 3
    client = Client()
    for _ in range(3):
        assert client.post(LOGIN, {"username": "analyst1", "password": "wrong"}).status_code == 200
    refused = client.post(LOGIN, {"username": "analyst1", "password": "analyst-pass-123"})  # even the right one
    assert refused.status_code == 429 and "Too many failed logins" in refused.content.decode()
    other = Client().post(LOGIN, {"username": "someone-else", "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200  # another account from elsewhere is not blocked


def test_failed_logins_are_rate_limited_per_address(settings, analyst):
    settings.HAMISH_LOGIN_MAX_FAILURES_PER_IP = 4
    client = Client(REMOTE_ADDR="10.0.0.7")
    for n in range(4):
        client.post(LOGIN, {"username": f"guess{n}", "password": "wrong"})
    assert client.post(LOGIN, {"username": "analyst1", "password": "analyst-pass-123"}).status_code == 429
    fine = Client(REMOTE_ADDR="10.0.0.8").post(LOGIN, {"username": "analyst1", "password": "analyst-pass-123"})
    assert fine.status_code == 302


def test_export_file_names_carry_nothing_user_supplied(labels, analyst_client):
    Source.objects.create(name="../../etc/passwd")
    make_article(["نص"], source="../../etc/passwd")
    response = analyst_client.get(reverse("annotations:export_download"), {"source": "../../etc/passwd"})
    disposition = response["Content-Disposition"]
    assert response.status_code == 200 and ".." not in disposition and "/" not in disposition.split("filename=")[1]


def test_no_application_code_opens_network_connections():
    """No SSRF surface: nothing in the app fetches a URL (an article's URL is only shown, as a link), and
    HTML is parsed by the stdlib's HTMLParser, which never loads external entities. Fails if a network
    client is ever imported into the app's code."""
    import re
    from pathlib import Path

    network = re.compile(
        r"^\s*(?:import|from)\s+(urllib\.request|urllib3|http\.client|requests|httpx|aiohttp|socket|ftplib|smtplib)\b", re.M
    )
    root = Path(__file__).resolve().parents[1]
    sources = [path for package in ("hamish", "corpus", "annotations") for path in (root / package).rglob("*.py")]
    assert len(sources) > 40  # the packages were found
    offenders = {str(path.relative_to(root)): network.findall(path.read_text(encoding="utf-8")) for path in sources}
    assert {path: found for path, found in offenders.items() if found} == {}
