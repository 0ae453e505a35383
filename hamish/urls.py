from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy

import hamish.ids  # noqa: F401  (registers the <id:...> URL converter)
from hamish.jsi18n import javascript_catalog
from hamish.login import RateLimitedAdminLoginView, RateLimitedLoginView

from .favicon import favicon

admin.site.site_header = gettext_lazy("Hamish administration")
admin.site.site_title = gettext_lazy("Hamish")
admin.site.index_title = gettext_lazy("Corpus, labels and users")

urlpatterns = [
    path("accounts/login/", RateLimitedLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/", include("accounts.urls")),
    # Ahead of admin.site.urls, so it answers for reverse("admin:login"): the admin's login page, under the
    # app's rate limit. Unnamed: it is the admin's page, not one of ours (no second name to reverse).
    path("admin/login/", RateLimitedAdminLoginView.as_view()),
    path("admin/", admin.site.urls),
    # The JavaScript interface strings of one language (hamish/jsi18n.py), loaded by base.html.
    path("jsi18n/<str:language>/", javascript_catalog, name="javascript_catalog"),
    path("favicon.ico", favicon, name="favicon"),
    path("", include("corpus.urls")),
    path("", include("annotations.urls")),
    path("", include("projects.urls")),
    path("", include("compare.urls")),
    path("", include("jobs.urls")),
    path("", include("recommenders.urls")),
    path("api/", include("api.urls")),
]
