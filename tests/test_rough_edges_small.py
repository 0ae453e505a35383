"""Small rough edges a new user met (issue 15): related-links lists, the favicon, one name for an unknown
outlet, the admin for analysts, HSTS switched off."""

import os
import secrets
import subprocess
import sys
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from annotations.boilerplate import boilerplate_hints, guess_category
from corpus.importing.service import DEFAULT_SOURCE_NAME
from corpus.models import Article, Source
from tests.utils import import_bytes, make_article

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]

RELATED_LIST = [
    "قال وزير الدفاع إن التعاون مستمر.",
    "مقالات مشابهة",
    "• العراق والولايات المتحدة يبحثان مستقبل التحالف",
    "- أوستن يلتقي العباسي في واشنطن",
    "3) زيارة مرتقبة لوزير الخارجية",
    "وفي سياق آخر، أعلنت الحكومة عن خطة جديدة للنقل.",
    "• بند خارج أي قائمة",
]


# ---- related links ----------------------------------------------------------------------------


def test_a_related_articles_heading_is_guessed_as_related_links():
    article = make_article(RELATED_LIST)
    assert guess_category(article.paragraphs.get(position=1), title=article.title).name == "related"


def test_the_bulleted_lines_under_it_are_related_links_and_nothing_after_the_list():
    article = make_article(RELATED_LIST)
    paragraphs = list(article.paragraphs.order_by("position"))
    hints = boilerplate_hints(article, paragraphs)
    named = [hints[p.pk][0].name if p.pk in hints else None for p in paragraphs]
    assert named[:6] == [None, "related", "related", "related", "related", None]
    assert named[6] != "related"  # a bullet under a sentence is no related link
    assert "مقالات مشابهة" in hints[paragraphs[3].pk][1]
    # the b key's guess on a list line looks up to the heading
    assert guess_category(paragraphs[3], title=article.title).name == "related"
    assert guess_category(paragraphs[6], title=article.title).name != "related"


# ---- favicon ----------------------------------------------------------------------------------


def test_the_favicon_is_served_without_a_login_and_linked_from_every_page(analyst_client):
    response = Client().get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith(".ico")
    assert finders.find("favicon.ico") and Path(finders.find("favicon.ico")).read_bytes()[:4] == b"\x00\x00\x01\x00"
    assert 'rel="icon" href="/static/favicon' in analyst_client.get("/").content.decode()


# ---- unknown outlet ---------------------------------------------------------------------------


def test_a_page_without_metadata_goes_under_the_demos_unknown_source():
    outcome = import_bytes("bare.html", "<html><body><p>فقرة أولى من الخبر بلا أي بيانات.</p></body></html>".encode())
    assert Article.objects.get(pk=outcome.article_id).source.name == "مصدر غير معروف" == DEFAULT_SOURCE_NAME


@pytest.mark.parametrize("arabic_exists", [True, False])
def test_the_migration_files_the_english_unknown_source_under_the_arabic_one(arabic_exists):
    english = make_article(["خبر أول."], source="Unknown source")
    if arabic_exists:
        make_article(["خبر ثان."], source="مصدر غير معروف")
    import_module("corpus.migrations.0006_one_unknown_source").one_name(apps, None)
    assert not Source.objects.filter(name="Unknown source").exists()
    english.refresh_from_db()
    assert english.source.name == "مصدر غير معروف"
    assert Source.objects.filter(name="مصدر غير معروف").count() == 1


# ---- admin ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/admin/", "/admin/login/", "/admin/annotations/label/"])
def test_a_signed_in_analyst_gets_403_and_why_on_admin_pages(analyst_client, path):
    response = analyst_client.get(path)
    assert response.status_code == 403
    assert "for administrators" in response.content.decode() and "analyst1" in response.content.decode()


def test_anonymous_visitors_still_get_the_admins_login_and_staff_the_admin(staff_client):
    response = Client().get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    assert Client().get(reverse("admin:login")).status_code == 200
    assert staff_client.get("/admin/").status_code == 200


# ---- HSTS -------------------------------------------------------------------------------------


def production(code, **env):
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_HSTS_SECONDS"}}
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); from django.conf import settings; {code}"],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "hamish.settings",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "hamish.example.org",
            "DEBUG": "0",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_hsts_seconds_0_switches_hsts_off_instead_of_stopping_start_up():
    result = production(
        "print(settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, settings.SECURE_HSTS_PRELOAD)",
        SECURE_HSTS_SECONDS="0",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0", "False", "False"]


@pytest.mark.parametrize(("value", "message"), [("-5", "at least 0"), ("soon", "whole number")])
def test_a_bad_hsts_value_still_stops_start_up_with_a_message(value, message):
    result = production("pass", SECURE_HSTS_SECONDS=value)
    assert result.returncode != 0 and message in result.stderr
