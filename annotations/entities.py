"""Canonical entities changed by hand: merging two that are the same person, their other spellings.

A merge moves every mention, stance holder and target and alias of one entity (the one merged) onto
another (the one kept), keeps the merged name as an alias, and deletes the merged entity, in one
transaction with both entities and every moved row locked. It is one AnnotationEvent (kind "entity"),
whose `before` holds what undo needs to put everything back: the merged entity, its aliases, the moved
rows with the version each was left at (so undo refuses when any of them changed since).
"""

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hamish.bidi import isolate

from .conflicts import Conflict, Gone
from .models import AnnotationEvent, Entity, EntityAlias, Span, Stance

ENTITY_KIND = "entity"
NAME_MAX = 200


def entity_version(entity):
    """A token of what the entity page shows about `entity`: its name, aliases, and each mention's and
    stance's id and version. A form posts the token it was shown; a merge refuses (409) when it changed."""
    spans = Span.objects.filter(entity=entity).order_by("pk").values_list("pk", "version")
    stances = Stance.objects.filter(Q(holder_entity=entity) | Q(target_entity=entity)).order_by("pk").values_list("pk", "version")
    aliases = EntityAlias.objects.filter(entity=entity).order_by("name").values_list("name", flat=True)
    state = repr((entity.pk, entity.name, entity.label_id, list(aliases), list(spans), list(stances)))
    return hashlib.sha256(state.encode()).hexdigest()[:16]


def _lock_entities(*pks):
    """The entities `pks`, locked in id order (two merges in opposite directions never deadlock)."""
    found = {e.pk: e for e in Entity.objects.select_for_update(of=("self",)).filter(pk__in=pks).order_by("pk")}
    missing = [pk for pk in pks if pk not in found]
    if missing:
        raise Gone(_("This entity no longer exists: it was merged or deleted meanwhile. Reload the page."))
    return [found[pk] for pk in pks]


def _refusal_for_others(user, spans, stances):
    """Why `user` may not move these annotations (someone else's, unless an administrator or, for a project's
    curated layer, its curators), or None. One check per other author, not per row: an analyst's rights over
    another analyst's annotations are the same for each of them; only a curated layer's depend on the article."""
    from projects.curation_layer import project_of_layer  # projects build on annotations: imported when asked

    by_author = {}
    for row in [*spans, *stances]:
        if row.author_id != user.pk:
            by_author.setdefault(row.author_id, []).append(row)
    refused = 0
    for author_id, rows in by_author.items():
        if project_of_layer(author_id) is None:
            refused += 0 if rows[0].is_editable_by(user) else len(rows)
        else:
            refused += sum(not row.is_editable_by(user) for row in rows)
    if not refused:
        return None
    return ngettext(
        "%(count)d mention or stance of this entity is another analyst's: only an administrator may merge it.",
        "%(count)d mentions or stances of this entity are other analysts': only an administrator may merge them.",
        refused,
    ) % {"count": refused}


@transaction.atomic
def merge_entities(*, user, keep, merge, version=None):
    """Merge entity `merge` into `keep` (ids or instances); return the event. `version` is the token of
    `keep` the analyst was shown (see entity_version): Conflict when it changed since."""
    keep_pk, merge_pk = getattr(keep, "pk", keep), getattr(merge, "pk", merge)
    if keep_pk == merge_pk:
        raise ValidationError(_("Pick another entity: an entity cannot be merged into itself."))
    locked = dict(zip((keep_pk, merge_pk), _lock_entities(keep_pk, merge_pk), strict=True))
    keep, merge = locked[keep_pk], locked[merge_pk]
    if version is not None and version != entity_version(keep):
        raise Conflict(
            _("This entity changed since the page was shown (a mention, stance or alias); nothing was merged. Reload the page.")
        )
    if keep.label_id != merge.label_id:
        raise ValidationError(
            _("%(merge)s is a %(merge_label)s and %(keep)s a %(keep_label)s: only entities of one label can be merged.")
            % {
                "merge": isolate(merge.name),
                "merge_label": merge.label.name,
                "keep": isolate(keep.name),
                "keep_label": keep.label.name,
            }
        )
    spans = list(Span.objects.select_for_update(of=("self",)).filter(entity=merge).order_by("pk"))
    stances = list(
        Stance.objects.select_for_update(of=("self",)).filter(Q(holder_entity=merge) | Q(target_entity=merge)).order_by("pk")
    )
    refusal = _refusal_for_others(user, spans, stances)
    if refusal:
        raise PermissionDenied(refusal)
    both = [s for s in stances if {s.holder_entity_id, s.target_entity_id} == {keep.pk, merge.pk}]
    if both:
        raise ValidationError(
            ngettext(
                "%(count)d stance has one of these entities as holder and the other as target: change it first.",
                "%(count)d stances have one of these entities as holder and the other as target: change them first.",
                len(both),
            )
            % {"count": len(both)}
        )
    old_aliases = list(EntityAlias.objects.filter(entity=merge).values_list("name", flat=True))
    taken = {keep.name, *EntityAlias.objects.filter(entity=keep).values_list("name", flat=True)}
    added = [name for name in dict.fromkeys([merge.name, *old_aliases]) if name not in taken]

    Span.objects.filter(pk__in=[s.pk for s in spans]).update(entity=keep, version=F("version") + 1)
    holders = [s.pk for s in stances if s.holder_entity_id == merge.pk]
    targets = [s.pk for s in stances if s.target_entity_id == merge.pk]
    Stance.objects.filter(pk__in=holders).update(holder_entity=keep, version=F("version") + 1)
    Stance.objects.filter(pk__in=targets).update(target_entity=keep, version=F("version") + 1)
    EntityAlias.objects.bulk_create(EntityAlias(entity=keep, name=name) for name in added)
    before = {
        "merged": {
            "id": merge.pk,
            "name": merge.name,
            "label_id": merge.label_id,
            "created_by_id": merge.created_by_id,
            "created_at": merge.created_at.isoformat(),
            "aliases": old_aliases,
        },
        "spans": [[s.pk, s.version + 1] for s in spans],
        "holder_stances": [[s.pk, s.version + 1] for s in stances if s.pk in holders],
        "target_stances": [[s.pk, s.version + 1] for s in stances if s.pk in targets],
        "added_aliases": added,
    }
    merge.delete()
    return AnnotationEvent.objects.create(
        actor=user,
        action=AnnotationEvent.CHANGED,
        kind=ENTITY_KIND,
        object_id=keep.pk,
        before=before,
        after={"id": keep.pk, "name": keep.name, "merged_name": before["merged"]["name"]},
    )


