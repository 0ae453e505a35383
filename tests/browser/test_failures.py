"""Failures in a real browser: the session ended in another tab, a write refused as stale. The page stays
as it was, and the analyst reads what happened and what to do."""

import re

import pytest
from playwright.sync_api import expect

from annotations.models import Span
from annotations.spans import update_span
from tests.utils import add_span, make_article

from .conftest import login, shot
from .test_annotating import card_open, open_article, segment, select

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def labels(labels):
    return labels


def test_a_tag_after_logging_out_in_another_tab_says_so_and_keeps_the_page(page, live_server, analyst, console):
    article = make_article()
    login(page, live_server, "analyst1", "analyst-pass-123")
    open_article(page, live_server, article)
    paragraph_html = page.locator("#p0").inner_html()

    other = page.context.new_page()
    other.goto(live_server.url + "/")
    other.get_by_role("button", name="Log out").click()
    other.wait_for_url(re.compile("/accounts/login/"))
    other.close()

    select(page, "#p0", "ثابت العباسي")
    with page.expect_response(lambda r: r.request.method == "POST" and "/spans/" in r.url) as response:
        page.keyboard.press("p")
    assert response.value.status == 401

    flash = page.locator("#flash")
    expect(flash).to_contain_text("Your session ended: log in again. Your selection was not saved.")
    link = flash.get_by_role("link", name="Log in again")
    expect(link).to_have_attribute("href", f"{live_server.url}/accounts/login/?next=%2Farticles%2F{article.pk}%2F")
    # Nothing of the page was replaced: no login form in the article, the paragraph as it was.
    expect(page.locator("#id_username")).to_have_count(0)
    assert page.locator("#p0").inner_html() == paragraph_html
    shot(page, "failures-session-ended")

    link.click()
    page.fill("#id_username", "analyst1")
    page.fill("#id_password", "analyst-pass-123")
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(f"{live_server.url}/articles/{article.pk}/")  # back on the article, not an endpoint


def test_a_write_refused_as_stale_shows_the_message_and_loads_the_current_card(page, live_server, analyst, console):
    article = make_article()
    span = add_span(article.paragraphs.get(position=0), "لويد أوستن", author=analyst)
    login(page, live_server, "analyst1", "analyst-pass-123")
    open_article(page, live_server, article)
    card_url = f"/spans/{span.pk}/"
    # The contract of the version checks: 409, text/plain, and Hamish-Refresh naming the current card.
    page.route(
        re.compile(r".*/paragraphs/\d+/spans/$"),
        lambda route: route.fulfill(
            status=409,
            content_type="text/plain; charset=utf-8",
            headers={"Hamish-Refresh": card_url},
            body="Someone changed this span since you opened it; here it is as it is now.",
        ),
    )
    paragraph_text = page.locator("#p0").text_content()
    select(page, "#p0", "ثابت العباسي")
    with page.expect_request(lambda r: r.method == "GET" and r.url.endswith(card_url)):
        page.keyboard.press("p")
    expect(page.locator("#flash")).to_contain_text("Someone changed this span since you opened it")
    expect(page.locator("#span-card .card")).to_have_attribute("data-span-id", str(span.pk))
    # The refusal's body was not swapped in: the paragraph is as it was, with its one span.
    assert page.locator("#p0").text_content() == paragraph_text
    expect(page.locator("#p0 .seg")).to_have_count(1)


def test_x_on_a_card_another_tab_has_changed_since_is_refused_and_shows_the_current_card(
    page, live_server, analyst, labels, console
):
    article = make_article()
    span = add_span(article.paragraphs.get(position=0), "لويد أوستن", author=analyst)
    login(page, live_server, "analyst1", "analyst-pass-123")
    open_article(page, live_server, article)
    segment(page, "#p0", "لويد أوستن").click()
    card_open(page, span.pk)
    expect(page.locator("#span-card .card")).to_have_attribute("data-version", str(span.version))

    # Another tab relabels the span: the card here still shows the old version.
    update_span(user=analyst, span=span, label=labels["ORG"], version=span.version)

    with page.expect_response(lambda r: "/delete/" in r.url) as response:
        page.keyboard.press("x")
    assert response.value.status == 409  # the delete carried the card's version
    expect(page.locator("#flash")).to_contain_text("another tab")
    assert Span.objects.filter(pk=span.pk, label=labels["ORG"]).exists()  # not deleted
    card = page.locator("#span-card .card")
    expect(card.locator("h2")).to_contain_text("ORG")  # the current card, loaded from Hamish-Refresh
    expect(card).to_have_attribute("data-version", str(span.version + 1))

    # Now the card is current: x deletes.
    with page.expect_response(lambda r: "/delete/" in r.url) as response:
        page.keyboard.press("x")
    assert response.value.status == 200
    assert not Span.objects.filter(pk=span.pk).exists()
