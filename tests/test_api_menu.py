"""The user's menu links to the API token page (issue 18), in both languages."""

import pytest
from django.urls import reverse

from accounts.models import Preference


@pytest.mark.django_db
def test_menu_links_to_api_tokens(analyst_client):
    page = analyst_client.get(reverse("projects:project_list")).content.decode()
    assert f'href="{reverse("api:tokens")}">API tokens</a>' in page


@pytest.mark.django_db
def test_menu_link_in_arabic(analyst_client, analyst):
    Preference.objects.create(user=analyst, language="ar")
    analyst_client.force_login(analyst)  # the preference is read into the session at login
    page = analyst_client.get(reverse("projects:project_list")).content.decode()
    assert f'href="{reverse("api:tokens")}">رموز الوصول إلى واجهة البرمجة</a>' in page


@pytest.mark.django_db
def test_anonymous_page_has_no_token_link(client):
    page = client.get(reverse("login")).content.decode()
    assert reverse("api:tokens") not in page
