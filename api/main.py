"""The REST API, version 1: django-ninja builds each endpoint's validation and the OpenAPI document from the
typed signatures (one description, no serializer classes kept in step by hand; Django REST framework would
need both, and its browsable API brings its own templates and inline script).

Docs: /api/v1/docs (Swagger UI from django-ninja's own static files, served by WhiteNoise like ours; its page
has no inline script or style, so the site's strict CSP applies to it unchanged), /api/v1/openapi.json.
"""

import json

from ninja import NinjaAPI, Swagger
from ninja.errors import HttpError
from ninja.parser import Parser

from . import errors
from .auth import TokenAuth
from .endpoints import corpus, jobs, predictions, spans, stances


class ObjectParser(Parser):
    """Every JSON body of this API is one object: a list, a number or null is refused (400), not read as empty."""

    def parse_body(self, request):
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise HttpError(400, "The body must be one JSON object.")
        return data


api = NinjaAPI(
    parser=ObjectParser(),
    title="Hamish API",
    version="1",
    description=(
        "Annotating Arabic news. Authenticate with `Authorization: Bearer <token>` (tokens are made on /api/tokens/). "
        "Offsets count Unicode code points of the paragraph's NFC text. Errors are "
        '`{"error": {"code", "message", "details"}}`. Each token may make a limited number of calls a minute (429 '
        "with Retry-After beyond it)."
    ),
    auth=TokenAuth(),
    urls_namespace="api:v1",
    docs=Swagger(settings={"persistAuthorization": False}),
)
errors.install(api)
for module in (corpus, spans, stances, jobs, predictions):
    api.add_router("", module.router)
