"""Writing stances: who holds which position toward what, with evidence passages of the article.

Holders and targets arrive as a Choice (what the analyst picked in the stance form, or typed);
they are resolved here, inside the write's transaction, so a refused stance leaves no new entity
or topic behind. Each write is one audit event (see history).
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from hamish.ids import parse_id

from .conflicts import Gone, delete_exactly, lock_for_change, save_change
from .history import delete_logged, log, snapshot
from .models import AnnotationEvent, Entity, Label, Span, Stance, StanceEvidence, Topic
from .notes import NOTE_MAX, clean_note_source
from .offsets import OffsetError, span_from_browser
from .spans import find_or_create_entity

TOPIC_MAX = 300


@dataclass(frozen=True)
class Choice:
    """A holder or target as the form gives it: an existing entity, span or topic by id, or a typed name."""

    kind: str  # "entity", "span", "topic" or "name"
    pk: int | None = None
    name: str = ""
    label: Label | None = None  # the label of a new holder entity

    @classmethod
    def parse(cls, value, *, name="", label=None):
        """A typed name if there is one (typing is deliberate), else 'entity:12', 'span:3' or 'topic:7' from
        a select; None if neither was given."""
        value, name = (value or "").strip(), " ".join((name or "").split())
        if name:
            return cls("name", name=name, label=label)
        if not value:
            return None
        kind, _sep, raw_pk = value.partition(":")
        pk = parse_id(raw_pk)
        if kind not in ("entity", "span", "topic") or pk is None:
            raise ValidationError(_("Pick one of the offered choices."))
        return cls(kind, pk)


@dataclass(frozen=True)
class EvidenceSelection:
    """A passage as the browser reports it: UTF-16 offsets into the paragraph text, and its quote."""

    paragraph: object
    utf16_start: int
    utf16_end: int
    quote: str

    def offsets(self, article):
        if self.paragraph.article_id != article.pk:
            raise ValidationError(_("Evidence must be a passage of the stance's own article."))
        try:
            return span_from_browser(self.paragraph.text, self.utf16_start, self.utf16_end, self.quote)
        except OffsetError as exc:
            raise ValidationError(_("Evidence: %(problem)s") % {"problem": exc}) from None


def resolve_holder(choice, *, article, user):
    """(entity, span or None) for the holder. A mention picked as holder must be in this article;
    an unlinked mention stands for the entity of its text and label (found or created)."""
    if choice is None:
        raise ValidationError(_("Choose who holds the stance."))
    if choice.kind == "entity":
        entity = Entity.objects.filter(pk=choice.pk).first()
        if entity is None:
            raise ValidationError(_("The holder entity no longer exists."))
        return entity, None
    if choice.kind == "span":
        span = Span.objects.select_related("entity", "label", "paragraph").filter(pk=choice.pk).first()
        if span is None or span.paragraph.article_id != article.pk:
            raise ValidationError(_("The holder's mention must be a span in this article."))
        entity = span.entity or find_or_create_entity(name=span.text, label=span.label, user=user)
        return entity, span
    if choice.kind == "name":
        label = choice.label or Label.objects.filter(name="PER").first() or Label.objects.active().first()
        if label is None:
            raise ValidationError(_("No label exists for a new holder; an administrator must add one."))
        return find_or_create_entity(name=choice.name, label=label, user=user), None
    raise ValidationError(_("A topic cannot hold a stance; choose a person or an organisation."))


def resolve_target(choice, *, user):
    """(entity, None) or (None, topic). A typed name is the topic of that name, else the entity of that
    name or alias (the most mentioned, if several labels share it), else a new topic."""
    if choice is None:
        raise ValidationError(_("Choose what the stance is about: an entity or a topic."))
    if choice.kind == "entity":
        entity = Entity.objects.filter(pk=choice.pk).first()
        if entity is None:
            raise ValidationError(_("The target entity no longer exists."))
        return entity, None
    if choice.kind == "topic":
        topic = Topic.objects.filter(pk=choice.pk).first()
        if topic is None:
            raise ValidationError(_("The target topic no longer exists."))
        return None, topic
    if choice.kind == "span":
        raise ValidationError(_("Pick the target as an entity or a topic."))
    name = choice.name
    if len(name) > TOPIC_MAX:
        raise ValidationError(_("A topic may have at most %(max)s characters.") % {"max": TOPIC_MAX})
    topic = Topic.objects.filter(name=name).first()
    if topic:
        return None, topic
    entity = (
        Entity.objects.filter(Q(name=name) | Q(aliases__name=name))
        .annotate(mentions=Count("spans"))
        .order_by("-mentions", "pk")
        .first()
    )
    if entity:
        return entity, None
    topic, _created = Topic.objects.get_or_create(name=name, defaults={"created_by": user})
    return None, topic


def _check_polarity(polarity, current=None):
    if polarity is None:
        raise ValidationError(_("Choose the polarity: supports, opposes, neutral or mixed."))
    if not polarity.is_active and polarity.pk != getattr(current, "pk", None):
        raise ValidationError(_("The polarity %(polarity)s is retired; choose another.") % {"polarity": polarity.name})


def _first_paragraph_id(stance):
    first = StanceEvidence.objects.filter(stance=stance).order_by("paragraph__position", "start").first()
    return first.paragraph_id if first else None


@transaction.atomic
def create_stance(*, user, article, evidence, holder, target, polarity, note="", author=None):
    """Record a stance from one or more evidence selections; raise ValidationError with a clear message.
    `author`: whose stance it is when not the acting `user` (see spans.create_span)."""
    if not evidence:
        raise ValidationError(_("Select the passage that shows the stance first."))
    _check_polarity(polarity)
    if len(note) > NOTE_MAX:
        raise ValidationError(_("The note is longer than %(max)s characters.") % {"max": NOTE_MAX})
    passages = []
    for selection in evidence:
        start, end = selection.offsets(article)
        passages.append((selection.paragraph, start, end))
    holder_entity, holder_span = resolve_holder(holder, article=article, user=user)
    target_entity, target_topic = resolve_target(target, user=user)
    if target_entity is not None and target_entity.pk == holder_entity.pk:
        raise ValidationError(_("A stance's holder and target must differ."))
    stance = Stance.objects.create(
        article=article,
        holder_entity=holder_entity,
        holder_span=holder_span,
        target_entity=target_entity,
        target_topic=target_topic,
        polarity=polarity,
        author=author or user,
        note=clean_note_source(note) if note else "",
    )
    StanceEvidence.objects.bulk_create(
        {
            (p.pk, s, e): StanceEvidence(stance=stance, paragraph=p, start=s, end=e, text=p.text[s:e]) for p, s, e in passages
        }.values()
    )
    log(user, AnnotationEvent.CREATED, stance, stance.pk, passages[0][0].pk, after=snapshot(stance))
    return stance


STANCE_CHANGEABLE = ("holder_entity_id", "holder_span_id", "target_entity_id", "target_topic_id", "polarity_id", "note")


@transaction.atomic
def update_stance(*, user, stance, version=None, holder=None, target=None, polarity=None, note=None):
    """Change any of holder, target, polarity and note (None leaves it as it is). `stance` may be a stale
    copy: the row is re-read under a lock and `version`, when given, must still be current."""
    stance = lock_for_change(Stance, stance.pk, user=user, version=version)
    before = snapshot(stance)
    if holder is not None:
        entity, span = resolve_holder(holder, article=stance.article, user=user)
        if entity.pk != stance.holder_entity_id or span is not None:
            stance.holder_entity, stance.holder_span = entity, span  # same entity re-picked: keep its mention
    if target is not None:
        stance.target_entity, stance.target_topic = resolve_target(target, user=user)
    if polarity is not None:
        _check_polarity(polarity, stance.polarity)
        stance.polarity = polarity
    if note is not None:
        if len(note) > NOTE_MAX:
            raise ValidationError(_("The note is longer than %(max)s characters.") % {"max": NOTE_MAX})
        stance.note = clean_note_source(note)
    if stance.target_entity_id and stance.target_entity_id == stance.holder_entity_id:
        raise ValidationError(_("A stance's holder and target must differ."))
    if snapshot(stance) == before:
        return stance
    save_change(stance, STANCE_CHANGEABLE)
    log(user, AnnotationEvent.CHANGED, stance, stance.pk, _first_paragraph_id(stance), before=before, after=snapshot(stance))
    return stance


@transaction.atomic
def add_evidence(*, user, stance, selection, version=None):
    """Add a passage to a stance's evidence: a change of the stance (its version goes up, one event)."""
    stance = lock_for_change(Stance, stance.pk, user=user, version=version)
    before = snapshot(stance)
    start, end = selection.offsets(stance.article)
    paragraph = selection.paragraph
    try:
        with transaction.atomic():
            item = StanceEvidence.objects.create(
                stance=stance, paragraph=paragraph, start=start, end=end, text=paragraph.text[start:end]
            )
    except IntegrityError:
        raise ValidationError(_("This passage is already evidence of the stance.")) from None
    save_change(stance, ())
    log(user, AnnotationEvent.CHANGED, stance, stance.pk, paragraph.pk, before=before, after=snapshot(stance))
    return item


@transaction.atomic
def remove_evidence(*, user, evidence, version=None):
    """Remove a passage from a stance's evidence. The stance is locked first, then the passage re-read:
    two tabs removing the last two passages at once must not leave a stance without evidence."""
    stance = lock_for_change(Stance, evidence.stance_id, user=user, version=version)
    evidence = StanceEvidence.objects.filter(pk=evidence.pk, stance=stance).first()
    if evidence is None:
        raise Gone(_("This passage is no longer evidence of the stance: it was removed in another tab. Reload the page."))
    if StanceEvidence.objects.filter(stance=stance).count() <= 1:
        raise ValidationError(_("A stance needs at least one passage as evidence; delete the stance instead."))
    before = snapshot(stance)
    paragraph_id = evidence.paragraph_id
    delete_exactly(evidence)
    save_change(stance, ())
    log(user, AnnotationEvent.CHANGED, stance, stance.pk, paragraph_id, before=before, after=snapshot(stance))


@transaction.atomic
def delete_stance(*, user, stance, version=None):
    delete_logged(user, stance, _first_paragraph_id, version=version)
