"""Entity spans: list per article, create, change, delete, through the services the reading view uses.

Offsets here count code points of the paragraph's NFC text (Python string indices, as stored and exported);
the reading view's browser counts UTF-16 units. The API converts to UTF-16 and calls the same `create_span`,
so both arrive at one check (offsets in range, quote equal to the text there, no cut combining mark).
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from annotations.history import acting_via
from annotations.lookups import get_article_for_reader, get_paragraph_for_reader, get_span_for_editor
from annotations.models import Entity, Label, Span
from annotations.notes import NOTE_MAX
from annotations.offsets import code_point_to_utf16
from annotations.spans import create_span, delete_span, update_span
from projects.scope import allowed_for_request
from projects.scope import refusal as project_refusal

from ..auth import via
from ..errors import Refused
from ..schemas import ERRORS, WRITE_ERRORS, Id, Offset, Version, text

router = Router(tags=["annotations"])
QUOTE_MAX = 10_000  # as the reading view's form


class SpanOut(Schema):
    id: int
    article: int
    paragraph: int
    start: int
    end: int
    text: str
    label: str
    entity: int | None
    author: str
    note: str
    version: int
    created_at: datetime
    updated_at: datetime


def span_out(span):
    return {
        "id": span.pk,
        "article": span.paragraph.article_id,
        "paragraph": span.paragraph_id,
        "start": span.start,
        "end": span.end,
        "text": span.text,
        "label": span.label.name,
        "entity": span.entity_id,
        "author": span.author.get_username(),
        "note": span.note,
        "version": span.version,
        "created_at": span.created_at,
        "updated_at": span.updated_at,
    }


class Everyone(Schema):
    everyone: bool = False


@router.get(
    "/articles/{article_id}/spans",
    response={200: list[SpanOut], **ERRORS},
    summary="Spans of an article: yours, or everyone's with ?everyone=true",
)
def list_spans(request, article_id: Id, filters: Query[Everyone]):
    article = get_article_for_reader(request.user, article_id)
    spans = Span.objects.filter(paragraph__article=article).visible_to(request.user, everyone=filters.everyone)
    spans = spans.select_related("paragraph", "label", "author").order_by("paragraph__position", "start", "-end", "pk")
    return [span_out(span) for span in spans]


class SpanIn(Schema):
    paragraph: Id
    start: Offset
    end: Offset
    quote: text(QUOTE_MAX, description="The paragraph's text from start to end, exactly; a mismatch is refused (422).")
    label: text(20, description="A label's name, e.g. PER.")
    entity: Id | None = None


def get_label(name):
    label = Label.objects.filter(name=name).first()
    if label is None:
        raise ValidationError(f"Unknown label {name!r}.")
    return label


def get_entity(entity_id):
    entity = Entity.objects.select_related("label").filter(pk=entity_id).first() if entity_id is not None else None
    if entity_id is not None and entity is None:
        raise ValidationError(f"There is no entity {entity_id}.")
    return entity


def project_allows(request, article_id, **used):
    """Refuse (422) a label, polarity or category the article's project does not use (projects.scope: the
    project named by ?project=, else the union of the caller's projects that hold the article)."""
    message = project_refusal(allowed_for_request(request, article_id), **used)
    if message:
        raise ValidationError(message)


def utf16_offsets(paragraph_text, start, end):
    """Code point offsets as the browser's UTF-16 units, for the services' one check; out of range is refused
    here in code points (the units would name a different number)."""
    length = len(paragraph_text)
    if start > length or end > length:
        raise ValidationError(
            _("The offsets %(start)s-%(end)s are outside the paragraph (0-%(length)s code points).")
            % {"start": start, "end": end, "length": length}
        )
    return code_point_to_utf16(paragraph_text, start), code_point_to_utf16(paragraph_text, end)


@router.post("/spans", response={201: SpanOut, **WRITE_ERRORS}, summary="Tag a passage (code point offsets and its quote)")
def create(request, payload: SpanIn):
    paragraph = get_paragraph_for_reader(request.user, payload.paragraph)
    label, entity = get_label(payload.label), get_entity(payload.entity)
    project_allows(request, paragraph.article_id, label=label)
    utf16_start, utf16_end = utf16_offsets(paragraph.text, payload.start, payload.end)
    try:
        with acting_via(via(request)):
            span = create_span(
                user=request.user,
                paragraph=paragraph,
                utf16_start=utf16_start,
                utf16_end=utf16_end,
                quote=payload.quote,
                label=label,
                entity=entity,
            )
    except ValidationError as exc:
        # What the paragraph holds at those offsets, so a script can see how its offsets or its quote are off.
        raise Refused(
            exc.messages,
            details={
                "text_at_offsets": paragraph.text[payload.start : payload.end][:200],
                "paragraph_length": len(paragraph.text),
                "offsets": "code points",
            },
        ) from None
    span.paragraph = paragraph
    return Status(201, span_out(span))


class SpanChange(Schema):
    version: Version | None = None
    label: text(20) | None = None
    entity: Id | None = Field(None, description="An entity id to link; null unlinks; leave it out to keep the link.")
    new_entity_name: text(200, description="Link to the entity of this name or alias (made if none).") | None = None
    note: text(NOTE_MAX) | None = None


@router.patch(
    "/spans/{span_id}",
    response={200: SpanOut, **WRITE_ERRORS},
    summary="Change a span's label, entity link (null unlinks) or note",
)
def change(request, span_id: Id, payload: SpanChange):
    span = get_span_for_editor(request.user, span_id)
    changes = {}
    if payload.label is not None:
        changes["label"] = get_label(payload.label)
        project_allows(request, span.paragraph.article_id, label=changes["label"])
    if payload.new_entity_name and payload.new_entity_name.strip():
        changes["new_entity_name"] = " ".join(payload.new_entity_name.split())
    elif "entity" in payload.model_fields_set:
        changes["entity"] = get_entity(payload.entity)
    if payload.note is not None:
        changes["note"] = payload.note
    with acting_via(via(request)):
        update_span(user=request.user, span=span, version=payload.version, **changes)
    span = Span.objects.select_related("paragraph", "label", "author").get(pk=span_id)
    return span_out(span)


class VersionQuery(Schema):
    version: Version | None = None


@router.delete("/spans/{span_id}", response={204: None, **WRITE_ERRORS}, summary="Delete a span")
def delete(request, span_id: Id, filters: Query[VersionQuery]):
    span = get_span_for_editor(request.user, span_id)
    with acting_via(via(request)):
        delete_span(user=request.user, span=span, version=filters.version)
    return Status(204, None)
