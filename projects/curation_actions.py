"""Writing the curated layer: auto-merge, take, edit and reject a version, mark curated and reopen.

Every write runs in one transaction holding the article's Curation row lock, so two curators (or two tabs)
decide one after the other and auto-merge runs once. The layer's annotations are written through the
ordinary services (annotations.spans, .stances, .boilerplate) with `author=` the layer identity and `user=`
the curator: the audit event's actor is the curator, the annotation's author the layer, and the row locks
and version checks are theirs. Decisions are CurationDecision rows; status changes are CurationEvents.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from annotations.boilerplate import mark_boilerplate, unmark_boilerplate
from annotations.models import BoilerplateCategory, BoilerplateMark, Label, Polarity, Span, Stance
from annotations.offsets import code_point_to_utf16
from annotations.spans import create_span, delete_span
from annotations.stances import Choice, EvidenceSelection, create_stance, delete_stance
from corpus.models import Paragraph

from .curation import MARK, SPAN, STANCE, build_board
from .curation_layer import READ_ONLY, layer_identity
from .models import CAN_CURATE, Curation, CurationDecision, CurationEvent, CurationStatus

Action = CurationDecision.Action
ACTIONS = {Action.TAKE, Action.EDIT, Action.REJECT}


class CurationRefused(ValidationError):
    """A curation write that cannot be done as asked: 409 (the board changed, or the layer is read-only)."""

    status = 409


def _locked(project, article):
    curation, _ = Curation.objects.get_or_create(project=project, article=article)
    return Curation.objects.select_for_update(of=("self",)).get(pk=curation.pk)


def _open_for_writing(project, article, user):
    project.check_role(user, CAN_CURATE, "curators and managers")
    curation = _locked(project, article)
    if curation.status == CurationStatus.CURATED:
        raise CurationRefused(str(READ_ONLY))
    return curation


def _record(project, article, key, action, user):
    CurationDecision.objects.update_or_create(
        project=project, article=article, key=key, defaults={"action": action, "decided_by": user}
    )


def _utf16(text, start, end):
    return code_point_to_utf16(text, start), code_point_to_utf16(text, end)


def _first_source(version):
    return next(pk for pk in version.by.values())


def _copy_span(version, *, user, layer, label=None, start=None, end=None):
    source = Span.objects.select_related("entity").get(pk=_first_source(version))
    paragraph = Paragraph.objects.select_related("article").get(pk=source.paragraph_id)
    start = source.start if start is None else start
    end = source.end if end is None else end
    if not 0 <= start < end <= len(paragraph.text):
        raise ValidationError(
            _("The span must lie within its paragraph (0-%(length)d) and not be empty.") % {"length": len(paragraph.text)}
        )
    label = label or Label.objects.get(pk=source.label_id)
    entity = source.entity if source.entity is not None and source.entity.label_id == label.pk else None
    utf16_start, utf16_end = _utf16(paragraph.text, start, end)
    return create_span(
        user=user,
        author=layer,
        paragraph=paragraph,
        utf16_start=utf16_start,
        utf16_end=utf16_end,
        quote=paragraph.text[start:end],
        label=label,
        entity=entity,
    )


def _copy_stance(version, *, user, layer, polarity=None):
    source = (
        Stance.objects.select_related("article", "polarity")
        .prefetch_related("evidence__paragraph")
        .get(pk=_first_source(version))
    )
    evidence = [
        EvidenceSelection(item.paragraph, *_utf16(item.paragraph.text, item.start, item.end), item.text)
        for item in source.evidence.all()
    ]
    target = Choice("entity", source.target_entity_id) if source.target_entity_id else Choice("topic", source.target_topic_id)
    return create_stance(
        user=user,
        author=layer,
        article=source.article,
        evidence=evidence,
        holder=Choice("entity", source.holder_entity_id),
        target=target,
        polarity=polarity or source.polarity,
    )


def _copy_mark(version, *, user, layer, category=None):
    paragraph_id, name = version.item
    paragraph = Paragraph.objects.select_related("article").get(pk=paragraph_id)
    return mark_boilerplate(
        user=user, author=layer, paragraph=paragraph, category=category or BoilerplateCategory.objects.get(name=name)
    )


def _copy(version, *, user, layer, **changes):
    copy = {SPAN: _copy_span, STANCE: _copy_stance, MARK: _copy_mark}[version.kind]
    return copy(version, user=user, layer=layer, **changes)


def _remove(version, *, user, layer):
    """Take the version's copy out of the layer (an audited delete, actor: the curator)."""
    if version.kind == SPAN:
        delete_span(user=user, span=Span(pk=version.in_layer))
    elif version.kind == STANCE:
        delete_stance(user=user, stance=Stance(pk=version.in_layer))
    else:
        mark = BoilerplateMark.objects.get(paragraph_id=version.in_layer, author=layer)
        unmark_boilerplate(user=user, mark=mark)


