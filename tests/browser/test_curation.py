"""A whole study in the browser, to its end: the manager assigns two articles to two annotators, each annotates
and marks them done, the curator merges (auto-merge, one take, one reject by key), marks them curated, and the
export of the curated layer holds exactly the merged spans."""

import json

import pytest
from playwright.sync_api import expect

from annotations.models import Span
from projects.models import Curation, CurationStatus, Membership, Project, Role
from tests.utils import make_article

from .conftest import login, shot
from .test_annotating import open_article, tag

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def labels(labels):
    return labels


def annotate(page, live_server, project, article, tags):
    open_article(page, live_server, article, f"?project={project.pk}")
    for quote, key in tags:
        tag(page, "#p0", quote, key)
    with page.expect_response(lambda r: "/done/" in r.url):
        page.keyboard.press("Shift+D")
    expect(page.locator("#assignment-status")).to_contain_text("Done")


def test_a_curator_merges_two_annotators_and_exports_the_curated_layer(
    page, live_server, analyst, other_analyst, django_user_model, console, tmp_path
):
    page.set_viewport_size({"width": 1366, "height": 900})
    manager = django_user_model.objects.create_user("manager1", password="manager-pass-123")
    curator = django_user_model.objects.create_user("curator1", password="curator-pass-123")
    project = Project.objects.create(name="دراسة الزيارة")
    first = make_article(title="المقال الأول")
    second = make_article(["نص المقال الثاني عن زيارة لويد أوستن إلى بغداد"], title="المقال الثاني")
    project.articles.add(first, second)
    Membership.objects.create(project=project, user=manager, role=Role.MANAGER)
    Membership.objects.create(project=project, user=curator, role=Role.CURATOR)
    Membership.objects.create(project=project, user=analyst)
    Membership.objects.create(project=project, user=other_analyst)

    login(page, live_server, "manager1", "manager-pass-123")
    page.goto(f"{live_server.url}/projects/{project.pk}/assign/")
    page.get_by_label("analyst1").check()
    page.get_by_label("analyst2").check()
    page.get_by_label("Each article to k annotators").check()
    page.get_by_role("button", name="Assign").click()
    expect(page.locator(".messages")).to_contain_text("4 assignments made.")
    page.context.clear_cookies()

    # They agree on لويد أوستن in both articles; on ثابت العباسي they differ (PER / ORG); only analyst1 tags واشنطن.
    login(page, live_server, "analyst1", "analyst-pass-123")
    annotate(page, live_server, project, first, [("لويد أوستن", "p"), ("ثابت العباسي", "p"), ("واشنطن", "l")])
    annotate(page, live_server, project, second, [("لويد أوستن", "p")])
    page.context.clear_cookies()
    login(page, live_server, "analyst2", "analyst-pass-456")
    annotate(page, live_server, project, first, [("لويد أوستن", "p"), ("ثابت العباسي", "o")])
    annotate(page, live_server, project, second, [("لويد أوستن", "p")])
    page.context.clear_cookies()

    login(page, live_server, "curator1", "curator-pass-123")
    page.goto(f"{live_server.url}/projects/{project.pk}/curation/")
    expect(page.locator("table.curation-queue tbody tr")).to_have_count(2)
    shot(page, "curation-queue")
    page.get_by_role("link", name="المقال الأول").click()
    expect(page.locator(".messages")).to_contain_text("Auto-merge: 1 annotation the annotators agree on is now")
    expect(page.locator("#curation-status")).to_contain_text("3 versions open")
    shot(page, "curation-board")

    # One click takes analyst2's ORG; the other version of that cluster is then rejected with it.
    page.locator('.version[data-key$=":ORG"]').first.get_by_role("button", name="Take").click()
    expect(page.locator(".messages")).to_contain_text("Taken into the curated layer: span ORG")
    # The page comes back with the next open version focused (واشنطن, the only one left): r rejects it.
    expect(page.locator('.version.state-open[data-key$=":LOC"]')).to_be_focused()
    page.keyboard.press("r")
    expect(page.locator(".messages")).to_contain_text("Rejected: left out of the curated layer: span LOC")
    expect(page.locator("#curation-status")).to_contain_text("0 versions open")
    shot(page, "curation-board-decided")
    page.keyboard.press("Shift+C")
    expect(page.locator("#curation-status")).to_contain_text("Curated.")
    expect(page.locator(".version button")).to_have_count(0)  # read-only now
    shot(page, "curation-board-curated")

    page.goto(f"{live_server.url}/projects/{project.pk}/curation/{second.pk}/")
    expect(page.locator("#curation-status")).to_contain_text("0 versions open")
    page.get_by_role("button", name="Mark curated").click()
    expect(page.locator("#curation-status")).to_contain_text("Curated.")
    assert set(Curation.objects.values_list("status", flat=True)) == {CurationStatus.CURATED}

    page.goto(f"{live_server.url}/export/")
    page.get_by_label("The curated layer of the project").check()
    page.get_by_label("Project", exact=True).select_option(str(project.pk))
    shot(page, "curation-export-page")
    page.get_by_role("button", name="Download").click()
    link = page.locator("a.download")
    expect(link).to_be_visible(timeout=15_000)
    with page.expect_download() as download:
        link.click()
    path = tmp_path / "curated.json"
    download.value.save_as(path)
    document = json.loads(path.read_text(encoding="utf-8"))
    spans = sorted(
        (record["title"], s["text"], s["label"], s["layer"]) for record in document["articles"] for s in record["spans"]
    )
    assert spans == [
        ("المقال الأول", "ثابت العباسي", "ORG", "curated"), ("المقال الأول", "لويد أوستن", "PER", "curated"),
        ("المقال الثاني", "لويد أوستن", "PER", "curated"),
    ]  # fmt: skip
    for record in document["articles"]:
        for span in record["spans"]:
            assert record["text"][span["article_start"] : span["article_end"]] == span["text"]
    layer = Project.objects.get(pk=project.pk).curated_identity
    assert Span.objects.filter(author=layer).count() == 3
    console.assert_clean()


