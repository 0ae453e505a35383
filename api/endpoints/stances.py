"""Stances and boilerplate marks: list per article, create, change, delete, through the reading view's services.

Holders and targets are named as in the stance form: `holder` is "entity:<id>" or "span:<id>", or a typed
`holder_name` (with `holder_label` for a new entity); `target` is "entity:<id>" or "topic:<id>", or a typed
`target_name` (a topic of that name, else the entity of that name or alias, else a new topic).
Evidence offsets count code points, as spans' do.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from annotations.boilerplate import mark_boilerplate, unmark_boilerplate
from annotations.history import acting_via
from annotations.lookups import get_article_for_reader, get_paragraph_for_reader, get_stance_for_editor
from annotations.models import BoilerplateCategory, BoilerplateMark, Polarity, Stance
from annotations.notes import NOTE_MAX
from annotations.stances import Choice, EvidenceSelection, create_stance, delete_stance, update_stance

from ..auth import via
from ..schemas import ERRORS, WRITE_ERRORS, Id, Offset, Version, text
from .spans import QUOTE_MAX, Everyone, VersionQuery, get_label, project_allows, utf16_offsets

router = Router(tags=["annotations"])
EVIDENCE_MAX = 50  # passages in one request


class EvidenceOut(Schema):
    paragraph: int
    start: int
    end: int
    text: str


class StanceOut(Schema):
    id: int
    article: int
    holder_entity: int
    holder_name: str
    holder_span: int | None
    target_entity: int | None
    target_topic: int | None
    target_name: str
    polarity: str
    note: str
    author: str
    version: int
    created_at: datetime
    evidence: list[EvidenceOut]


def stance_out(stance):
    target = stance.target_entity or stance.target_topic
    return {
        "id": stance.pk,
        "article": stance.article_id,
        "holder_entity": stance.holder_entity_id,
        "holder_name": stance.holder_entity.name,
        "holder_span": stance.holder_span_id,
        "target_entity": stance.target_entity_id,
        "target_topic": stance.target_topic_id,
        "target_name": target.name if target else "",
        "polarity": stance.polarity.name,
        "note": stance.note,
        "author": stance.author.get_username(),
        "version": stance.version,
        "created_at": stance.created_at,
        "evidence": [
            {"paragraph": e.paragraph_id, "start": e.start, "end": e.end, "text": e.text}
            for e in sorted(stance.evidence.all(), key=lambda e: (e.paragraph.position, e.start, e.end))
        ],
    }


def _fresh_stance(pk):
    return Stance.objects.for_display().get(pk=pk)


@router.get(
    "/articles/{article_id}/stances",
    response={200: list[StanceOut], **ERRORS},
    summary="Stances of an article: yours, or everyone's with ?everyone=true",
)
def list_stances(request, article_id: Id, filters: Query[Everyone]):
    article = get_article_for_reader(request.user, article_id)
    stances = (
        Stance.objects.filter(article=article).visible_to(request.user, everyone=filters.everyone).for_display().order_by("pk")
    )
    return [stance_out(stance) for stance in stances]


class EvidenceIn(Schema):
    paragraph: Id
    start: Offset
    end: Offset
    quote: text(QUOTE_MAX)


class StanceFields(Schema):
    holder: text(40, description="entity:<id> or span:<id>") | None = None
    holder_name: text(200, description="A typed holder: wins over `holder`.") | None = None
    holder_label: text(20, description="The label of a new holder entity (default PER).") | None = None
    target: text(40, description="entity:<id> or topic:<id>") | None = None
    target_name: text(300, description="A typed target: wins over `target`.") | None = None
    polarity: text(30, description="A polarity's name, e.g. supports.") | None = None
    note: text(NOTE_MAX) | None = None


class StanceIn(StanceFields):
    evidence: list[EvidenceIn] = Field(min_length=1, max_length=EVIDENCE_MAX)


class StanceChange(StanceFields):
    version: Version | None = None


def _choices(payload, *, required):
    label = get_label(payload.holder_label) if payload.holder_label else None
    holder = Choice.parse(payload.holder, name=payload.holder_name or "", label=label)
    target = Choice.parse(payload.target, name=payload.target_name or "")
    if required and holder is None:
        raise ValidationError("Choose who holds the stance (holder or holder_name).")
    if required and target is None:
        raise ValidationError("Choose what the stance is about (target or target_name).")
    return holder, target


def _polarity(name):
    if name is None:
        return None
    polarity = Polarity.objects.filter(name=name).first()
    if polarity is None:
        raise ValidationError(f"Unknown polarity {name!r}.")
    return polarity


def _selection(user, item):
    paragraph = get_paragraph_for_reader(user, item.paragraph)
    return EvidenceSelection(paragraph, *utf16_offsets(paragraph.text, item.start, item.end), item.quote)


@router.post("/stances", response={201: StanceOut, **WRITE_ERRORS}, summary="Record a stance with its evidence")
def create(request, payload: StanceIn):
    evidence = [_selection(request.user, item) for item in payload.evidence]
    holder, target = _choices(payload, required=True)
    polarity = _polarity(payload.polarity)
    if polarity is None:
        raise ValidationError("Choose the polarity: supports, opposes, neutral or mixed.")
    project_allows(request, evidence[0].paragraph.article_id, polarity=polarity)
    with acting_via(via(request)):
        stance = create_stance(
            user=request.user,
            article=evidence[0].paragraph.article,
            evidence=evidence,
            holder=holder,
            target=target,
            polarity=polarity,
            note=payload.note or "",
        )
    return Status(201, stance_out(_fresh_stance(stance.pk)))


@router.patch(
    "/stances/{stance_id}",
    response={200: StanceOut, **WRITE_ERRORS},
    summary="Change a stance's holder, target, polarity or note",
)
def change(request, stance_id: Id, payload: StanceChange):
    stance = get_stance_for_editor(request.user, stance_id)
    holder, target = _choices(payload, required=False)
    polarity = _polarity(payload.polarity)
    if polarity is not None:
        project_allows(request, stance.article_id, polarity=polarity)
    with acting_via(via(request)):
        update_stance(
            user=request.user,
            stance=stance,
            version=payload.version,
            holder=holder,
            target=target,
            polarity=polarity,
            note=payload.note,
        )
    return stance_out(_fresh_stance(stance_id))


@router.delete("/stances/{stance_id}", response={204: None, **WRITE_ERRORS}, summary="Delete a stance")
def delete(request, stance_id: Id, filters: Query[VersionQuery]):
    stance = get_stance_for_editor(request.user, stance_id)
    with acting_via(via(request)):
        delete_stance(user=request.user, stance=stance, version=filters.version)
    return Status(204, None)


class MarkOut(Schema):
    id: int
    article: int
    paragraph: int
    category: str
    author: str
    version: int
    created_at: datetime


def mark_out(mark):
    return {
        "id": mark.pk,
        "article": mark.paragraph.article_id,
        "paragraph": mark.paragraph_id,
        "category": mark.category.name,
        "author": mark.author.get_username(),
        "version": mark.version,
        "created_at": mark.created_at,
    }


def _fresh_mark(pk):
    return BoilerplateMark.objects.select_related("paragraph", "category", "author").get(pk=pk)


@router.get(
    "/articles/{article_id}/boilerplate",
    response={200: list[MarkOut], **ERRORS},
    summary="Boilerplate marks of an article: yours, or everyone's with ?everyone=true",
)
def list_marks(request, article_id: Id, filters: Query[Everyone]):
    article = get_article_for_reader(request.user, article_id)
    marks = BoilerplateMark.objects.filter(paragraph__article=article).visible_to(request.user, everyone=filters.everyone)
    return [
        mark_out(mark) for mark in marks.select_related("paragraph", "category", "author").order_by("paragraph__position", "pk")
    ]


class MarkIn(Schema):
    paragraph: Id
    category: text(30, description="A boilerplate category's name, e.g. related.")


class MarkChange(Schema):
    version: Version | None = None
    category: text(30)


def _category(name):
    category = BoilerplateCategory.objects.filter(name=name).first()
    if category is None:
        raise ValidationError(f"Unknown boilerplate category {name!r}.")
    return category


@router.post(
    "/boilerplate",
    response={200: MarkOut, 201: MarkOut, **WRITE_ERRORS},
    summary="Mark a paragraph as boilerplate (201), or change your mark's category (200)",
)
def mark(request, payload: MarkIn):
    paragraph = get_paragraph_for_reader(request.user, payload.paragraph)
    category = _category(payload.category)
    project_allows(request, paragraph.article_id, category=category)
    existed = BoilerplateMark.objects.filter(paragraph=paragraph, author=request.user).exists()
    with acting_via(via(request)):
        made = mark_boilerplate(user=request.user, paragraph=paragraph, category=category)
    return Status((200 if existed else 201), mark_out(_fresh_mark(made.pk)))


def _mark_for_editor(user, mark_id):
    """404 if the user cannot read its article, 403 if it is someone else's (as the pages decide)."""
    found = get_object_or_404(BoilerplateMark.objects.select_related("paragraph", "author"), pk=mark_id)
    get_paragraph_for_reader(user, found.paragraph_id)
    found.check_editable_by(user)
    return found


@router.patch("/boilerplate/{mark_id}", response={200: MarkOut, **WRITE_ERRORS}, summary="Change a mark's category")
def change_mark(request, mark_id: Id, payload: MarkChange):
    found = _mark_for_editor(request.user, mark_id)
    category = _category(payload.category)
    project_allows(request, found.paragraph.article_id, category=category)
    with acting_via(via(request)):
        mark_boilerplate(
            user=request.user,
            paragraph=found.paragraph,
            category=category,
            version=payload.version,
            author=found.author,
        )
    return mark_out(_fresh_mark(mark_id))


@router.delete("/boilerplate/{mark_id}", response={204: None, **WRITE_ERRORS}, summary="Remove a boilerplate mark")
def unmark(request, mark_id: Id, filters: Query[VersionQuery]):
    found = _mark_for_editor(request.user, mark_id)
    with acting_via(via(request)):
        unmark_boilerplate(user=request.user, mark=found, version=filters.version)
    return Status(204, None)
