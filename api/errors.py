"""Every refusal of the API as JSON of one shape, whatever raised it:

    {"error": {"code": "not_found", "message": "No such article.", "details": null}}

`code` is stable (scripts branch on it), `message` is for a person, `details` is the list of invalid fields
for 422 "invalid" (each with `loc`, `msg`, `type`) and otherwise null.
"""

import math

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from annotations.conflicts import Conflict, Gone

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "rate_limited",
}


class RateLimited(HttpError):
    def __init__(self, retry_after, limit):
        super().__init__(429, f"More than {limit} API calls in a minute with this token; try again in {retry_after} s.")
        self.retry_after = retry_after


class Refused(DjangoValidationError):
    """A service's refusal with details for the error body."""

    def __init__(self, messages, *, details=None):
        super().__init__(messages)
        self.details = details


def error_response(status, message, *, code=None, details=None):
    body = {"error": {"code": code or CODES.get(status, "error"), "message": message, "details": details}}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _fields(errors):
    """pydantic's errors without their `input` and `ctx` (which can hold the whole bad value, or objects)."""
    return [
        {
            "loc": [str(part) for part in error.get("loc", ())],
            "msg": str(error.get("msg", "")),
            "type": str(error.get("type", "")),
        }
        for error in errors
    ]


def _invalid(request, exc):
    fields = _fields(exc.errors)
    first = fields[0] if fields else None
    where = ".".join(part for part in first["loc"] if part not in ("body", "payload")) if first else ""
    message = f"{where}: {first['msg']}" if first and where else (first["msg"] if first else "The request is not valid.")
    return error_response(422, f"The request is not valid ({message}).", details=fields)


def _http_error(request, exc):
    if isinstance(exc, AuthenticationError):
        response = error_response(
            401,
            "Send a valid API token as 'Authorization: Bearer <token>' (made on /api/tokens/); "
            "an unknown or revoked token is refused, and so is a session cookie alone.",
        )
        response["WWW-Authenticate"] = 'Bearer realm="hamish"'
        return response
    message = str(exc) if exc.status_code != 400 else f"The request could not be read: {exc}"
    response = error_response(exc.status_code, message)
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.retry_after)
    return response


def _refused(request, exc):
    """A service's refusal (the same ValidationError the pages show as a message)."""
    message = " ".join(exc.messages)
    if isinstance(exc, Conflict):
        return error_response(409, message, code="conflict")
    if isinstance(exc, Gone):
        return error_response(404, message, code="gone")
    return error_response(422, message, code="refused", details=getattr(exc, "details", None))


def _not_found(request, exc):
    message = str(exc) if exc.args and str(exc) else "Not found."
    return error_response(404, message)


def _forbidden(request, exc):
    return error_response(403, str(exc) if exc.args and str(exc) else "You may not do this.")


def _unexpected(request, exc):
    raise exc  # a bug: Django's handling (500, logged; FailureMiddleware's 503 for a busy database)


def install(api):
    api.add_exception_handler(NinjaValidationError, _invalid)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(DjangoValidationError, _refused)
    api.add_exception_handler(Http404, _not_found)
    api.add_exception_handler(PermissionDenied, _forbidden)
    api.add_exception_handler(Exception, _unexpected)


def finite(value):
    """A measure for JSON: None when undefined (None or NaN), else the float."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return value