def last_merge(user, entity):
    """The merge into `entity` that `user` (its actor) may undo: the newest one not undone, or None."""
    return (
        AnnotationEvent.objects.filter(
            kind=ENTITY_KIND, object_id=entity.pk, actor=user, undoes__isnull=True, undone_by__isnull=True
        )
        .order_by("-pk")
        .first()
    )


def _lock_moved(model, rows):
    """The rows [[pk, version left by the merge]] locked; Conflict when any changed or is gone since."""
    versions = dict(map(tuple, rows))
    current = dict(
        model.objects.select_for_update(of=("self",)).filter(pk__in=versions).order_by("pk").values_list("pk", "version")
    )
    if current != versions:
        raise Conflict(
            _(
                "Some of the moved mentions or stances changed or were deleted since the merge; it can no longer be undone as a whole."
            )
        )
    return list(versions)


@transaction.atomic
def undo_merge(*, user, event_id):
    """Put back the entity a merge removed, with its mentions, stances and aliases; return the undo's event."""
    event = (
        AnnotationEvent.objects.select_for_update(of=("self",))
        .filter(pk=event_id, kind=ENTITY_KIND, undoes__isnull=True)
        .order_by("pk")
        .first()
    )
    if event is None or AnnotationEvent.objects.filter(undoes=event).exists():
        raise Gone(_("This merge was already undone, or never happened."))
    if event.actor_id != user.pk:
        raise PermissionDenied(_("Only who merged the entities may undo the merge."))
    return reverse_merge(user, event)


def reverse_merge(user, event):
    """Undo one merge event (inside the caller's transaction, the event locked); also history's undo."""
    data = event.before
    merged = data["merged"]
    (keep,) = _lock_entities(event.object_id)
    spans = _lock_moved(Span, data["spans"])
    holders = _lock_moved(Stance, data["holder_stances"])
    targets = _lock_moved(Stance, data["target_stances"])
    try:
        with transaction.atomic():
            restored = Entity.objects.create(
                pk=merged["id"], name=merged["name"], label_id=merged["label_id"], created_by_id=merged["created_by_id"]
            )
    except IntegrityError:
        raise ValidationError(
            _("%(name)s cannot be restored: an entity of that name and label exists again.") % {"name": isolate(merged["name"])}
        ) from None
    Entity.objects.filter(pk=restored.pk).update(created_at=merged["created_at"])
    EntityAlias.objects.filter(entity=keep, name__in=data["added_aliases"]).delete()
    EntityAlias.objects.bulk_create(EntityAlias(entity=restored, name=name) for name in merged["aliases"])
    Span.objects.filter(pk__in=spans).update(entity=restored, version=F("version") + 1)
    Stance.objects.filter(pk__in=holders).update(holder_entity=restored, version=F("version") + 1)
    Stance.objects.filter(pk__in=targets).update(target_entity=restored, version=F("version") + 1)
    return AnnotationEvent.objects.create(
        actor=user,
        action=AnnotationEvent.CHANGED,
        kind=ENTITY_KIND,
        object_id=keep.pk,
        before=event.after,
        after={"id": restored.pk, "name": restored.name, "restored_from": keep.pk},
        undoes=event,
    )


# ---- aliases -----------------------------------------------------------------------------------


def clean_alias_name(name):
    """One line, single spaces, 1..200 characters; ValidationError with a clear message otherwise."""
    cleaned = " ".join((name or "").replace("\x00", "").split())
    if not cleaned:
        raise ValidationError(_("Type the other spelling to add."))
    if len(cleaned) > NAME_MAX:
        raise ValidationError(_("An alias may have at most %(max)d characters.") % {"max": NAME_MAX})
    return cleaned


@transaction.atomic
def add_alias(*, entity, name):
    name = clean_alias_name(name)
    (entity,) = _lock_entities(entity.pk)
    if name == entity.name:
        raise ValidationError(_("That is the entity's own name."))
    alias, created = EntityAlias.objects.get_or_create(entity=entity, name=name)
    if not created:
        raise ValidationError(_("%(name)s is already an alias of this entity.") % {"name": isolate(name)})
    return alias


@transaction.atomic
def remove_alias(*, entity, alias_id):
    deleted, _counts = EntityAlias.objects.filter(entity=entity, pk=alias_id).delete()
    if not deleted:
        raise Gone(_("This alias no longer exists. Reload the page."))
