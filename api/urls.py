from django.contrib.auth.decorators import login_not_required
from django.urls import path

from . import views
from .main import api

app_name = "api"

# The endpoints authenticate by token themselves: exempt from the site's login redirect (a script has no session).
# The OpenAPI document and the docs page stay behind the login, as every page does.
PAGES = {"openapi-json", "openapi-view", "api-root"}
v1 = api.urls  # built once: each reading of api.urls makes new view functions
for pattern in v1[0]:
    if pattern.name not in PAGES:
        login_not_required(pattern.callback)

urlpatterns = [
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<id:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("v1/", v1),
    # Any other path under v1/ answers JSON, not the site's HTML 404 page.
    path("v1/<path:rest>", login_not_required(views.unknown_endpoint)),
]
