"""What the analyst is told when a request fails: the database is busy or gone, the session ended, or
something broke after the write had already been committed.

htmx requests always get a short text/plain message (reader.js shows it in its message area and never
swaps an error body into the page), in development as in production; tracebacks go to the log only.
Page requests get a small page (503.html) when the database is unavailable, Django's own pages otherwise.

Whether anything was saved is decided by the commit, not by how far the view got: `WriteWatch` notes
every write statement the request runs and counts it once its transaction has committed.
"""

import logging
import sqlite3
import sys

from django.conf import settings
from django.contrib.auth import middleware as auth_middleware
from django.core.signals import got_request_exception
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections, transaction
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import csrf

logger = logging.getLogger("hamish.failures")

RETRY_AFTER_SECONDS = 5
# Lazy: each answer speaks the language active for its request.
BUSY_NOT_SAVED = gettext_lazy("The database is busy; nothing was saved. Try again in a moment.")
BUSY_READ = gettext_lazy("The database is busy; try again in a moment.")
SAVED = gettext_lazy("Saved; reload the page to see it.")
SESSION_ENDED_WRITE = gettext_lazy("Your session ended: log in again. Your selection was not saved.")
SESSION_ENDED_READ = gettext_lazy("Your session ended: log in again.")
STALE_TOKEN = gettext_lazy(
    "This page's security token is out of date (did you log in again?): reload the page. Nothing was saved."
)

# What an htmx caller is told for an error answer that carries no message of its own (Django's error
# pages, its debug pages, an empty 405).
MESSAGES = {
    400: gettext_lazy("The server did not understand this request; reload the page. Nothing was changed."),
    403: gettext_lazy("You may not change this annotation: it is someone else's."),
    404: gettext_lazy("That annotation no longer exists; reload the page."),
    405: gettext_lazy("This cannot be done that way; reload the page. Nothing was changed."),
    413: gettext_lazy("That upload is too large. Nothing was imported."),
    500: gettext_lazy(
        "Something went wrong on our side; nothing was saved. Try again; if it keeps happening, tell an administrator."
    ),
}

# SQLite says "locked" or "busy" when another process holds the write lock, and also reports bugs (no such
# table, syntax errors) as OperationalError: only the first kind means "try again later".
SQLITE_UNAVAILABLE = ("locked", "busy", "unable to open database", "disk i/o error")


def is_htmx(request):
    return request.headers.get("HX-Request") == "true"


def is_write(request):
    return request.method not in ("GET", "HEAD", "OPTIONS", "TRACE")


def database_unavailable(exc):
    """Whether `exc` says the database cannot be used right now (locked, unreachable, connection lost)."""
    if not isinstance(exc, (OperationalError, InterfaceError)):
        return False
    if isinstance(exc.__cause__, sqlite3.Error) and isinstance(exc, OperationalError):
        return any(word in str(exc).lower() for word in SQLITE_UNAVAILABLE)
    return True


def plain(message, status):
    return HttpResponse(str(message), status=status, content_type="text/plain; charset=utf-8")


def page(message, status):
    """A small page of its own (no base template: that would ask the database for the user)."""
    heading = _("Saved, but the page could not be shown") if message == SAVED else _("The database is busy")
    return HttpResponse(render_to_string("503.html", {"heading": heading, "message": message}), status=status)


def saved_in(request):
    watch = getattr(request, "hamish_writes", None)
    return watch is not None and watch.committed and is_write(request)


