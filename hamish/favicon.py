"""/favicon.ico, which browsers (and feed readers, and the API's visitors) ask for whatever a page links:
a permanent redirect to the static icon, so it is served hashed and cached like every static file."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.views.decorators.http import require_GET


@login_not_required
@require_GET
def favicon(request):
    return HttpResponsePermanentRedirect(static("favicon.ico"))
