"""The login page, rate limited: after too many failures from one address or for one user name within a
window, further attempts are refused with 429 (and a message saying when to try again) without even
checking the password, so guessing cannot go on at speed from one place or against one account."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.utils import timezone

from .models import FailedLogin


def client_ip(request):
    # Behind a proxy, REMOTE_ADDR is the proxy; deployments set HAMISH_TRUSTED_PROXY_HEADER (README).
    header = getattr(settings, "HAMISH_TRUSTED_PROXY_HEADER", "")
    if header and request.META.get(header):
        return request.META[header].split(",")[0].strip()
    return request.META.get("REMOTE_ADDR")


class RateLimitedLoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        window = timezone.now() - timedelta(seconds=settings.HAMISH_LOGIN_WINDOW_SECONDS)
        ip = client_ip(request)
        username = (request.POST.get("username") or "")[:150]
        recent = FailedLogin.objects.filter(at__gte=window)
        if (
            recent.filter(ip=ip).count() >= settings.HAMISH_LOGIN_MAX_FAILURES_PER_IP
            or (username and recent.filter(username=username).count() >= settings.HAMISH_LOGIN_MAX_FAILURES_PER_USER)
        ):
            minutes = max(1, settings.HAMISH_LOGIN_WINDOW_SECONDS // 60)
            form = self.form_class(request)  # unbound: the password is not even looked at
            response = self.render_to_response(self.get_context_data(
                form=form,
                throttled=f"Too many failed logins. Try again in {minutes} minute{'s' if minutes != 1 else ''}.",
            ))
            response.status_code = 429
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        FailedLogin.objects.create(ip=client_ip(self.request), username=(self.request.POST.get("username") or "")[:150])
        FailedLogin.objects.filter(at__lt=timezone.now() - timedelta(days=1)).delete()  # keep the table small
        return super().form_invalid(form)
