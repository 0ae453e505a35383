"""Bearer tokens and the per-token rate limit.

Only `Authorization: Bearer <token>` authenticates an API call: a session cookie alone is refused (401), so a
page on another site cannot make a signed-in analyst's browser call the API, and the API needs no CSRF token.

Rate limit: a fixed window of one minute per token, counted in the token's own row (HAMISH_API_CALLS_PER_MINUTE,
600 by default, reads and writes alike; set in hamish/settings.py from the environment). The database keeps the count, so every web process and machine shares it;
it costs one UPDATE per call (two at the start of a minute). Two calls at the very turn of a minute may both
start the new window, so the limit can be passed by one call then; it is a brake, not an invoice.
"""

import math
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from ninja.security import HttpBearer

from .errors import RateLimited
from .models import ApiToken, hash_secret

WINDOW = timedelta(minutes=1)
SECRET_MAX = 200  # ours are 46 characters; anything far longer is not one of ours, and is not hashed


def calls_per_minute():
    return settings.HAMISH_API_CALLS_PER_MINUTE


def count_call(token):
    """Count one call in the token's current window (and note its last use), or raise RateLimited."""
    now = timezone.now()
    window = now.replace(second=0, microsecond=0)
    limit = calls_per_minute()
    tokens = ApiToken.objects.filter(pk=token.pk)
    counted = tokens.filter(window_start=window, window_count__lt=limit).update(
        window_count=F("window_count") + 1, last_used_at=now
    )
    if not counted:  # a new minute (or the limit is reached: then the row already holds this window)
        counted = tokens.exclude(window_start=window).update(window_start=window, window_count=1, last_used_at=now)
    if not counted:
        raise RateLimited(max(1, math.ceil((window + WINDOW - now).total_seconds())), limit)


def via(request):
    """What the audit log records for a write made with this request's token."""
    return f"API, token {request.auth.prefix}"


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        if not token or len(token) > SECRET_MAX:
            return None
        found = ApiToken.objects.live().select_related("user").filter(secret_hash=hash_secret(token)).first()
        if found is None:
            return None
        count_call(found)
        # The token's user, whatever session cookie came along: every scoping helper reads request.user.
        request.user = found.user
        return found
