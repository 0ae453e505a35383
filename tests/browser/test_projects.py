"""A study in the browser: the manager assigns, the annotator works through the queue with the keyboard
(D marks done, N opens the next), a done article refuses changes until reopened."""

import pytest
from playwright.sync_api import expect

from annotations.models import Span
from projects.models import Assignment, Membership, Project, Role, Status
from tests.utils import make_article

from .conftest import login, shot
from .test_annotating import open_article, select

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def labels(labels):
    return labels


@pytest.mark.parametrize("size", [(1366, 768), (820, 1180)], ids=["laptop", "tablet"])
def test_manager_assigns_and_the_annotator_works_through_the_queue(page, live_server, analyst, django_user_model, console, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    manager = django_user_model.objects.create_user("manager1", password="manager-pass-123")
    project = Project.objects.create(name="دراسة الزيارة", guidelines="Tag <b>people</b> first. <script>alert(1)</script>")
    first = make_article(title="المقال الأول")
    second = make_article(["نص المقال الثاني عن زيارة لويد أوستن إلى بغداد"], title="المقال الثاني")
    project.articles.add(first, second)
    Membership.objects.create(project=project, user=manager, role=Role.MANAGER)
    Membership.objects.create(project=project, user=analyst)

    login(page, live_server, "manager1", "manager-pass-123")
    page.goto(f"{live_server.url}/projects/{project.pk}/assign/")
    page.get_by_label("analyst1").check()
    page.get_by_role("button", name="Assign").click()
    expect(page.locator(".messages")).to_contain_text("2 assignments made.")
    shot(page, f"projects-progress-{size[0]}")
    page.context.clear_cookies()

    login(page, live_server, "analyst1", "analyst-pass-123")
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    expect(page.locator(".guidelines")).to_contain_text("Tag people first.")
    expect(page.locator(".guidelines b")).to_have_text("people")  # minimal markup kept, the script not
    expect(page.locator("table.queue tbody tr")).to_have_count(2)
    shot(page, f"projects-queue-{size[0]}")
    page.get_by_role("link", name="Continue: next article").click()
    expect(page.locator("#p0")).to_be_visible()
    expect(page.locator("#assignment-status")).to_contain_text("New")

    select(page, "#p0", "ثابت العباسي")
    with page.expect_response(lambda r: r.request.method == "POST" and "/spans/" in r.url):
        page.keyboard.press("p")
    expect(page.locator("#p0 .seg")).to_have_count(1)
    page.reload()
    expect(page.locator("#assignment-status")).to_contain_text("In progress")

    with page.expect_response(lambda r: "/done/" in r.url):
        page.keyboard.press("Shift+D")
    expect(page.locator("#assignment-status")).to_contain_text("Done: your annotations here are read-only.")
    expect(page.locator("#flash")).to_contain_text("Marked done")
    shot(page, f"projects-done-{size[0]}")

    select(page, "#p0", "لويد أوستن")
    with page.expect_response(lambda r: r.request.method == "POST" and "/spans/" in r.url) as response:
        page.keyboard.press("p")
    assert response.value.status == 422
    expect(page.locator("#flash")).to_contain_text("read-only: reopen it")
    assert Span.objects.count() == 1

    page.keyboard.press("Shift+N")
    page.wait_for_url(f"{live_server.url}/articles/{second.pk}/?project={project.pk}")
    expect(page.locator("#assignment-status")).to_contain_text("New")
    assert dict(Assignment.objects.values_list("article_id", "status")) == {first.pk: Status.DONE, second.pk: Status.NEW}

    open_article(page, live_server, first)
    if size[0] <= 960:  # on a tablet the panel is a sheet over the text, opened from its toggle
        page.locator("[data-sheet-toggle]").click()
    with page.expect_response(lambda r: "/reopen/" in r.url):
        page.get_by_role("button", name="Reopen").click()
    expect(page.locator("#assignment-status")).to_contain_text("In progress")
    console.assert_clean()
