"""The login pages, rate limited: after too many failures from one address or for one user name within a
window, further attempts are refused with 429 (and a message saying when to try again) without even
checking the password, so guessing cannot go on at speed from one place or against one account. The
admin's login page obeys the same limit, counted in the same table."""

import ipaddress
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import FailedLogin

USERNAME_MAX = 150  # FailedLogin.username, and Django's user name


def client_ip(request):
    # Behind a proxy, REMOTE_ADDR is the proxy; deployments set HAMISH_TRUSTED_PROXY_HEADER (README).
    header = getattr(settings, "HAMISH_TRUSTED_PROXY_HEADER", "")
    if header and request.META.get(header):
        forwarded = request.META[header].split(",")[0].strip()
        try:  # the column is an inet on PostgreSQL: a garbled header must not become a 500
            return str(ipaddress.ip_address(forwarded))
        except ValueError:
            pass
    return request.META.get("REMOTE_ADDR")


def limit_key(raw_username):
    """The user name an attempt counts against: stripped and NFKC-normalised as AuthenticationForm does
    before it checks the password, so "analyst2 " or a fullwidth "ａｎａｌｙｓｔ２" is the same account,
    then casefolded. Django's user names are case-sensitive, so case variants of one name share a limit:
    stricter than needed, never looser."""
    # NUL goes too: no user name holds one, and PostgreSQL refuses it in a query (a 500 on the insert).
    name = unicodedata.normalize("NFKC", (raw_username or "").replace("\x00", "").strip())
    return unicodedata.normalize("NFKC", name.casefold()).strip()[:USERNAME_MAX]


def begin_attempt(request):
    """Record this login attempt and return its row, or None (nothing recorded) when it is over a limit.

    The row is committed before anything is counted, and the counts include it. Of any number of parallel
    attempts, the k-th to commit its row sees at least k rows when it counts (every earlier one is
    committed), so at most the limit pass; a check before an insert would let all of them pass. This
    relies on autocommit (the views are non_atomic_requests); it holds on SQLite and on PostgreSQL's
    READ COMMITTED, where each count sees every row committed before it started. The row stands for a
    failure until the login succeeds (the view deletes it then)."""
    attempt = FailedLogin.objects.create(ip=client_ip(request), username=limit_key(request.POST.get("username")))
    recent = FailedLogin.objects.filter(at__gte=timezone.now() - timedelta(seconds=settings.HAMISH_LOGIN_WINDOW_SECONDS))
    if recent.filter(ip=attempt.ip).count() > settings.HAMISH_LOGIN_MAX_FAILURES_PER_IP or (
        attempt.username and recent.filter(username=attempt.username).count() > settings.HAMISH_LOGIN_MAX_FAILURES_PER_USER
    ):
        attempt.delete()  # a refused attempt checks no password, so it is no failure
        return None
    return attempt


def throttle_message():
    minutes = max(1, settings.HAMISH_LOGIN_WINDOW_SECONDS // 60)
    return ngettext(
        "Too many failed logins. Try again in %(minutes)s minute.",
        "Too many failed logins. Try again in %(minutes)s minutes.",
        minutes,
    ) % {"minutes": minutes}


@method_decorator(transaction.non_atomic_requests, name="dispatch")  # begin_attempt needs autocommit
class RateLimitedLoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        self.attempt = begin_attempt(request)
        if self.attempt is None:
            return self.throttled()
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        self.attempt.delete()  # the right password: not a failure
        return super().form_valid(form)

    def form_invalid(self, form):
        FailedLogin.objects.filter(at__lt=timezone.now() - timedelta(days=1)).delete()  # keep the table small
        return super().form_invalid(form)

    def throttled(self):
        form = self.get_form_class()(self.request)  # unbound: the password is not even looked at
        response = self.render_to_response(self.get_context_data(form=form, throttled=throttle_message()))
        response.status_code = 429
        response["Retry-After"] = str(settings.HAMISH_LOGIN_WINDOW_SECONDS)
        return response


class RateLimitedAdminLoginView(RateLimitedLoginView):
    """What admin.site.login shows (the admin's page, and its form, which also requires is_staff), under the
    same limit. Routed to /admin/login/ ahead of admin.site.urls, so reverse("admin:login") lands here."""

    form_class = AdminAuthenticationForm
    template_name = "admin/login.html"
    # An analyst sent here by the admin is told "not authorised"; redirecting them would loop.
    redirect_authenticated_user = False

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        request.current_app = admin.site.name

    def get(self, request, *args, **kwargs):
        if admin.site.has_permission(request):
            return HttpResponseRedirect(self.get_success_url())
        return super().get(request, *args, **kwargs)

    def get_default_redirect_url(self):
        return reverse("admin:index", current_app=admin.site.name)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            admin.site.each_context(self.request),
            title=_("Log in"),
            subtitle=None,
            app_path=self.request.get_full_path(),
            username=self.request.user.get_username(),
            next=self.get_success_url(),
        )
        return context

    def throttled(self):
        messages.error(self.request, throttle_message())  # the admin's page shows messages, not our context
        return super().throttled()
