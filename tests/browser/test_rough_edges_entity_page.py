"""The entity page in a real browser (issue 15): the label's colour, mentions in their sentences, a merge
picked and undone by an analyst; no console error (a missing favicon or stylesheet would be one)."""

import pytest
from playwright.sync_api import expect

from annotations.models import Entity, Label, Span
from tests.utils import add_span, make_article

from .conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_analyst_merges_two_entities_on_the_entity_page_and_undoes_it(page, live_server, analyst, labels, strict_console):
    Label.objects.filter(name="PER").update(colour="#1f77b4", description="A person named in the text.")
    article = make_article(["التقى لويد أوستن بالعباسي. وقال أوستن إن التعاون مستمر."])
    paragraph = article.paragraphs.get()
    kept = Entity.objects.create(name="لويد أوستن", label=labels["PER"])
    other = Entity.objects.create(name="أوستن", label=labels["PER"])
    add_span(paragraph, "لويد أوستن", author=analyst, entity=kept)
    moved = add_span(paragraph, "أوستن", author=analyst, occurrence=1, entity=other)

    login(page, live_server, "analyst1", "analyst-pass-123")
    page.goto(f"{live_server.url}/entities/{kept.pk}/")
    swatch = page.locator("h1 .swatch")
    expect(swatch).to_have_attribute("title", "A person named in the text.")
    assert swatch.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(31, 119, 180)"
    expect(page.locator(".mention-context mark")).to_have_text("لويد أوستن")

    page.fill("#merge-q", "أوستن")
    page.locator(".entity-merge button", has_text="Search").click()
    page.locator(".merge-candidates button").click()
    expect(page.locator(".messages")).to_contain_text("into this entity. Undo puts it back.")
    expect(page.locator(".mention-context mark")).to_have_count(2)
    expect(page.locator(".mention-context").nth(1)).to_contain_text("وقال أوستن إن التعاون مستمر.")
    expect(page.locator(".alias-list")).to_contain_text("أوستن")
    shot(page, "entity-merged")
    assert Span.objects.get(pk=moved.pk).entity_id == kept.pk

    page.locator(".entity-merge button", has_text="Undo the merge").click()
    expect(page.locator(".messages")).to_contain_text("The merge was undone")
    expect(page.locator(".mention-context mark")).to_have_count(1)
    assert Span.objects.get(pk=moved.pk).entity_id == other.pk
