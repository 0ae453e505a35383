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
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from .conflicts import Conflict, delete_exactly, lock_for_change, save_change
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


# Whole sentences per kind: Arabic nouns carry gender, and the verbs agree.
def _cannot_restore(kind):
    return {
        "span": _("The span cannot be restored: the same span exists again."),
        "stance": _("The stance cannot be restored: the same stance exists again."),
        "boilerplate": _("The boilerplate mark cannot be restored: the same boilerplate mark exists again."),
    }[kind]


def _cannot_set_back(kind):
    return {
        "span": _("The span cannot be set back: it would duplicate another."),
        "stance": _("The stance cannot be set back: it would duplicate another."),
        "boilerplate": _("The boilerplate mark cannot be set back: it would duplicate another."),
    }[kind]


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


# Undo reaches back this far: the actions of the current sitting. Pressed the next morning, u does not quietly
# take back yesterday's last tag; older actions stay in the audit log (and can be changed by hand).
UNDO_WINDOW = timedelta(hours=2)


def _undoable_events(user, article_id=None):
    overtaken = _live_events().filter(kind=OuterRef("kind"), object_id=OuterRef("object_id"), pk__gt=OuterRef("pk"))
    events = _live_events().filter(actor=user)
    if article_id is not None:
        events = events.filter(paragraph__article_id=article_id)
    return events.annotate(overtaken=Exists(overtaken)).filter(overtaken=False).order_by("-pk")


def last_undoable_event(user, article_id=None):
    """The user's most recent own action of the last UNDO_WINDOW that has not been undone (undos themselves
    are not undone), in one article if given: undo on an article page never reaches into another article.

    An action overtaken by someone else's later change to the same annotation (an administrator deleted
    the span the analyst created) is no longer the analyst's to undo, and is passed over."""
    return _undoable_events(user, article_id).filter(at__gte=timezone.now() - UNDO_WINDOW).first()


def has_older_undoable(user, article_id=None):
    """Whether an action older than UNDO_WINDOW would be undone if undo reached that far (for the message)."""
    return _undoable_events(user, article_id).filter(at__lt=timezone.now() - UNDO_WINDOW).exists()


QUOTE_SHOWN = 40  # characters of a span's text in the undo preview


def _quote(text):
    """The text shortened, inside first-strong isolates: Arabic in an English sentence (or the reverse) keeps
    its own direction without reordering the guillemets and punctuation around it."""
    text = " ".join((text or "").split())
    text = text if len(text) <= QUOTE_SHOWN else text[: QUOTE_SHOWN - 1] + "…"
    return f"\u2068{text}\u2069"


def describe(event):
    """What undoing `event` would take back, in a few words for the analyst: 'your PER tag on «...»'."""
    from corpus.models import Paragraph

    from .models import BoilerplateCategory, Label

    data = event.after if event.action == AnnotationEvent.CREATED else event.before
    data = data or {}
    if event.kind == "entity":
        after = event.after or {}
        return _("your merge of «%(merged)s» into «%(kept)s»") % {
            "merged": _quote(after.get("merged_name")),
            "kept": _quote(after.get("name")),
        }
    if event.kind == "span":
        label = Label.objects.filter(pk=data.get("label_id")).values_list("name", flat=True).first() or "?"
        words = {
            AnnotationEvent.CREATED: _("your %(label)s tag on «%(text)s»"),
            AnnotationEvent.DELETED: _("the deletion of the %(label)s span «%(text)s»"),
            AnnotationEvent.CHANGED: _("your change to the span «%(text)s» (it was %(label)s)"),
        }[event.action]
        return words % {"label": label, "text": _quote(data.get("text"))}
    if event.kind == "stance":
        evidence = data.get("evidence") or []
        quote = _quote(evidence[0][3]) if evidence else ""
        words = {
            AnnotationEvent.CREATED: _("your new stance (evidence «%(text)s»)"),
            AnnotationEvent.DELETED: _("the deletion of a stance (evidence «%(text)s»)"),
            AnnotationEvent.CHANGED: _("your change to a stance (evidence «%(text)s»)"),
        }[event.action]
        return words % {"text": quote}
    category = BoilerplateCategory.objects.filter(pk=data.get("category_id")).values_list("name", flat=True).first() or "?"
    position = Paragraph.objects.filter(pk=event.paragraph_id).values_list("position", flat=True).first()
    words = {
        AnnotationEvent.CREATED: _("your boilerplate mark (%(category)s) on paragraph %(number)s"),
        AnnotationEvent.DELETED: _("the removal of a boilerplate mark (%(category)s) from paragraph %(number)s"),
        AnnotationEvent.CHANGED: _("your change to the boilerplate mark on paragraph %(number)s (it was %(category)s)"),
    }[event.action]
    return words % {"category": category, "number": "?" if position is None else position + 1}


@transaction.atomic
def undo_last(user, article_id=None, *, expected=None):
    """Reverse the user's last action; return the event it undid, or None if there is nothing to undo.
    With `expected` (an event id: the one the analyst was shown), refuse if the last action is another."""
    for _attempt in range(UNDO_RETRIES):
        candidate = last_undoable_event(user, article_id)
        if candidate is None:
            return None
        if expected is not None and candidate.pk != expected:
            raise Conflict(_("Your last action is no longer the one shown: press u again to see what undo would take back."))
        # Lock the event, then look again: an undo in another tab may have taken it while we waited,
        # or a newer action may have been committed meanwhile (that one is undone first).
        event = AnnotationEvent.objects.select_for_update(of=("self",)).filter(pk=candidate.pk).order_by("pk").first()
        if event is not None and not AnnotationEvent.objects.filter(undoes=event).exists():
            if last_undoable_event(user, article_id) == event:
                break
    else:
        raise Conflict(_("Other tabs are undoing at the same moment; nothing was undone here. Try again."))
    try:
        with transaction.atomic():
            _reverse(user, event)
    except IntegrityError:
        raise Conflict(_("This action was just undone in another tab, or its annotation exists again.")) from None
    return event


def _layer_refusal(user, event):
    """Why undoing `event` would break a curated layer's rules, or None. An undo is a write like any other: a
    write into a project's curated layer is refused once the article's curation is marked curated (and to anyone
    no longer among the project's curators and managers). Imported here: projects build on annotations."""
    if event.paragraph_id is None:
        return None
    author_id = (event.before or event.after or {}).get("author_id")
    if author_id is None or author_id == user.pk:
        return None
    from corpus.models import Paragraph
    from projects.curation_layer import project_of_layer, write_refusal

    project = project_of_layer(author_id)
    if project is None:
        return None
    article_id = Paragraph.objects.filter(pk=event.paragraph_id).values_list("article_id", flat=True).first()
    return write_refusal(project, user, article_id)


def _reverse(user, event):
    refusal = _layer_refusal(user, event)
    if refusal:
        raise ValidationError(refusal)
    if event.kind == "entity":  # a merge of two entities: annotations.entities puts both back
        from .entities import reverse_merge

        reverse_merge(user, event)
        return
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
            raise ValidationError(_cannot_restore(kind.name)) from None
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
            raise ValidationError(_cannot_set_back(kind.name)) from None
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