def test_the_board_shows_stances_and_marks_and_takes_them_by_key(
    page, live_server, analyst, other_analyst, django_user_model, console, polarities, categories
):
    from annotations.boilerplate import mark_boilerplate
    from annotations.models import Entity, Stance
    from annotations.stances import Choice
    from projects.models import Assignment, Status
    from tests.utils import add_stance

    page.set_viewport_size({"width": 1366, "height": 900})
    curator = django_user_model.objects.create_user("curator1", password="curator-pass-123")
    project = Project.objects.create(name="دراسة المواقف")
    article = make_article(title="مقال المواقف")
    project.articles.add(article)
    Membership.objects.create(project=project, user=curator, role=Role.CURATOR)
    from annotations.models import Label

    holder = Entity.objects.create(name="دانا سترول", label=Label.objects.get(name="PER"))
    third = article.paragraphs.get(position=2)
    for user, polarity, category in ((analyst, "opposes", "related"), (other_analyst, "neutral", "other")):
        Membership.objects.create(project=project, user=user)
        Assignment.objects.create(project=project, article=article, annotator=user)
        add_stance(
            third,
            "لا تسعى لوجود عسكري دائم",
            author=user,
            holder=Choice("entity", holder.pk),
            target=Choice("name", name="الوجود العسكري"),
            polarity=polarities[polarity],
        )
        mark_boilerplate(user=user, paragraph=article.paragraphs.get(position=1), category=categories[category])
    Assignment.objects.update(status=Status.DONE)

    login(page, live_server, "curator1", "curator-pass-123")
    page.goto(f"{live_server.url}/projects/{project.pk}/curation/{article.pk}/")
    expect(page.locator("#curation-status")).to_contain_text("4 versions open")
    shot(page, "curation-board-stances")
    # The first open version (in reading order: the mark of paragraph 2, analyst1's "related") has the focus.
    expect(page.locator(".version.state-open").first).to_be_focused()
    page.keyboard.press("t")
    expect(page.locator(".messages")).to_contain_text("Taken into the curated layer: boilerplate related")
    # Next: the stances; j moves to analyst2's "neutral", e opens its edit form, which takes it as "mixed".
    expect(page.locator('.version.state-open[data-key^="stance:"]').first).to_be_focused()
    page.keyboard.press("j")
    page.keyboard.press("e")
    form = page.locator(".version:focus-within details.edit[open]")
    expect(form).to_have_count(1)
    form.get_by_label("Polarity").select_option("mixed")
    form.get_by_role("button", name="Take with these changes").click()
    expect(page.locator(".messages")).to_contain_text("Taken, with your changes, into the curated layer")
    expect(page.locator("#curation-status")).to_contain_text("0 versions open")
    expect(page.locator('.version[data-key^="stance:"].state-edited')).to_contain_text("taken with changes")
    shot(page, "curation-board-stances-decided")
    layer = Project.objects.get(pk=project.pk).curated_identity
    assert [s.polarity.name for s in Stance.objects.filter(author=layer)] == ["mixed"]
    console.assert_clean()
