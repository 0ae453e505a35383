"""The audit log and undo, for every kind of annotation.

Each write of a span, stance or boilerplate mark records one AnnotationEvent with snapshots of the
annotation before and after, taken from the row as locked and re-read inside the write's transaction
(see conflicts), so for every annotation each event's `before` is the previous event's `after`.
Undo reverses the analyst's latest event that has not been undone, from those snapshots: a create is
deleted, a delete is restored under its old id, a change is set back. The event is locked while it is
undone, so two undos at once never undo the same event twice.
"""

import contextlib
import contextvars

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef

from .conflicts import Conflict, delete_exactly, lock_for_change, save_change, what
from .models import AnnotationEvent, BoilerplateMark, Span, Stance, StanceEvidence


class Kind:
    """How to snapshot, delete, restore and set back one kind of annotation."""

    name = model = None
    fields = ()  # snapshot fields; set back on undoing a change unless listed in fixed_fields
    fixed_fields = ()

    @property
    def changeable_fields(self):
        return [field for field in self.fields if field not in self.fixed_fields]

    def snapshot(self, obj):
        return {**{field: getattr(obj, field) for field in self.fields}, "version": obj.version}

    def delete(self, obj):
        delete_exactly(obj)

    def restore(self, pk, data):
        obj = self.model(pk=pk, **{field: data[field] for field in self.fields})
        # Higher than any version a card from before the delete can hold.
        obj.version = data.get("version", 1) + 1
        obj.save(force_insert=True)
        return obj

    def set_back(self, obj, data):
        for field in self.changeable_fields:
            setattr(obj, field, data[field])
        save_change(obj, self.changeable_fields)


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
    fields = (
        "article_id",
        "holder_entity_id",
        "holder_span_id",
        "target_entity_id",
        "target_topic_id",
        "polarity_id",
        "author_id",
        "note",
    )
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


# How the current request's writes arrived ("" for the pages): set by the API around each write, so every event
# the services log records it without each service taking one more argument.
_via = contextvars.ContextVar("annotation_event_via", default="")


@contextlib.contextmanager
def acting_via(description):
    reset = _via.set(description[:100])
    try:
        yield
    finally:
        _via.reset(reset)


def log(actor, action, obj_or_kind, object_id, paragraph_id, *, before=None, after=None, undoes=None):
    kind = obj_or_kind if isinstance(obj_or_kind, str) else _kind_of(obj_or_kind).name
    author_id = (after or before or {}).get("author_id", getattr(actor, "pk", None))
    if action != AnnotationEvent.IMPORTED and paragraph_id is not None and author_id == actor.pk:
        # Every annotation write passes here, inside its transaction: an article its annotator marked done
        # refuses the write (the whole transaction rolls back), a new one turns "in progress". Only for the
        # actor's own annotations: a curator writing the curated layer (or an admin fixing someone's span) is
        # not held back by their own "done" as an annotator of the article. Imported here because projects
        # build on annotations, not the other way round.
        from projects.assigning import record_activity

        record_activity(user=actor, paragraph_id=paragraph_id)
    return AnnotationEvent.objects.create(
        actor=actor,
        action=action,
        kind=kind,
        object_id=object_id,
        paragraph_id=paragraph_id,
        before=before,
        after=after,
        undoes=undoes,
        via=_via.get(),
    )


def delete_logged(user, obj, paragraph_id=None, *, version=None):
    """Delete an annotation for `user` (its author or an administrator), with its audit event, inside
    the caller's transaction. The row is re-read under a lock first: a copy loaded earlier may be stale
    (another tab relabelled or deleted it), and the event must record what was really deleted.
    `paragraph_id` is where the log and undo place it (a callable of the fresh row, or the row's own)."""
    kind = _kind_of(obj)
    current = lock_for_change(kind.model, obj.pk, user=user, version=version)
    if callable(paragraph_id):
        paragraph_id = paragraph_id(current)
    elif paragraph_id is None:
        paragraph_id = current.paragraph_id
    before = kind.snapshot(current)
    kind.delete(current)
    log(user, AnnotationEvent.DELETED, kind.name, obj.pk, paragraph_id, before=before)
    return before


UNDO_RETRIES = 20  # undos in other tabs that may take the candidate event from under us before we give up


def _live_events():
    """Events that still stand: neither an undo nor undone."""
    return AnnotationEvent.objects.filter(undoes__isnull=True, undone_by__isnull=True).exclude(action=AnnotationEvent.IMPORTED)


def last_undoable_event(user, article_id=None):
    """The user's most recent own action that has not been undone (undos themselves are not undone),
    in one article if given: undo on an article page never reaches into another article.

    An action overtaken by someone else's later change to the same annotation (an administrator deleted
    the span the analyst created) is no longer the analyst's to undo, and is passed over."""
    overtaken = _live_events().filter(kind=OuterRef("kind"), object_id=OuterRef("object_id"), pk__gt=OuterRef("pk"))
    events = _live_events().filter(actor=user)
    if article_id is not None:
        events = events.filter(paragraph__article_id=article_id)
    return events.annotate(overtaken=Exists(overtaken)).filter(overtaken=False).order_by("-pk").first()


@transaction.atomic
def undo_last(user, article_id=None):
    """Reverse the user's last action; return the event it undid, or None if there is nothing to undo."""
    for _attempt in range(UNDO_RETRIES):
        candidate = last_undoable_event(user, article_id)
        if candidate is None:
            return None
        # Lock the event, then look again: an undo in another tab may have taken it while we waited,
        # or a newer action may have been committed meanwhile (that one is undone first).
        event = AnnotationEvent.objects.select_for_update(of=("self",)).filter(pk=candidate.pk).order_by("pk").first()
        if event is not None and not AnnotationEvent.objects.filter(undoes=event).exists():
            if last_undoable_event(user, article_id) == event:
                break
    else:
        raise Conflict("Other tabs are undoing at the same moment; nothing was undone here. Try again.")
    try:
        with transaction.atomic():
            _reverse(user, event)
    except IntegrityError:
        raise Conflict("This action was just undone in another tab, or its annotation exists again.") from None
    return event


def _reverse(user, event):
    kind = KINDS[event.kind]
    if event.action == AnnotationEvent.CREATED:
        current = lock_for_change(kind.model, event.object_id)
        before = kind.snapshot(current)
        kind.delete(current)
        log(user, AnnotationEvent.DELETED, kind.name, event.object_id, event.paragraph_id, before=before, undoes=event)
    elif event.action == AnnotationEvent.DELETED:
        try:
            with transaction.atomic():
                restored = kind.restore(event.object_id, event.before)
        except IntegrityError:
            raise ValidationError(
                f"The {what(kind.model)} cannot be restored: the same {what(kind.model)} exists again."
            ) from None
        log(
            user,
            AnnotationEvent.CREATED,
            kind.name,
            event.object_id,
            event.paragraph_id,
            after=kind.snapshot(restored),
            undoes=event,
        )
    else:
        current = lock_for_change(kind.model, event.object_id)
        before = kind.snapshot(current)
        try:
            with transaction.atomic():
                kind.set_back(current, event.before)
        except IntegrityError:
            raise ValidationError(f"The {what(kind.model)} cannot be set back: it would duplicate another.") from None
        log(
            user,
            AnnotationEvent.CHANGED,
            kind.name,
            current.pk,
            event.paragraph_id,
            before=before,
            after=kind.snapshot(current),
            undoes=event,
        )
