"""The interface language: Arabic unless the analyst chooses English (stored on the account), the login page
follows the browser, and <html> carries the active language and direction."""

import re

import pytest
from django.test import Client

from accounts.models import Preference

SWITCH = "/accounts/language/"


def html_tag(response):
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


@pytest.fixture
def arabic_default(settings):
    settings.LANGUAGE_CODE = "ar"  # the shipped default (the suite pins English otherwise)


def test_it_shows_an_analyst_without_a_preference_arabic(arabic_default, analyst_client, analyst):
    response = analyst_client.get("/", HTTP_ACCEPT_LANGUAGE="en")  # the browser does not decide once logged in
    assert response.status_code == 200
    assert html_tag(response) == '<html lang="ar" dir="rtl">'
    assert "تسجيل الخروج" in response.content.decode()
    assert response["Content-Language"] == "ar"
    assert not Preference.objects.filter(user=analyst).exists()


def test_it_stores_english_from_the_switch_and_the_next_page_is_english(arabic_default, analyst_client, analyst):
    response = analyst_client.post(SWITCH, {"language": "en", "next": "/projects/"})
    assert response.status_code == 302 and response["Location"] == "/projects/"
    assert Preference.objects.get(user=analyst).language == "en"
    page = analyst_client.get("/")
    assert html_tag(page) == '<html lang="en" dir="ltr">'
    assert "Log out" in page.content.decode()
    # A new session (another browser, a new login) reads it from the account.
    other = Client()
    other.force_login(analyst)
    assert html_tag(other.get("/", HTTP_ACCEPT_LANGUAGE="ar")) == '<html lang="en" dir="ltr">'


def test_it_switches_back_to_arabic(settings, analyst_client, analyst):
    Preference.objects.create(user=analyst, language="en")
    analyst_client.post(SWITCH, {"language": "ar", "next": "/"})
    assert Preference.objects.get(user=analyst).language == "ar"
    assert html_tag(analyst_client.get("/")) == '<html lang="ar" dir="rtl">'


def test_it_keeps_the_article_text_rtl_arabic_in_an_english_interface(analyst_client, analyst, article):
    Preference.objects.create(user=analyst, language="en")
    analyst_client.post(SWITCH, {"language": "en", "next": "/"})
    page = analyst_client.get(article.get_absolute_url())
    assert html_tag(page) == '<html lang="en" dir="ltr">'
    assert re.search(r'<article class="article" lang="ar" dir="rtl"', page.content.decode())


def test_it_refuses_an_unknown_language_and_a_get(analyst_client, analyst):
    response = analyst_client.post(SWITCH, {"language": "fr"})
    assert response.status_code == 400 and "Unknown interface language" in response.content.decode()
    assert analyst_client.get(SWITCH).status_code == 405
    assert not Preference.objects.filter(user=analyst).exists()


def test_it_does_not_redirect_off_site(analyst_client):
    response = analyst_client.post(SWITCH, {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302 and not response["Location"].startswith("https://evil")


def test_it_needs_the_csrf_token(analyst):
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    assert client.post(SWITCH, {"language": "en"}).status_code == 403
    assert not Preference.objects.filter(user=analyst).exists()


def test_it_lets_the_login_page_follow_accept_language(arabic_default, client, db):
    assert html_tag(client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")) == '<html lang="en" dir="ltr">'
    arabic = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="ar-EG,ar;q=0.9")
    assert html_tag(arabic) == '<html lang="ar" dir="rtl">'
    assert html_tag(client.get("/accounts/login/")) == '<html lang="ar" dir="rtl">'  # no header: the default


def test_it_lets_an_anonymous_visitor_switch_the_login_page_by_cookie(arabic_default, client, db):
    response = client.post(SWITCH, {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert html_tag(client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="ar")) == '<html lang="en" dir="ltr">'
    assert not Preference.objects.exists()


def test_it_shows_the_admin_in_arabic(arabic_default, staff_client):
    page = staff_client.get("/admin/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'lang="ar" dir="rtl"' in text
    assert "تسجيل الخروج" in text  # Django's own Arabic catalogue


def test_it_saves_language_and_digits_on_the_preferences_page(analyst_client, analyst):
    page = analyst_client.get("/accounts/preferences/")
    assert page.status_code == 200
    response = analyst_client.post("/accounts/preferences/", {"language": "ar", "arabic_digits": "on"})
    assert response.status_code == 302
    preference = Preference.objects.get(user=analyst)
    assert preference.language == "ar" and preference.arabic_digits is True
    assert html_tag(analyst_client.get("/")) == '<html lang="ar" dir="rtl" data-digits="arabic-indic">'
    bad = analyst_client.post("/accounts/preferences/", {"language": "xx"})
    assert bad.status_code == 200 and Preference.objects.get(user=analyst).language == "ar"


def test_it_asks_anonymous_visitors_to_log_in_for_preferences(client, db):
    response = client.get("/accounts/preferences/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
