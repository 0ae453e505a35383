"""Types the endpoints share: ids, text, paging, and the error body (for the OpenAPI document)."""

from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import AfterValidator

from hamish.ids import ID_MAX

# Offsets and versions are bounded like ids: a 26-digit number overflowed SQLite's integers.
Id = Annotated[int, Field(ge=1, le=ID_MAX)]
Offset = Annotated[int, Field(ge=0, le=10**9, description="A code point index into the paragraph's text (NFC).")]
Version = Annotated[int, Field(ge=1, le=ID_MAX, description="The version you read; a stale one is refused with 409.")]
PAGE_SIZE_MAX = 100
Page = Annotated[int, Field(ge=1, le=1_000_000)]
PageSize = Annotated[int, Field(ge=1, le=PAGE_SIZE_MAX)]


def _no_nul(value):
    # No name or text holds one, and PostgreSQL refuses NUL in a query: refused here, as the pages refuse it.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def text(max_length, **kwargs):
    return Annotated[str, Field(max_length=max_length, **kwargs), AfterValidator(_no_nul)]


Name = text(300)


class ErrorBody(Schema):
    code: str = Field(
        description="Stable: bad_request, unauthorized, forbidden, not_found, gone, conflict, invalid, refused, rate_limited."
    )
    message: str
    details: Any = None


class Error(Schema):
    error: ErrorBody


# The refusals every authenticated endpoint can give, for the OpenAPI document.
ERRORS = {401: Error, 403: Error, 404: Error, 422: Error, 429: Error}
WRITE_ERRORS = {**ERRORS, 409: Error}


def paged(queryset, page, page_size):
    """(count, rows) of one page; a page past the end is empty, not an error."""
    start = (page - 1) * page_size
    return queryset.count(), list(queryset[start : start + page_size])
