"""Corpus list, article page and import page: access, content, queries, bad input."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from corpus.models import Article
from tests.utils import assert_corpus_unchanged, make_article

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("corpus:import")


# --- access -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["corpus:article_list", "corpus:import"])
def test_anonymous_users_are_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_anonymous_users_cannot_read_an_article(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_login_page_is_open_and_logs_in(client, analyst):
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("login"), {"username": "analyst1", "password": "analyst-pass-123"})
    assert response.status_code == 302 and response["Location"] == reverse("corpus:article_list")


def test_logout_needs_a_post(analyst_client):
    assert analyst_client.get(reverse("logout")).status_code == 405
    assert analyst_client.post(reverse("logout")).status_code == 302
    assert analyst_client.get(reverse("corpus:article_list")).status_code == 302


# --- corpus list --------------------------------------------------------------------------------------


def test_the_corpus_lists_articles_grouped_by_source_with_paragraph_counts(analyst_client):
    make_article(["مقال الحرة", "نص"], source="الحرة")
    make_article(["مقال قريش", "نص", "نص آخر"], source="قريش")
    response = analyst_client.get(reverse("corpus:article_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(">الحرة</span>") < html.index("مقال الحرة") < html.index(">قريش</span>") < html.index("مقال قريش")
    assert "2 paragraphs" in html and "3 paragraphs" in html


def test_the_title_filter_narrows_the_list(analyst_client):
    make_article(["العراق والولايات المتحدة", "نص"])
    make_article(["غزة", "نص"])
    html = analyst_client.get(reverse("corpus:article_list"), {"q": "العراق"}).content.decode()
    assert "العراق والولايات المتحدة" in html and "غزة</a>" not in html
    empty = analyst_client.get(reverse("corpus:article_list"), {"q": "لا يوجد"}).content.decode()
    assert "No article title contains" in empty


def test_an_htmx_filter_request_gets_only_the_results_partial(analyst_client, article):
    response = analyst_client.get(reverse("corpus:article_list"), {"q": "وزير"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert "<html" not in html and article.title in html


def test_the_corpus_list_makes_the_same_queries_for_3_and_60_articles(analyst_client):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert analyst_client.get(reverse("corpus:article_list")).status_code == 200
        return len(queries)

    for i in range(3):
        make_article([f"مقال {i}", "نص"], source=f"مصدر {i % 2}")
    few = count_queries()
    for i in range(3, 60):
        make_article([f"مقال {i}", "نص"], source=f"مصدر {i % 7}")
    assert count_queries() == few


# --- article page ---------------------------------------------------------------------------------------


def test_the_article_page_is_right_to_left_arabic_with_every_paragraph(analyst_client, article):
    response = analyst_client.get(article.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    # The interface is English in the suite; the article text is Arabic, right to left, in any interface.
    assert '<html lang="en" dir="ltr">' in html
    assert f'<article class="article" lang="ar" dir="rtl" data-article-id="{article.pk}">' in html
    for paragraph in article.paragraphs.all():
        assert f'id="p{paragraph.position}"' in html
        assert paragraph.text in html
    assert "CJTF-OIR منذ 2023." in html  # Latin runs stay in logical order in the markup


def test_the_article_page_makes_a_bounded_number_of_queries(analyst_client, django_assert_max_num_queries):
    small = make_article([f"فقرة {i}" for i in range(3)])
    large = make_article([f"فقرة أخرى {i}" for i in range(400)])

    def count(article):
        with CaptureQueriesContext(connection) as queries:
            assert analyst_client.get(article.get_absolute_url()).status_code == 200
        return len(queries)

    # session, user, the user's permissions (2, for the nav), article with source, paragraphs, spans,
    # stances (their evidence is one more query when there are any), boilerplate marks, labels; for the
    # suggestions: near-duplicate matches, entities (aliases: one more when there are any), rejections;
    # boilerplate hints: categories, lines repeated in the outlet; the project switcher and the project's
    # vocabulary (projects, a revision token, labels, categories); model predictions (the reader's filter, the
    # predictions, their model names). A longer article never costs more: the count is bounded, not per paragraph.
    assert count(large) <= count(small) <= 22


def test_an_unknown_article_is_404(analyst_client):
    assert analyst_client.get(reverse("annotations:article", args=[999999])).status_code == 404


def test_the_article_page_only_answers_get(analyst_client, article):
    assert analyst_client.post(article.get_absolute_url()).status_code == 405


def test_imported_text_is_escaped_on_every_page(analyst_client):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    article = make_article([payload, "نص"], source='<b onmouseover="x">outlet</b>')
    for url in [article.get_absolute_url(), reverse("corpus:article_list")]:
        html = analyst_client.get(url).content.decode()
        assert payload not in html and "<b onmouseover" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_pages_send_a_content_security_policy_without_unsafe_inline(analyst_client, article):
    policy = analyst_client.get(article.get_absolute_url())["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


# --- import page -------------------------------------------------------------------------------------------


def upload(name, data, content_type="text/plain"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_analysts_may_not_open_or_post_the_import_page(analyst_client):
    assert analyst_client.get(IMPORT_URL).status_code == 403
    with assert_corpus_unchanged():
        response = analyst_client.post(IMPORT_URL, {"files": [upload("a.txt", "نص".encode())]})
    assert response.status_code == 403


def test_admins_import_several_files_and_a_zip_and_see_the_report(staff_client, admin):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("z1.txt", "مقال من الأرشيف\nنص".encode())
        zf.writestr("../escape.txt", "هروب".encode())
    response = staff_client.post(
        IMPORT_URL,
        {
            "files": [
                upload("a.txt", "المقال الأول\nنص".encode()),
                upload("empty.txt", b""),
                upload("batch.zip", archive.getvalue(), "application/zip"),
            ],
            "source": "  الأمصار  ",
        },
        follow=True,
    )
    html = response.content.decode()
    # The upload is a background job (run at once by the tests' immediate backend): the page redirects to it.
    assert response.status_code == 200 and response.redirect_chain[0][0].startswith("/jobs/")
    assert "4 file(s): 2 imported, 0 already imported, 2 rejected." in html
    assert "The file is empty." in html and "climbs out of the archive" in html
    assert set(Article.objects.values_list("title", "source__name", "imported_by")) == {
        ("المقال الأول", "الأمصار", admin.pk),
        ("مقال من الأرشيف", "الأمصار", admin.pk),
    }


def test_an_htmx_import_gets_only_the_import_panel(staff_client):
    response = staff_client.post(IMPORT_URL, {"files": [upload("a.txt", "نص".encode())]}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="import-panel">') and "<html" not in html
    assert "1 imported" in html


def test_posting_no_file_is_a_form_error_and_changes_nothing(staff_client):
    with assert_corpus_unchanged():
        response = staff_client.post(IMPORT_URL, {"source": "x"})
    assert response.status_code == 200
    assert "Choose at least one file to import." in response.content.decode()


def test_an_upload_over_the_request_limit_is_refused_before_it_is_read(staff_client, settings):
    settings.HAMISH_UPLOAD_MAX_BYTES = 1000
    with assert_corpus_unchanged():
        response = staff_client.post(IMPORT_URL, {"files": [upload("big.txt", "ع".encode() * 2000)]})
    assert response.status_code == 413
    assert "Hamish accepts at most 1000 bytes at once" in response.content.decode()


def test_the_import_needs_a_csrf_token(admin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    with assert_corpus_unchanged():
        response = client.post(IMPORT_URL, {"files": [upload("a.txt", "نص".encode())]})
    assert response.status_code == 403


def test_uploaded_file_names_are_escaped_in_the_report(staff_client):
    response = staff_client.post(IMPORT_URL, {"files": [upload("<img src=x onerror=alert(1)>.exe", b"MZ")]}, follow=True)
    html = response.content.decode()
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;.exe" in html


# --- admin --------------------------------------------------------------------------------------------------


def test_the_admin_import_link_opens_the_import_page_whose_imports_run_as_jobs(staff_client):
    changelist = staff_client.get(reverse("admin:corpus_article_changelist")).content.decode()
    assert f'href="{IMPORT_URL}"' in changelist
    # The old admin address (bookmarks) leads there too: no large upload runs inside one admin request.
    response = staff_client.get(reverse("admin:corpus_article_import"))
    assert response.status_code == 302 and response["Location"] == IMPORT_URL


def test_analysts_cannot_reach_the_admin_import(analyst_client):
    response = analyst_client.get(reverse("admin:corpus_article_import"))
    # A signed-in analyst is told the admin is for staff (hamish/admin_gate.py), not sent to its login page.
    assert response.status_code == 403 and "an analyst account" in response.content.decode()


def test_admins_can_edit_an_article_title_but_not_its_paragraphs(staff_client, article):
    url = reverse("admin:corpus_article_change", args=[article.pk])
    page = staff_client.get(url).content.decode()
    assert 'name="title"' in page and 'name="paragraphs-0-text"' not in page
    response = staff_client.post(
        url,
        {
            "title": "عنوان جديد",
            "source": article.source_id,
            "url": "",
            "published_on": "",
            "language": "ar",
            "paragraphs-TOTAL_FORMS": "3",
            "paragraphs-INITIAL_FORMS": "3",
            "paragraphs-MIN_NUM_FORMS": "0",
            "paragraphs-MAX_NUM_FORMS": "1000",
            **{f"paragraphs-{i}-id": str(p.pk) for i, p in enumerate(article.paragraphs.all())},
            **{f"paragraphs-{i}-article": str(article.pk) for i in range(3)},
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article.refresh_from_db()
    assert article.title == "عنوان جديد"
    assert article.paragraphs.count() == 3


def test_admin_pages_render(staff_client, article):
    for url in [
        reverse("admin:corpus_article_changelist"),
        reverse("admin:corpus_source_changelist"),
        reverse("admin:corpus_article_change", args=[article.pk]),
    ]:
        assert staff_client.get(url).status_code == 200, url