def unavailable_response(request, exc, saved=None):
    """The 503 for a database that is busy or gone; one log line, not a traceback per request.
    `saved`: whether a write had committed when it failed (by default: by now)."""
    saved = saved_in(request) if saved is None else saved
    logger.warning("Database unavailable during %s %s (saved before: %s): %s", request.method, request.path, saved, exc)
    message = SAVED if saved else BUSY_NOT_SAVED if is_write(request) else BUSY_READ
    if is_htmx(request):
        response = plain(message, 503)
    else:
        response = page(message, 503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.hamish_failure_handled = True
    return response


class WriteWatch:
    """An execute wrapper: `committed` turns true once a write statement of this request is committed
    (at once in autocommit, else when the outermost atomic block commits; a rolled-back one never).
    Session rows do not count: they are the middleware's bookkeeping, not the analyst's work."""

    WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")

    def __init__(self):
        self.committed = False

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not self.committed and sql.lstrip()[:7].upper().startswith(self.WRITES) and "django_session" not in sql:
            connection = context["connection"]
            if connection.in_atomic_block:
                transaction.on_commit(self.commit, using=connection.alias)
            elif connection.get_autocommit():
                self.commit()
        return result

    def commit(self):
        self.committed = True


def remember_exception(sender, request=None, **kwargs):
    """Django is turning an exception into a 500 (from a view or a middleware): note what it was and
    whether a write had been committed by then, for FailureMiddleware to word the answer."""
    if request is not None:
        request.hamish_exception = (sys.exc_info()[1], saved_in(request))


got_request_exception.connect(remember_exception, dispatch_uid="hamish.failures.remember_exception")


class FailureMiddleware:
    """Place right after SecurityMiddleware: it sees every answer of the middlewares within it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.hamish_writes = WriteWatch()
        with connections[DEFAULT_DB_ALIAS].execute_wrapper(request.hamish_writes):
            response = self.get_response(request)
        if getattr(response, "hamish_failure_handled", False) or response.status_code < 400:
            return response
        exc, saved = getattr(request, "hamish_exception", (None, None))
        if saved is None:  # no exception behind this answer (a 404, a 403): whatever was committed by now
            saved = saved_in(request)
        if exc is not None and database_unavailable(exc):
            # Raised in a middleware (a session save), past process_exception: Django has logged it.
            return unavailable_response(request, exc, saved)
        if is_htmx(request):
            return self.plain_for_htmx(request, response, saved)
        if saved and response.status_code == 500 and not settings.DEBUG:
            return page(SAVED, 500)  # not Django's 500 page, whose "try again" would save it twice
        return response

    def process_exception(self, request, exception):
        if database_unavailable(exception):
            return unavailable_response(request, exception)
        return None  # Django logs it and answers 500; __call__ words that answer

    @staticmethod
    def plain_for_htmx(request, response, saved):
        """An error answer to htmx as a short message, its status kept: never an HTML page (in DEBUG
        Django's debug page), which reader.js could only summarise and a swap would put in the article."""
        if response.streaming or response.get("Content-Type", "").startswith("text/plain"):
            return response
        status = response.status_code
        message = (
            SAVED
            if saved
            else MESSAGES.get(status) or _("The server could not do this (%(status)s). Nothing was changed.") % {"status": status}
        )
        replacement = plain(message, status)
        for header, value in response.items():
            if header.lower() not in ("content-type", "content-length"):
                replacement[header] = value
        replacement.cookies = response.cookies
        return replacement


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """Django's, except that an htmx call without a session gets 401 and a message instead of a redirect,
    which htmx would follow and swap the login page into the article; the page stays as it is."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        try:
            return super().process_view(request, view_func, view_args, view_kwargs)
        except (OperationalError, InterfaceError) as exc:  # loading the session or the user
            if not database_unavailable(exc):
                raise
            return unavailable_response(request, exc)

    def handle_no_permission(self, request, view_func):
        if not is_htmx(request):
            return super().handle_no_permission(request, view_func)
        response = plain(SESSION_ENDED_WRITE if is_write(request) else SESSION_ENDED_READ, 401)
        # reader.js links here with `next` set to the page the analyst is on, not this endpoint.
        response["Hamish-Login"] = resolve_url(self.get_login_url(view_func))
        return response


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: htmx calls from a page whose token is stale (the analyst logged in again
    elsewhere) are told so; everything else gets Django's page."""
    if is_htmx(request):
        return plain(STALE_TOKEN, 403)
    return csrf.csrf_failure(request, reason=reason)
