"""Login rate limits: the admin's login page obeys them too, every spelling of a user name the login form
accepts counts against one limit, and parallel guesses cannot slip past it (the attempt is recorded
before it is counted)."""

import threading
import time

import pytest
from django.contrib.auth import forms as auth_forms
from django.db import connections
from django.test import Client

from hamish.login import limit_key
from hamish.models import FailedLogin

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
WRONG = "not-the-password"


def test_it_refuses_admin_login_guesses_past_the_limit(settings, admin):
    settings.HAMISH_LOGIN_MAX_FAILURES_PER_USER = 3
    client = Client()
    for _ in range(3):
        assert client.post(ADMIN_LOGIN, {"username": "admin", "password": WRONG}).status_code == 200
    refused = client.post(ADMIN_LOGIN, {"username": "admin", "password": "admin-pass-123", "next": "/admin/"})
    assert refused.status_code == 429  # even the right password: it is not looked at
    assert "Too many failed logins" in refused.content.decode()
    assert refused["Retry-After"] == str(settings.HAMISH_LOGIN_WINDOW_SECONDS)
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # still logged out


def test_it_lets_the_right_admin_password_in_before_the_limit_and_forgets_it(settings, admin):
    settings.HAMISH_LOGIN_MAX_FAILURES_PER_USER = 3
    client = Client()
    page = client.get(ADMIN_LOGIN)
    assert page.status_code == 200 and "Hamish administration" in page.content.decode()  # the admin's own page
    for _ in range(2):
        assert client.post(ADMIN_LOGIN, {"username": "admin", "password": WRONG}).status_code == 200
    assert FailedLogin.objects.filter(username="admin").count() == 2
    response = client.post(ADMIN_LOGIN, {"username": "admin", "password": "admin-pass-123", "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert FailedLogin.objects.filter(username="admin").count() == 2  # a success is not a failure
    assert client.get("/admin/").status_code == 200
    assert client.get(ADMIN_LOGIN).status_code == 302  # logged in: on to the admin


def test_it_counts_app_and_admin_login_failures_against_one_limit(settings, admin, analyst):
    settings.HAMISH_LOGIN_MAX_FAILURES_PER_USER = 3
    for n in range(3):
        Client(REMOTE_ADDR=f"10.0.1.{n}").post(LOGIN, {"username": "admin", "password": WRONG})
    assert (
        Client(REMOTE_ADDR="10.0.1.9").post(ADMIN_LOGIN, {"username": "admin", "password": "admin-pass-123"}).status_code == 429
    )
    for n in range(3):
        Client(REMOTE_ADDR=f"10.0.2.{n}").post(ADMIN_LOGIN, {"username": "analyst1", "password": WRONG})
    assert Client(REMOTE_ADDR="10.0.2.9").post(LOGIN, {"username": "analyst1", "password": "analyst-pass-123"}).status_code == 429


def test_it_keeps_the_admin_login_for_staff_and_counts_an_analysts_try(settings, analyst):
    settings.HAMISH_LOGIN_MAX_FAILURES_PER_IP = 2
    client = Client()
    tried = client.post(ADMIN_LOGIN, {"username": "analyst1", "password": "analyst-pass-123"})
    assert tried.status_code == 200 and "_auth_user_id" not in client.session  # the form still wants is_staff
    assert FailedLogin.objects.count() == 1
    client.post(ADMIN_LOGIN, {"username": "guess", "password": WRONG})
    assert client.post(ADMIN_LOGIN, {"username": "other", "password": WRONG}).status_code == 429
    # A signed-in analyst is told the admin is not for them (403), not shown its login form again.
    client.force_login(analyst)
    for path in ("/admin/", ADMIN_LOGIN):
        page = client.get(path)
        assert page.status_code == 403 and "for administrators" in page.content.decode()


@pytest.mark.parametrize("raw", ["analyst2", "analyst2 ", "\tanalyst2\n", "ａｎａｌｙｓｔ２", "ANALYST2", "\u00a0Analyst2"])
def test_it_keys_the_limit_on_the_name_the_login_form_reads(raw):
    assert limit_key(raw) == "analyst2"


def test_it_gives_every_spelling_of_a_user_name_one_limit(settings, other_analyst):
    settings.HAMISH_LOGIN_MAX_FAILURES_PER_USER = 5
    variants = ["analyst2 ", "\tanalyst2\n", "ａｎａｌｙｓｔ２", "ANALYST2", "analyst2"]
    for n, name in enumerate(variants):  # from five addresses, so only the per-user limit can apply
        assert Client(REMOTE_ADDR=f"10.0.3.{n}").post(LOGIN, {"username": name, "password": WRONG}).status_code == 200
    assert set(FailedLogin.objects.values_list("username", flat=True)) == {"analyst2"}
    for name in ["analyst2", " ａｎａｌｙｓｔ２ "]:
        refused = Client(REMOTE_ADDR="10.0.3.9").post(LOGIN, {"username": name, "password": "analyst-pass-456"})
        assert refused.status_code == 429


def guess_in_parallel(monkeypatch, logins):
    """Post the (address, user name) wrong guesses at the same moment, one thread and client each; return
    the status codes and how many guesses reached the password check. The check sleeps as long as the
    production hasher takes, which is the window a check-then-record limit leaves open."""
    checked = []
    real_authenticate = auth_forms.authenticate

    def slow_authenticate(*args, **kwargs):
        checked.append(1)
        time.sleep(0.3)
        return real_authenticate(*args, **kwargs)

    monkeypatch.setattr(auth_forms, "authenticate", slow_authenticate)
    barrier = threading.Barrier(len(logins))
    statuses = [None] * len(logins)

    def guess(index, address, username):
        try:
            client = Client(REMOTE_ADDR=address)
            barrier.wait()
            statuses[index] = client.post(LOGIN, {"username": username, "password": WRONG}).status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guess, args=(i, *login)) for i, login in enumerate(logins)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a login hung"
    return statuses, len(checked)


@pytest.mark.django_db(transaction=True)
def test_it_lets_at_most_the_limit_of_parallel_guesses_at_one_account_through(settings, monkeypatch, other_analyst):
    settings.HAMISH_LOGIN_MAX_FAILURES_PER_USER = 5
    statuses, checked = guess_in_parallel(monkeypatch, [(f"10.0.4.{n}", "analyst2") for n in range(30)])
    assert set(statuses) <= {200, 429}
    assert 1 <= checked <= 5 and statuses.count(200) == checked
    assert FailedLogin.objects.filter(username="analyst2").count() == checked  # refused guesses leave no row


@pytest.mark.django_db(transaction=True)
def test_it_lets_at_most_the_limit_of_parallel_guesses_from_one_address_through(settings, monkeypatch):
    settings.HAMISH_LOGIN_MAX_FAILURES_PER_IP = 5
    statuses, checked = guess_in_parallel(monkeypatch, [("10.0.5.1", f"guess{n}") for n in range(30)])
    assert set(statuses) <= {200, 429}
    assert 1 <= checked <= 5 and statuses.count(200) == checked
    assert FailedLogin.objects.filter(ip="10.0.5.1").count() == checked