def _changes(version, *, label=None, start=None, end=None, polarity=None, category=None):
    """The edit form's fields that apply to this kind of version, as model instances."""
    if version.kind == SPAN:
        found = Label.objects.filter(name=label, is_active=True).first() if label else None
        if label and found is None:
            raise ValidationError(_("Choose one of the active labels."))
        return {"label": found, "start": start, "end": end}
    if version.kind == STANCE:
        found = Polarity.objects.filter(name=polarity, is_active=True).first() if polarity else None
        if polarity and found is None:
            raise ValidationError(_("Choose one of the active polarities."))
        return {"polarity": found}
    found = BoilerplateCategory.objects.filter(name=category, is_active=True).first() if category else None
    if category and found is None:
        raise ValidationError(_("Choose one of the active boilerplate categories."))
    return {"category": found}


def _supersede(board, key, user):
    """Taking one version of a cluster answers the others still open: they are recorded as rejected (any of
    them can still be taken later)."""
    for other in board.cluster_of(key).versions:
        if other.key != key and other.is_open:
            _record(board.project, board.article, other.key, Action.REJECT, user)


@transaction.atomic
def decide(*, project, article, user, key, action, **edits):
    """Take (copy into the layer), edit (copy with changes: label and code point offsets of a span, polarity of
    a stance, category of a mark) or reject (leave out, removing the layer's copy) the version `key`."""
    if action not in ACTIONS:
        raise ValidationError(_("Choose take, edit or reject."))
    _open_for_writing(project, article, user)
    layer = layer_identity(project)
    board = build_board(project, article, layer_user_id=layer.pk)
    version = board.versions.get(key)
    if version is None:
        raise CurationRefused(_("This version is no longer on the board (an annotator changed it); reload the page."))
    if action == Action.TAKE:
        if version.in_layer is None:
            _copy(version, user=user, layer=layer)
    elif action == Action.EDIT:
        changes = _changes(version, **edits)
        if version.in_layer is not None and version.kind != MARK:  # a mark changes its category in place
            _remove(version, user=user, layer=layer)
        _copy(version, user=user, layer=layer, **changes)
    else:
        if version.in_layer is not None:
            _remove(version, user=user, layer=layer)
    _record(project, article, key, action, user)
    if action != Action.REJECT:
        _supersede(board, key, user)
    return version


@transaction.atomic
def auto_merge(*, project, article, user):
    """Copy every agreed version that has no decision yet into the layer, recording it as auto-merged.
    Idempotent: a second run finds the decisions and does nothing. Returns (merged, [problems])."""
    project.check_role(user, CAN_CURATE, "curators and managers")
    curation = _locked(project, article)
    if curation.status == CurationStatus.CURATED:
        return 0, []
    layer = layer_identity(project)
    board = build_board(project, article, layer_user_id=layer.pk)
    merged, problems = 0, []
    for version in board.versions.values():
        if not version.agreed or version.decision is not None:
            continue
        if version.in_layer is None:
            try:
                with transaction.atomic():
                    _copy(version, user=user, layer=layer)
            except ValidationError as exc:  # a retired label, say: the version stays open for the curator
                problems.append((version, " ".join(exc.messages)))
                continue
            merged += 1
        _record(project, article, version.key, Action.AUTO, user)
    return merged, problems


def _change_status(project, article, user, after):
    project.check_role(user, CAN_CURATE, "curators and managers")
    curation = _locked(project, article)
    if curation.status == after:
        raise CurationRefused(
            _("This article is already marked curated.")
            if after == CurationStatus.CURATED
            else _("This article's curation is already open.")
        )
    CurationEvent.objects.create(curation=curation, actor=user, before=curation.status, after=after)
    curation.status, curation.changed_by, curation.changed_at = after, user, timezone.now()
    curation.save(update_fields=["status", "changed_by", "changed_at"])
    return curation


@transaction.atomic
def mark_curated(*, project, article, user):
    """Close the curation: the layer of this article is read-only until it is reopened."""
    return _change_status(project, article, user, CurationStatus.CURATED)


@transaction.atomic
def reopen_curation(*, project, article, user):
    return _change_status(project, article, user, CurationStatus.OPEN)
