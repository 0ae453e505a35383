"""When the database is busy or gone, the session ended or something broke after a commit, the analyst is
told the truth in a short message, and an htmx call never gets a page (or Django's debug page) back."""

import logging
import runpy
import sqlite3
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from annotations.models import Span
from annotations.offsets import code_point_to_utf16
from tests.utils import make_article

ROOT = Path(__file__).resolve().parents[1]
TEXT = "التقى وزير الدفاع العراقي ثابت العباسي بنظيره لويد أوستن في واشنطن."
HTMX = {"HX-Request": "true"}


@pytest.fixture
def paragraph(labels):
    return make_article([TEXT, "الفقرة الثانية عن العراق."]).paragraphs.get(position=0)


def tag(quote="لويد أوستن", label="PER"):
    index = TEXT.index(quote)
    return {
        "start": code_point_to_utf16(TEXT, index),
        "end": code_point_to_utf16(TEXT, index + len(quote)),
        "quote": quote,
        "label": label,
    }


def create_url(paragraph):
    return reverse("annotations:span_create", args=[paragraph.pk])


def text_of(response):
    assert response["Content-Type"].startswith("text/plain"), response["Content-Type"]
    return response.content.decode()


# --- SQLite busy -------------------------------------------------------------------------------------


@pytest.fixture
def short_busy_timeout(monkeypatch):
    """A busy timeout of a tenth of a second for this test's connections (the setting is read on connect)."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write lock")
    options = dict(connection.settings_dict["OPTIONS"])
    options["timeout"] = 0.1
    options["init_command"] = options["init_command"].replace(
        f"busy_timeout={connection.settings_dict['OPTIONS']['timeout'] * 1000}", "busy_timeout=100"
    )
    assert "busy_timeout=100;" in options["init_command"]
    connection.close()
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", options)
    yield
    connection.close()


@pytest.fixture
def write_lock(short_busy_timeout):
    """Another process's writer holding SQLite's write lock on the test database (BEGIN IMMEDIATE)."""
    holder = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    yield holder
    holder.execute("ROLLBACK")
    holder.close()


@pytest.mark.django_db(transaction=True)
def test_a_write_on_a_locked_database_gets_503_and_nothing_is_saved_while_pages_are_served(analyst_client, paragraph, write_lock):
    response = analyst_client.post(create_url(paragraph), tag(), headers=HTMX)
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert text_of(response) == "The database is busy; nothing was saved. Try again in a moment."

    page = analyst_client.post(create_url(paragraph), tag())  # the same write from a plain form
    assert page.status_code == 503 and "<h1>The database is busy</h1>" in page.content.decode()
    assert "nothing was saved" in page.content.decode() and "Traceback" not in page.content.decode()

    # Reads go on meanwhile: WAL readers need no lock, and no read path opens an IMMEDIATE transaction.
    assert analyst_client.get(reverse("corpus:article_list")).status_code == 200
    assert analyst_client.get(reverse("annotations:article", args=[paragraph.article_id])).status_code == 200
    assert analyst_client.get(reverse("annotations:article", args=[paragraph.article_id]), headers=HTMX).status_code == 200

    write_lock.execute("ROLLBACK")
    write_lock.execute("BEGIN")  # the fixture's ROLLBACK still has a transaction to end
    assert not Span.objects.exists()


# --- PostgreSQL (or any database) down ----------------------------------------------------------------


def refused_connection():
    """What the driver raises when the server cannot be reached."""
    if connection.vendor == "sqlite":
        return connection.Database.OperationalError("unable to open database file")
    return connection.Database.OperationalError('connection to server at "127.0.0.1" failed: Connection refused')


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_database_gets_503_and_a_message_not_a_500_per_request(analyst_client, paragraph, caplog):
    url, article_url = create_url(paragraph), reverse("annotations:article", args=[paragraph.article_id])
    connection.close()
    with mock.patch.object(connection, "get_new_connection", side_effect=refused_connection()), caplog.at_level(logging.WARNING):
        write = analyst_client.post(url, tag(), headers=HTMX)
        card = analyst_client.get(reverse("annotations:span_card", args=[1]), headers=HTMX)
        page = analyst_client.get(article_url)
    connection.close()

    assert write.status_code == 503 and write["Retry-After"]
    assert text_of(write) == "The database is busy; nothing was saved. Try again in a moment."
    assert card.status_code == 503 and text_of(card) == "The database is busy; try again in a moment."
    assert page.status_code == 503 and page["Content-Type"].startswith("text/html")
    assert "<h1>The database is busy</h1>" in page.content.decode()
    # One line each in the log, no traceback.
    assert [r.levelname for r in caplog.records if r.name == "hamish.failures"] == ["WARNING"] * 3
    assert not [r for r in caplog.records if r.exc_info]
    assert not Span.objects.exists()


# --- the truth after a commit ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_database_failure_after_the_commit_says_saved(analyst_client, paragraph):
    lost = OperationalError("server closed the connection unexpectedly")
    with mock.patch("annotations.views.spans.render_paragraph", side_effect=lost):
        response = analyst_client.post(create_url(paragraph), tag(), headers=HTMX)
    assert response.status_code == 503
    assert text_of(response) == "Saved; reload the page to see it."
    assert Span.objects.get().text == "لويد أوستن"


@pytest.mark.django_db(transaction=True)
def test_any_failure_after_the_commit_says_saved_and_is_logged(analyst, paragraph, caplog):
    client = Client(raise_request_exception=False)
    client.force_login(analyst)
    with mock.patch("annotations.views.spans.render_paragraph", side_effect=RuntimeError("template bug")):
        response = client.post(create_url(paragraph), tag(), headers=HTMX)
        page = client.post(create_url(paragraph), tag("ثابت العباسي"))  # a plain form post, production settings
    assert response.status_code == 500
    assert text_of(response) == "Saved; reload the page to see it."
    assert page.status_code == 500 and "Saved; reload the page to see it." in page.content.decode()
    assert Span.objects.count() == 2
    assert any(r.exc_info and "template bug" in str(r.exc_info[1]) for r in caplog.records)


@pytest.mark.django_db(transaction=True)
def test_a_failure_before_anything_committed_says_nothing_was_saved(analyst, paragraph):
    client = Client(raise_request_exception=False)
    client.force_login(analyst)
    with mock.patch("annotations.views.spans.create_span", side_effect=RuntimeError("bug")):
        response = client.post(create_url(paragraph), tag(), headers=HTMX)
    assert response.status_code == 500
    assert "nothing was saved" in text_of(response)
    assert not Span.objects.exists()


# --- the session ended -------------------------------------------------------------------------------


def test_an_htmx_call_without_a_session_gets_401_and_a_message_a_page_the_redirect(client, paragraph):
    response = client.post(create_url(paragraph), tag(), headers=HTMX)
    assert response.status_code == 401
    assert text_of(response) == "Your session ended: log in again. Your selection was not saved."
    assert response["Hamish-Login"] == reverse("login")
    assert not Span.objects.exists()

    card = client.get(reverse("annotations:span_card", args=[1]), headers=HTMX)
    assert card.status_code == 401 and text_of(card) == "Your session ended: log in again."

    response = client.post(create_url(paragraph), tag())  # a page, not htmx: Django's redirect as before
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={create_url(paragraph)}"


def test_an_htmx_write_with_a_stale_csrf_token_is_told_to_reload(analyst, paragraph):
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    response = client.post(create_url(paragraph), tag(), headers={**HTMX, "X-CSRFToken": "stale"})
    assert response.status_code == 403
    assert "reload the page. Nothing was saved." in text_of(response)
    assert not Span.objects.exists()


# --- DEBUG on: htmx still gets the analyst's message --------------------------------------------------


def test_in_debug_an_htmx_404_is_a_short_message_not_the_debug_page(analyst_client, paragraph, settings):
    settings.DEBUG = True
    response = analyst_client.get(reverse("annotations:span_card", args=[987654]), headers=HTMX)
    assert response.status_code == 404
    assert text_of(response) == "That annotation no longer exists; reload the page."
    page = analyst_client.get(reverse("annotations:span_card", args=[987654]))
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")  # pages keep Django's


def test_in_debug_an_htmx_500_is_a_short_message_and_the_traceback_goes_to_the_log(analyst, paragraph, settings, caplog):
    settings.DEBUG = True
    client = Client(raise_request_exception=False)
    client.force_login(analyst)
    with mock.patch("annotations.views.spans.create_span", side_effect=RuntimeError("the detail")):
        response = client.post(create_url(paragraph), tag(), headers=HTMX)
    assert response.status_code == 500
    body = text_of(response)
    assert "nothing was saved" in body and "the detail" not in body and "Traceback" not in body
    assert any(r.exc_info and "the detail" in str(r.exc_info[1]) for r in caplog.records)


# --- gunicorn -------------------------------------------------------------------------------------------


def test_gunicorn_runs_threads_so_a_waiting_writer_does_not_hold_up_pages():
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["worker_class"] == "gthread"
    assert config["threads"] >= 2
