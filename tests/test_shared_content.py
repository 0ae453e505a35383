"""The corpus page that groups articles by the paragraphs they share."""

import io

import pytest
from django.urls import reverse

from corpus.models import Article


@pytest.mark.django_db
def test_seed_articles_sharing_the_joint_statement_are_grouped(analyst_client):
    from corpus.management.commands.setup_demo import Command as SetupDemo

    SetupDemo(stdout=io.StringIO()).load_corpus()
    html = analyst_client.get(reverse("corpus:shared")).content.decode()
    seeds = {a.original_filename.rsplit("/", 1)[-1][:3]: a for a in Article.objects.select_related("source")}
    first_group = html.split('<section class="shared-group">')[1]
    for name in ("000", "003"):
        assert seeds[name].get_absolute_url() in first_group
    assert "shared paragraphs" in first_group
    assert seeds["004"].get_absolute_url() not in html  # shares nothing with the others


@pytest.mark.django_db
def test_an_empty_corpus_says_so(analyst_client):
    assert "No two articles share a paragraph yet." in analyst_client.get(reverse("corpus:shared")).content.decode()
