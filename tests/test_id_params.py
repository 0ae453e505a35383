"""Id and page parameters go through hamish.ids.parse_id: "²", "①", Arabic-Indic digits and 10^26 are not ids
(a clear 400 where an id is required, the first page where a page number is optional). Export downloads are not
cached. The audit log needs the permission to view annotation events, not just a staff flag."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

import corpus.views
from annotations.models import AnnotationEvent
from annotations.views import audit
from tests.utils import add_span, make_article

pytestmark = pytest.mark.django_db

NOT_IDS = ["²", "①", "٣", "٠١", "10" + "0" * 25, str(2**63), "-1", "0", "1e3", " ", "abc"]
NOT_PAGE_NUMBERS = ["²", "①", "٢", "10" + "0" * 25, "-1", "0", "abc"]
EXPORT_REFUSAL = "The article must be given by its number."


@pytest.fixture
def staff_without_permission(django_user_model):
    return django_user_model.objects.create_user("labels-manager", password="pass-123-abc", is_staff=True)


@pytest.fixture
def auditor(django_user_model):
    user = django_user_model.objects.create_user("auditor", password="pass-123-abc")
    user.user_permissions.add(Permission.objects.get(codename="view_annotationevent", content_type__app_label="annotations"))
    return user


def logged_in(client, user):
    client.force_login(user)
    return client


# ---- export -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", NOT_IDS)
def test_it_refuses_a_non_id_article_in_an_export_download_with_a_message(analyst_client, article, value):
    response = analyst_client.get(reverse("annotations:export_download"), {"article": value})
    assert response.status_code == 400
    assert EXPORT_REFUSAL in response.content.decode()


def test_it_still_exports_an_article_given_by_its_number(analyst_client, article):
    response = analyst_client.get(reverse("annotations:export_download"), {"article": str(article.pk)})
    assert response.status_code == 200
    assert article.paragraphs.first().text in b"".join(response.streaming_content).decode()


@pytest.mark.parametrize("value", NOT_IDS)
def test_it_offers_the_whole_corpus_on_the_export_page_for_a_non_id_article(analyst_client, article, value):
    response = analyst_client.get(reverse("annotations:export"), {"article": value})
    assert response.status_code == 200
    assert response.context["article"] is None


def test_it_offers_the_article_on_the_export_page_given_by_its_number(analyst_client, article):
    response = analyst_client.get(reverse("annotations:export"), {"article": str(article.pk)})
    assert response.context["article"] == article


def test_it_sends_export_downloads_uncached_and_unsniffed(analyst_client, article):
    response = analyst_client.get(reverse("annotations:export_download"), {"article": str(article.pk), "format": "conll"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    b"".join(response.streaming_content)


def test_it_leaves_the_public_schema_cacheable(analyst_client):
    response = analyst_client.get(reverse("annotations:export_schema"))
    assert "no-store" not in response.get("Cache-Control", "")
    response.close()


# ---- the audit log: who may read it ---------------------------------------------------------------------


def test_it_refuses_the_audit_log_to_staff_without_the_permission(client, staff_without_permission):
    response = logged_in(client, staff_without_permission).get(reverse("annotations:audit_log"))
    assert response.status_code == 403
    assert "Can view annotation event" in response.content.decode()
    assert "page" not in response.context


def test_it_refuses_the_audit_log_to_analysts(analyst_client):
    assert analyst_client.get(reverse("annotations:audit_log")).status_code == 403


def test_it_shows_the_audit_log_to_a_user_with_the_permission(client, auditor):
    assert logged_in(client, auditor).get(reverse("annotations:audit_log")).status_code == 200


def test_it_shows_the_audit_log_to_the_demo_admin(client):
    call_command("setup_demo", stdout=io.StringIO())
    admin = get_user_model().objects.get(username="admin")
    response = logged_in(client, admin).get(reverse("annotations:audit_log"))
    assert response.status_code == 200
    assert 'href="/audit/"' in response.content.decode()


def test_it_links_the_audit_log_only_for_users_with_the_permission(client, staff_without_permission, auditor):
    page = logged_in(client, staff_without_permission).get(reverse("corpus:article_list")).content.decode()
    assert 'href="/audit/"' not in page
    assert 'href="/admin/"' in page  # still staff: the admin link stays
    page = logged_in(client, auditor).get(reverse("corpus:article_list")).content.decode()
    assert 'href="/audit/"' in page


# ---- the audit log: filters and pages -------------------------------------------------------------------


@pytest.fixture
def two_articles_with_events(labels, analyst):
    first, second = make_article(), make_article(["نص آخر عن لويد أوستن"], source="العربية")
    add_span(first.paragraphs.get(position=0), "ثابت العباسي", author=analyst)
    add_span(second.paragraphs.get(position=0), "لويد أوستن", author=analyst)
    return first, second


@pytest.mark.parametrize("value", NOT_IDS[:-2])  # " " is no filter; "abc" was never a crash
def test_it_matches_nothing_for_a_non_id_article_filter(staff_client, two_articles_with_events, value):
    response = staff_client.get(reverse("annotations:audit_log"), {"article": value})
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []
    assert "Nothing recorded for this filter" in response.content.decode()


def test_it_filters_the_audit_log_by_article_number(staff_client, two_articles_with_events):
    first, _ = two_articles_with_events
    response = staff_client.get(reverse("annotations:audit_log"), {"article": str(first.pk)})
    assert [event.paragraph.article_id for event in response.context["page"].object_list] == [first.pk]


@pytest.mark.parametrize("value", NOT_PAGE_NUMBERS)
def test_it_opens_the_first_audit_page_for_a_junk_page_number(staff_client, two_articles_with_events, monkeypatch, value):
    monkeypatch.setattr(audit, "PER_PAGE", 1)
    response = staff_client.get(reverse("annotations:audit_log"), {"page": value})
    assert response.status_code == 200
    assert response.context["page"].number == 1
    assert response.context["page"].object_list[0] == AnnotationEvent.objects.order_by("-pk").first()


def test_it_opens_the_audit_page_asked_for(staff_client, two_articles_with_events, monkeypatch):
    monkeypatch.setattr(audit, "PER_PAGE", 1)
    assert staff_client.get(reverse("annotations:audit_log"), {"page": "2"}).context["page"].number == 2


# ---- the corpus page ------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", NOT_PAGE_NUMBERS)
def test_it_opens_the_first_corpus_page_for_a_junk_page_number(analyst_client, monkeypatch, value):
    make_article(["مقال أول"], source="أ")
    make_article(["مقال ثان"], source="ب")
    monkeypatch.setattr(corpus.views, "ARTICLES_PER_PAGE", 1)
    response = analyst_client.get(reverse("corpus:article_list"), {"page": value})
    assert response.status_code == 200
    assert response.context["page"].number == 1


def test_it_opens_the_corpus_page_asked_for(analyst_client, monkeypatch):
    make_article(["مقال أول"], source="أ")
    make_article(["مقال ثان"], source="ب")
    monkeypatch.setattr(corpus.views, "ARTICLES_PER_PAGE", 1)
    assert analyst_client.get(reverse("corpus:article_list"), {"page": "2"}).context["page"].number == 2


# ---- NUL in a name (PostgreSQL refuses it in a query: it was a 500 there) -------------------------------------


@pytest.mark.parametrize(
    ("name", "params", "status"),
    [
        ("annotations:audit_log", {"actor": "admin\x00"}, 200),
        ("corpus:article_list", {"q": "\x00"}, 200),
        ("annotations:entity_search", {"q": "\x00", "label": "PER\x00"}, 200),
        ("annotations:export_download", {"source": "الحرة\x00"}, 400),
        ("annotations:export_download", {"annotator": "analyst1\x00"}, 400),
    ],
)
def test_it_answers_a_nul_in_a_name_without_a_server_error(staff_client, article, labels, name, params, status):
    response = staff_client.get(reverse(name), params)
    assert response.status_code == status
    if status == 400:
        assert "There is no outlet or user of that name." in response.content.decode()
