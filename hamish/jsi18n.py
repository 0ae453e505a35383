"""The interface's translations for static/js (Django's JavaScript catalogue, djangojs domain).

The language is part of the URL, so a browser's cached copy is always the right language's; the page asks
for its own (base.html). Open to anonymous visitors: it holds only interface strings, and the login page
loads it too (a redirect to the login form where a script is expected is a console error under the CSP's
nosniff, and leaves gettext undefined).
"""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.utils import translation
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from django.views.i18n import JavaScriptCatalog

CATALOGUE_MAX_AGE = 60 * 60  # seconds: a new translation reaches every browser within the hour

_catalogue = JavaScriptCatalog.as_view()


@login_not_required
@require_GET
@cache_control(max_age=CATALOGUE_MAX_AGE, public=True)
def javascript_catalog(request, language):
    if language not in dict(settings.LANGUAGES):
        raise Http404("No such interface language.")
    with translation.override(language):
        return _catalogue(request)
