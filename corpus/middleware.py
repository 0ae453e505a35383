from django.conf import settings
from django.shortcuts import render
from django.utils import translation

from .importing.decoding import describe_size


class RequestSizeLimitMiddleware:
    """Refuse request bodies above HAMISH_UPLOAD_MAX_BYTES before anything parses them.

    CSRF checking reads request.POST, which would spool a huge multipart body to
    disk before any view could say no; this answers 413 first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.HAMISH_UPLOAD_MAX_BYTES
        if length > limit:
            # Ahead of the session and LocaleMiddleware: the browser's language (cookie or Accept-Language).
            translation.activate(translation.get_language_from_request(request))
            return render(
                request,
                "413.html",
                {"size": describe_size(length), "limit": describe_size(limit)},
                status=413,
            )
        return self.get_response(request)
