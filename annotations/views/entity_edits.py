"""Changing an entity from its page: merging another entity into it (and undoing that), its aliases.

Plain form posts that redirect back to the entity page with a message; a refusal re-renders the page
with the reason (403 someone else's mentions, 404 gone, 409 changed since shown, 422 bad input) and
changes nothing."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hamish.bidi import isolate
from hamish.ids import parse_id

from ..conflicts import Gone
from ..entities import add_alias, merge_entities, remove_alias, undo_merge
from ..models import Entity
from .entities import render_detail
from .spans import first_error


def _refused(request, entity_pk, exc):
    status = 403 if isinstance(exc, PermissionDenied) else getattr(exc, "status", 422)
    message = str(exc) if isinstance(exc, PermissionDenied) else first_error(exc)
    entity = Entity.objects.filter(pk=entity_pk).first()
    if entity is None:  # the page's own entity went (merged into another meanwhile)
        raise Http404(message)
    return render_detail(request, entity, error=message, status=status)


@require_POST
def merge(request, pk):
    """Merge the picked entity (`other`) into this one."""
    entity = get_object_or_404(Entity, pk=pk)
    other_id = parse_id(request.POST.get("other"))
    if other_id is None:
        return _refused(request, pk, ValidationError(_("Pick the entity to merge into this one.")))
    other = Entity.objects.filter(pk=other_id).values_list("name", flat=True).first()
    if other is None:
        return _refused(request, pk, Gone(_("That entity no longer exists. Reload the page.")))
    try:
        merge_entities(user=request.user, keep=entity.pk, merge=other_id, version=request.POST.get("version") or None)
    except (ValidationError, PermissionDenied) as exc:
        return _refused(request, pk, exc)
    messages.success(request, _("Merged «%(other)s» into this entity. Undo puts it back.") % {"other": isolate(other)})
    return redirect("annotations:entity_detail", pk)


@require_POST
def merge_undo(request, pk):
    entity = get_object_or_404(Entity, pk=pk)
    event_id = parse_id(request.POST.get("event"))
    if event_id is None:
        return _refused(request, pk, ValidationError(_("Unknown merge to undo.")))
    try:
        undo_merge(user=request.user, event_id=event_id)
    except (ValidationError, PermissionDenied) as exc:
        return _refused(request, pk, exc)
    messages.success(request, _("The merge was undone."))
    return redirect("annotations:entity_detail", entity.pk)


@require_POST
def alias_add(request, pk):
    entity = get_object_or_404(Entity, pk=pk)
    try:
        alias = add_alias(entity=entity, name=request.POST.get("name", ""))
    except ValidationError as exc:
        return _refused(request, pk, exc)
    messages.success(request, _("Added the spelling «%(name)s».") % {"name": isolate(alias.name)})
    return redirect("annotations:entity_detail", entity.pk)


@require_POST
def alias_remove(request, pk, alias_id):
    entity = get_object_or_404(Entity, pk=pk)
    try:
        remove_alias(entity=entity, alias_id=alias_id)
    except ValidationError as exc:
        return _refused(request, pk, exc)
    messages.success(request, _("The spelling was removed."))
    return redirect("annotations:entity_detail", entity.pk)
