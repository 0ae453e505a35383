from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language

from . import preferences
from .forms import PreferenceForm
from .models import Preference


@login_not_required
@require_POST
def switch_language(request):
    """The one-click language switch in the header (and on the login page). A logged-in analyst's choice is
    stored on the account; Django's set_language then sets the language cookie (so that the login page after
    logging out speaks it too) and redirects back to `next` when that is a safe local address."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest(_("Unknown interface language."), content_type="text/plain; charset=utf-8")
    if request.user.is_authenticated:
        preferences.save(request, language=language)
    return set_language(request)


@require_http_methods(["GET", "POST"])
def preference_page(request):
    """Language and digits, stored on the account."""
    preference = Preference.objects.filter(user=request.user).first() or Preference(user=request.user)
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        preferences.load_into_session(request, request.user)
        translation.activate(form.instance.language)  # the confirmation speaks the new language
        messages.success(request, _("Your preferences are saved."))
        return redirect("accounts:preferences")
    return render(request, "registration/preferences.html", {"form": form})
