"""The audit log and undo, for every kind of annotation.

Each write of a span, stance or boilerplate mark records one AnnotationEvent with snapshots of the
annotation before and after. Undo reverses the analyst's latest event that has not been undone, from
those snapshots: a create is deleted, a delete is restored under its old id, a change is set back.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from .models import AnnotationEvent, BoilerplateMark, Span, Stance, StanceEvidence


class Kind:
    """How to snapshot, delete, restore and set back one kind of annotation."""

    name = model = None
    fields = ()  # snapshot fields; set back on undoing a change unless listed in fixed_fields
    fixed_fields = ()

    def snapshot(self, obj):
        return {field: getattr(obj, field) for field in self.fields}

    def delete(self, obj):
        obj.delete()

    def restore(self, pk, data):
        obj = self.model(pk=pk, **{field: data[field] for field in self.fields})
        obj.save(force_insert=True)
        return obj

    def set_back(self, obj, data):
        for field in self.fields:
            if field not in self.fixed_fields:
                setattr(obj, field, data[field])
        obj.save()


class SpanKind(Kind):
    name, model = "span", Span
    fields = ("paragraph_id", "start", "end", "text", "label_id", "entity_id", "author_id", "note")
    fixed_fields = ("paragraph_id", "start", "end", "text", "author_id")


class BoilerplateKind(Kind):
    name, model = "boilerplate", BoilerplateMark
    fields = ("paragraph_id", "category_id", "author_id")
    fixed_fields = ("paragraph_id", "author_id")


class StanceKind(Kind):
    name, model = "stance", Stance
    fields = ("article_id", "holder_entity_id", "holder_span_id", "target_entity_id", "target_topic_id",
              "polarity_id", "author_id", "note")
    fixed_fields = ("article_id", "author_id")

    def snapshot(self, stance):
        data = super().snapshot(stance)
        data["evidence"] = [
            [item.paragraph_id, item.start, item.end, item.text]
            for item in StanceEvidence.objects.filter(stance=stance).order_by("paragraph_id", "start", "end")
        ]
        return data

    def _holder_span(self, data):
        # The holder's mention may have been deleted since; the holder entity is what counts.
        span_id = data["holder_span_id"]
        return span_id if span_id and Span.objects.filter(pk=span_id).exists() else None

    def _write_evidence(self, stance, data):
        StanceEvidence.objects.filter(stance=stance).delete()
        StanceEvidence.objects.bulk_create(
            StanceEvidence(stance=stance, paragraph_id=p, start=s, end=e, text=t) for p, s, e, t in data["evidence"]
        )

    def restore(self, pk, data):
        data = {**data, "holder_span_id": self._holder_span(data)}
        stance = super().restore(pk, data)
        self._write_evidence(stance, data)
        return stance

    def set_back(self, stance, data):
        super().set_back(stance, {**data, "holder_span_id": self._holder_span(data)})
        self._write_evidence(stance, data)


KINDS = {kind.name: kind for kind in (SpanKind(), BoilerplateKind(), StanceKind())}


def _kind_of(obj):
    return next(kind for kind in KINDS.values() if isinstance(obj, kind.model))


def snapshot(obj):
    return _kind_of(obj).snapshot(obj)


def log(actor, action, obj_or_kind, object_id, paragraph_id, *, before=None, after=None, undoes=None):
    kind = obj_or_kind if isinstance(obj_or_kind, str) else _kind_of(obj_or_kind).name
    return AnnotationEvent.objects.create(
        actor=actor, action=action, kind=kind, object_id=object_id, paragraph_id=paragraph_id,
        before=before, after=after, undoes=undoes,
    )


def delete_logged(user, obj, paragraph_id):
    """Delete an annotation for `user` (its author or an administrator), with its audit event; the caller
    holds the transaction. `paragraph_id` is where the log and undo place it."""
    obj.check_editable_by(user)
    kind = _kind_of(obj)
    before, object_id = kind.snapshot(obj), obj.pk
    kind.delete(obj)
    log(user, AnnotationEvent.DELETED, kind.name, object_id, paragraph_id, before=before)


def last_undoable_event(user, article_id=None):
    """The user's most recent own action that has not been undone (undos themselves are not undone),
    in one article if given: undo on an article page never reaches into another article."""
    events = AnnotationEvent.objects.filter(actor=user, undoes__isnull=True, undone_by__isnull=True)
    if article_id is not None:
        events = events.filter(paragraph__article_id=article_id)
    return events.order_by("-pk").first()


@transaction.atomic
def undo_last(user, article_id=None):
    """Reverse the user's last action; return the event it undid, or None if there is nothing to undo."""
    event = last_undoable_event(user, article_id)
    if event is None:
        return None
    kind = KINDS[event.kind]
    what = event.kind if event.kind != "boilerplate" else "boilerplate mark"
    current = kind.model.objects.filter(pk=event.object_id).first()
    if event.action == AnnotationEvent.CREATED:
        before = kind.snapshot(current) if current is not None else None
        if current is not None:
            kind.delete(current)
        log(user, AnnotationEvent.DELETED, kind.name, event.object_id, event.paragraph_id, before=before, undoes=event)
    elif event.action == AnnotationEvent.DELETED:
        try:
            with transaction.atomic():
                restored = kind.restore(event.object_id, event.before)
        except IntegrityError:
            raise ValidationError(f"The {what} cannot be restored: the same {what} exists again.") from None
        log(user, AnnotationEvent.CREATED, kind.name, event.object_id, event.paragraph_id,
            after=kind.snapshot(restored), undoes=event)
    else:
        if current is None:
            raise ValidationError(f"The {what} was deleted since; there is nothing to restore.")
        before = kind.snapshot(current)
        try:
            with transaction.atomic():
                kind.set_back(current, event.before)
        except IntegrityError:
            raise ValidationError(f"The {what} cannot be set back: it would duplicate another.") from None
        log(user, AnnotationEvent.CHANGED, kind.name, current.pk, event.paragraph_id,
            before=before, after=kind.snapshot(current), undoes=event)
    return event
