"""The interface preference of the person making a request.

It lives on the account (accounts.Preference) and is copied into the session at login and whenever it
changes, so that reading it costs no query on every page. A user without a row gets the deployment's
LANGUAGE_CODE and Western digits."""

from django.conf import settings

from .models import Preference

SESSION_KEY = "hamish_interface"


def stored(user):
    """The user's preference as a plain dict (one query)."""
    preference = Preference.objects.filter(user=user).first()
    if preference is None:
        return {"language": settings.LANGUAGE_CODE, "arabic_digits": False}
    return {"language": preference.language, "arabic_digits": preference.arabic_digits}


def load_into_session(request, user):
    request.session[SESSION_KEY] = stored(user)


def for_request(request):
    """The logged-in user's preference, from the session (loaded there once if it is missing)."""
    value = request.session.get(SESSION_KEY)
    if not isinstance(value, dict) or value.get("language") not in dict(settings.LANGUAGES):
        load_into_session(request, request.user)
        value = request.session[SESSION_KEY]
    return value


def save(request, **changes):
    """Store changes (language=..., arabic_digits=...) on the account and in this session."""
    preference, _created = Preference.objects.get_or_create(user=request.user)
    for name, value in changes.items():
        setattr(preference, name, value)
    preference.full_clean()
    preference.save()
    load_into_session(request, request.user)
    return preference


def language_of(user):
    """The interface language of `user` (None: a deleted user), for work done away from their request, such
    as a background job writing its report."""
    if user is None:
        return settings.LANGUAGE_CODE
    return stored(user)["language"]
