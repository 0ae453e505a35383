from django.db import InterfaceError, OperationalError
from django.utils import translation

from hamish.failures import database_unavailable, unavailable_response

from .numerals import arabic_digits_wanted
from .preferences import for_request

API_PREFIX = "/api/v1/"


class UserLanguageMiddleware:
    """After AuthenticationMiddleware: a logged-in analyst sees the language stored on their account
    (settings.LANGUAGE_CODE until they choose), whatever the browser sends. LocaleMiddleware, before it,
    still decides for anonymous requests (the login page) from the language cookie or Accept-Language.
    The preference is read from the session (accounts.preferences), so this costs no query of its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            preference = for_request(request) if request.user.is_authenticated else None
        except (OperationalError, InterfaceError) as exc:  # loading the session or the user
            if not database_unavailable(exc):
                raise
            return unavailable_response(request, exc)
        if preference is None:
            if request.path.startswith(API_PREFIX) and "HTTP_ACCEPT_LANGUAGE" not in request.META:
                # Programs rarely say which language they read: the API's messages are English unless asked.
                translation.activate("en")
                request.LANGUAGE_CODE = "en"
            return self.get_response(request)
        translation.activate(preference["language"])
        request.LANGUAGE_CODE = translation.get_language()
        token = arabic_digits_wanted.set(preference["arabic_digits"])
        try:
            return self.get_response(request)
        finally:
            arabic_digits_wanted.reset(token)
