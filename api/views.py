"""The user's own API tokens page: make one (its secret is shown once, on the answer to the form), revoke one."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from hamish.bidi import isolate

from .errors import error_response
from .forms import TokenForm
from .models import ApiToken

TOKENS_PER_USER = 50  # live ones: enough for every script, few enough that a leaked session cannot mint thousands


@never_cache  # the answer that shows a secret is kept by no browser or proxy cache
@require_http_methods(["GET", "POST"])
def token_list(request):
    secret = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if ApiToken.objects.filter(user=request.user, revoked_at__isnull=True).count() >= TOKENS_PER_USER:
            form.add_error(None, _("You have %(count)s tokens; revoke one you no longer use first.") % {"count": TOKENS_PER_USER})
        else:
            token, secret = ApiToken.issue(user=request.user, name=form.cleaned_data["name"])
            form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user)
    status = 400 if request.method == "POST" and secret is None else 200
    return render(request, "api/tokens.html", {"form": form, "tokens": tokens, "secret": secret}, status=status)


@require_POST
def token_revoke(request, token_id):
    """Only the user's own tokens: anyone else's is 404, as if it did not exist."""
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    token.revoke()
    messages.success(
        request,
        _("The token “%(name)s” (%(prefix)s…) is revoked; calls with it are refused.")
        % {"name": isolate(token.name), "prefix": isolate(token.prefix)},
    )
    return redirect("api:tokens")


def unknown_endpoint(request, rest):
    return error_response(404, f"There is no API endpoint /api/v1/{rest[:200]}; see /api/v1/docs.")
