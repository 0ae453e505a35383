"""Writes that stay right when two tabs, two analysts or two workers change the same annotation at once.

Every change re-reads its row inside the write's transaction under a lock (`select_for_update` on
PostgreSQL; on SQLite the IMMEDIATE transaction already holds the database's write lock), so the
audit event's `before` is what was really there. Each annotation carries a version that every change
raises by one; a card sends the version it showed, and a change made from a stale card is refused
with 409 instead of silently overwriting what another tab saved. Saves are UPDATEs of exactly one
row, checked: never Django's fallback to an INSERT, which brought deleted spans back.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


class Conflict(ValidationError):
    """The annotation changed since the analyst's copy was shown: 409, with the current state to reload."""

    status = 409


class Gone(ValidationError):
    """The annotation no longer exists (deleted in another tab or by someone else): 404."""

    status = 404


# Whole sentences per kind of annotation, not "This {what}": Arabic nouns carry gender and the verbs agree.
def _gone_message(model):
    return {
        "span": _("This span no longer exists: it was deleted in another tab or by someone else. Reload the page."),
        "stance": _("This stance no longer exists: it was deleted in another tab or by someone else. Reload the page."),
        "boilerplatemark": _(
            "This boilerplate mark no longer exists: it was deleted in another tab or by someone else. Reload the page."
        ),
    }.get(model._meta.model_name) or _(
        "This annotation no longer exists: it was deleted in another tab or by someone else. Reload the page."
    )


def _changed_message(model):
    return {
        "span": _(
            "This span was changed in another tab or by someone else since you opened it; nothing was saved. Here is the current one."
        ),
        "stance": _(
            "This stance was changed in another tab or by someone else since you opened it; nothing was saved. Here is the current one."
        ),
        "boilerplatemark": _(
            "This boilerplate mark was changed in another tab or by someone else since you opened it; nothing was saved. "
            "Here is the current one."
        ),
    }.get(model._meta.model_name) or _(
        "This annotation was changed in another tab or by someone else since you opened it; nothing was saved. "
        "Here is the current one."
    )


def _raced_message(model):
    return {
        "span": _("This span was changed or deleted at the same moment elsewhere; nothing was saved. Reload the page."),
        "stance": _("This stance was changed or deleted at the same moment elsewhere; nothing was saved. Reload the page."),
        "boilerplatemark": _(
            "This boilerplate mark was changed or deleted at the same moment elsewhere; nothing was saved. Reload the page."
        ),
    }.get(model._meta.model_name) or _(
        "This annotation was changed or deleted at the same moment elsewhere; nothing was saved. Reload the page."
    )


def _deleted_at_once_message(model):
    return {
        "span": _("This span was deleted at the same moment elsewhere."),
        "stance": _("This stance was deleted at the same moment elsewhere."),
        "stanceevidence": _("This stance evidence was deleted at the same moment elsewhere."),
        "boilerplatemark": _("This boilerplate mark was deleted at the same moment elsewhere."),
    }.get(model._meta.model_name) or _("This annotation was deleted at the same moment elsewhere.")


def lock_for_change(model, pk, *, user=None, version=None):
    """The annotation `pk`, re-read and locked for the rest of the transaction.

    Only the annotation's own row is locked (`of=self`, and ordered by pk): a model's default ordering
    may join its article, and locking that too deadlocked two tabs on PostgreSQL.

    Raises Gone when it was deleted, PermissionDenied when `user` may not change it, and Conflict when
    `version` (what the analyst's card showed; None when the client sent none) is not the current one.
    """
    obj = model.objects.select_for_update(of=("self",)).filter(pk=pk).order_by("pk").first()
    if obj is None:
        raise Gone(_gone_message(model))
    if user is not None:
        obj.check_editable_by(user)
    if version is not None and version != obj.version:
        raise Conflict(_changed_message(model))
    return obj


def save_change(obj, fields):
    """Write `fields` (attribute names, e.g. label_id) of a locked annotation and raise its version by one.

    The UPDATE names the version it read, so it touches exactly one row or nothing; nothing is an
    error, never an INSERT."""
    now = timezone.now()
    values = {field: getattr(obj, field) for field in fields}
    rows = type(obj).objects.filter(pk=obj.pk, version=obj.version).update(version=obj.version + 1, updated_at=now, **values)
    if rows != 1:
        raise Conflict(_raced_message(type(obj)))
    obj.version += 1
    obj.updated_at = now


def delete_exactly(obj):
    """Delete a locked annotation (and what cascades from it); exactly its one row, or Gone."""
    deleted = type(obj).objects.filter(pk=obj.pk).delete()[1].get(obj._meta.label, 0)
    if deleted != 1:
        raise Gone(_deleted_at_once_message(type(obj)))


def parse_version(value):
    """The version a card sent: None when absent (older pages, scripts), else a positive whole number."""
    from hamish.ids import parse_id

    if value in (None, ""):
        return None
    version = parse_id(value)
    if version is None:
        raise ValidationError(_("The page sent an unreadable version; reload the page."))
    return version
