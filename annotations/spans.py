"""Writing spans: create, change, delete. Each write is one transaction and one audit event (see history)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .conflicts import lock_for_change, save_change
from .history import delete_logged, log, snapshot
from .models import AnnotationEvent, Entity, EntityAlias, Span
from .notes import NOTE_MAX, clean_note_source
from .offsets import OffsetError, span_from_browser


def find_or_create_entity(*, name, label, user):
    """The entity of this label called `name` (or with that alias), created if there is none."""
    name = " ".join(name.split())
    existing = Entity.objects.filter(label=label, name=name).first() or (
        Entity.objects.filter(label=label, aliases__name=name).first()
    )
    if existing:
        return existing
    if len(name) > 200:
        raise ValidationError(_("An entity name may have at most 200 characters."))
    return Entity.objects.create(name=name, label=label, created_by=user)


def remember_spelling(entity, text):
    """A span linked to an entity under another spelling (سيليست والاندر for سيليست واندر) adds that
    spelling as an alias, so autocomplete and later suggestions find it."""
    spelling = " ".join(text.split())
    if spelling and spelling != entity.name and len(spelling) <= 200:
        EntityAlias.objects.get_or_create(entity=entity, name=spelling)


@transaction.atomic
def create_span(*, user, paragraph, utf16_start, utf16_end, quote, label, entity=None, author=None):
    """Store a span from a browser selection (UTF-16 offsets); raise ValidationError with a clear message.
    `author` is whose span it is when that is not the acting `user` (a curator writing a project's curated
    layer); the audit event's actor is always `user`."""
    author = author or user
    if not label.is_active:
        raise ValidationError(_("The label %(label)s is retired; choose another.") % {"label": label.name})
    if entity is not None and entity.label_id != label.pk:
        raise ValidationError(
            _("%(entity)s is a %(entity_label)s, not a %(label)s.")
            % {"entity": entity.name, "entity_label": entity.label.name, "label": label.name}
        )
    try:
        start, end = span_from_browser(paragraph.text, utf16_start, utf16_end, quote)
    except OffsetError as exc:
        raise ValidationError(str(exc)) from None
    try:  # the unique constraint answers "already tagged" (no query before the insert on the hot path)
        with transaction.atomic():
            span = Span.objects.create(
                paragraph=paragraph,
                start=start,
                end=end,
                text=paragraph.text[start:end],
                label=label,
                entity=entity,
                author=author,
            )
    except IntegrityError:
        if author == user:
            message = _("You have already tagged exactly this text with this label.")
        else:
            message = _("The curated layer has already tagged exactly this text with this label.")
        raise ValidationError(message) from None
    log(user, AnnotationEvent.CREATED, span, span.pk, paragraph.pk, after=snapshot(span))
    return span


SPAN_CHANGEABLE = ("label_id", "entity_id", "note")


@transaction.atomic
def update_span(*, user, span, version=None, label=None, entity=..., new_entity_name=None, note=None):
    """Change a span's label, entity link (None unlinks; new_entity_name links to a new or existing
    entity of the span's label, by name or alias) or note. `span` may be a stale copy: the row is re-read
    under a lock, and `version` (the one the analyst's card showed) must still be current (see conflicts)."""
    span = lock_for_change(Span, span.pk, user=user, version=version)
    before = snapshot(span)
    if new_entity_name:
        entity = find_or_create_entity(name=new_entity_name, label=label or span.label, user=user)
    if label is not None:
        if not label.is_active and label.pk != span.label_id:
            raise ValidationError(_("The label %(label)s is retired; choose another.") % {"label": label.name})
        span.label = label
    if entity is not ...:
        if entity is not None and entity.label_id != span.label_id:
            raise ValidationError(
                _("%(entity)s is a %(entity_label)s, but this span is a %(label)s.")
                % {"entity": entity.name, "entity_label": entity.label.name, "label": span.label.name}
            )
        span.entity = entity
        if entity is not None:
            remember_spelling(entity, span.text)
    elif label is not None and span.entity_id and span.entity.label_id != label.pk:
        span.entity = None  # a PER entity cannot stay on what is now an ORG span
    if note is not None:
        if len(note) > NOTE_MAX:
            raise ValidationError(_("The note is longer than %(max)s characters.") % {"max": NOTE_MAX})
        span.note = clean_note_source(note)
    if snapshot(span) == before:
        return span
    try:
        with transaction.atomic():
            save_change(span, SPAN_CHANGEABLE)
    except IntegrityError:
        raise ValidationError(_("You already have a span with this label on exactly this text.")) from None
    log(user, AnnotationEvent.CHANGED, span, span.pk, span.paragraph_id, before=before, after=snapshot(span))
    return span


@transaction.atomic
def delete_span(*, user, span, version=None):
    """Delete the span (`span` may be a stale copy; what is deleted and logged is the row as it is now)."""
    delete_logged(user, span, version=version)
