"""The comparison page in the browser: the demo seeds' grid, a cell clicked through to its paragraph, and
screenshots of every chart at laptop and tablet widths (no CSP violation on the way)."""

import json
from datetime import date

import pytest
from playwright.sync_api import expect

from annotations.models import Entity
from annotations.stances import Choice
from corpus.importing import import_files, iter_paths
from corpus.models import Article
from projects.models import Membership, Project
from tests.test_compare import DEMO, JOINT
from tests.utils import add_span, add_stance

from .conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("size", [(1366, 768), (820, 1180)], ids=["laptop", "tablet"])
def test_the_analyst_sees_who_carried_the_joint_statement_and_reads_a_version(
    page, live_server, analyst, labels, polarities, console, size
):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    for entry in json.loads((DEMO / "manifest.json").read_text(encoding="utf-8"))["articles"]:
        import_files(iter_paths([DEMO / entry["file"]]), source_name=entry["source"])
    project = Project.objects.create(name="حوار التعاون الأمني")
    project.articles.add(*Article.objects.all())
    Membership.objects.create(project=project, user=analyst)
    wander = Entity.objects.create(name="سيليست واندر", label=labels["PER"])
    for article in Article.objects.all():
        for spelling in ("سيليست واندر", "سيليست والاندر"):
            for paragraph in article.paragraphs.filter(text__contains=spelling):
                add_span(paragraph, spelling, "PER", author=analyst, entity=wander)
    stroul = Entity.objects.create(name="دانا سترول", label=labels["PER"])
    for article in Article.objects.all():
        for paragraph in article.paragraphs.filter(text__contains="سترول"):
            for occurrence in range(paragraph.text.count("سترول")):
                add_span(paragraph, "سترول", "PER", author=analyst, entity=stroul, occurrence=occurrence)
    for day, article in enumerate(Article.objects.order_by("pk"), start=8):  # the seeds carry no dates
        Article.objects.filter(pk=article.pk).update(published_on=date(2023, 8, day + day % 2))
    paragraph = Article.objects.get(original_filename__contains="/001_").paragraphs.get(text__contains="دانا سترول")
    add_stance(
        paragraph,
        "دانا سترول",
        author=analyst,
        holder=Choice("entity", stroul.pk),
        target=Choice("name", name="الوجود العسكري الأمريكي"),
        polarity=polarities["opposes"],
    )

    login(page, live_server, "analyst1", "analyst-pass-123")
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    page.get_by_role("link", name="Compare outlets").click()
    expect(page.locator("table.grid tbody tr").first).to_be_visible()
    expect(page.locator("section[aria-labelledby=statements-title] svg title").first).to_have_text("Statements × outlets")
    expect(page.locator("table.spellings")).to_contain_text("سيليست والاندر")
    expect(page.locator("table.stance-matrix td.pol-opposes")).to_contain_text("1")
    expect(page.locator("section[aria-labelledby=attention-title] svg rect")).not_to_have_count(0)
    expect(page.locator("section[aria-labelledby=attention-title] svg circle")).to_have_count(5)
    shot(page, f"compare-{size[0]}")

    row = page.locator("table.grid tbody tr").filter(has_text=JOINT).first
    link = row.locator("td.verbatim a, td.reworded a").first
    href = link.get_attribute("href")
    link.click()
    page.wait_for_url(lambda url: "/articles/" in url)
    anchor = href.rsplit("#", 1)[1]
    expect(page.locator(f"#{anchor}")).to_contain_text(JOINT)
    shot(page, f"compare-version-{size[0]}")
