"""Labels, canonical entities and entity spans (stances and boilerplate come next).

Span offsets count Unicode code points of the NFC paragraph text (Python string
indices), end exclusive. The quoted text is stored with the span and checked
against the paragraph whenever a span is written, so `paragraph.text[start:end]
== span.text` always holds.
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from corpus.models import Paragraph

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Give the colour as #RRGGBB, e.g. #1f77b4.")
label_name = RegexValidator(r"^[A-Z][A-Z0-9_-]{0,19}$", "Use capital Latin letters, digits, _ or -, e.g. PER or GPE.")
# Keys the reading view keeps for navigation and commands; a label may not take them.
RESERVED_KEYS = set("jkJK[]?uzUZxX") | {" "}


class LabelQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Label(models.Model):
    """An entity type (PER, ORG, LOC, MISC by default: the CoNLL/ANERcorp names)."""

    name = models.CharField(max_length=20, unique=True, validators=[label_name], help_text="e.g. PER; used in exports.")
    display_name = models.CharField(max_length=60, help_text="Arabic display name, e.g. شخص.")
    colour = models.CharField(max_length=7, validators=[hex_colour], default="#1f77b4")
    shortcut = models.CharField(
        max_length=1, blank=True, help_text="One key that applies this label to the selection (not j k [ ] ? u z x)."
    )
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True, help_text="Retired labels keep their spans but are not offered for new ones.")
    position = models.PositiveSmallIntegerField(default=0)

    objects = LabelQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["shortcut"],
                condition=Q(is_active=True) & ~Q(shortcut=""),
                name="label_unique_active_shortcut",
                violation_error_message="Another active label already uses this key.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.display_name})"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.shortcut in RESERVED_KEYS:
            raise ValidationError({"shortcut": f"The key {self.shortcut!r} is kept for navigation; choose another."})


class Entity(models.Model):
    """A canonical entity (لويد أوستن, PER) that spans in any article can point to."""

    name = models.CharField(max_length=200)
    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="entities")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "entities"
        constraints = [models.UniqueConstraint(fields=["name", "label"], name="entity_unique_name_label")]

    def __str__(self):
        return self.name


class EntityAlias(models.Model):
    """Another spelling of an entity's name (سيليست والاندر for سيليست واندر)."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "entity aliases"
        constraints = [models.UniqueConstraint(fields=["entity", "name"], name="alias_unique_per_entity")]

    def __str__(self):
        return self.name


class SpanQuerySet(models.QuerySet):
    def visible_to(self, user, *, everyone=False):
        """The spans `user` sees in the reading view: their own, or everyone's."""
        return self if everyone else self.filter(author=user)


class Span(models.Model):
    paragraph = models.ForeignKey(Paragraph, on_delete=models.CASCADE, related_name="spans")
    start = models.PositiveIntegerField(help_text="Code point offset in the NFC paragraph text (inclusive).")
    end = models.PositiveIntegerField(help_text="Code point offset in the NFC paragraph text (exclusive).")
    text = models.TextField(help_text="The quoted text: paragraph.text[start:end].")
    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="spans")
    entity = models.ForeignKey(Entity, null=True, blank=True, on_delete=models.SET_NULL, related_name="spans")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="spans")
    note = models.TextField(blank=True, help_text="Sanitised HTML (a few inline tags).")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SpanQuerySet.as_manager()

    class Meta:
        ordering = ["paragraph", "start", "-end", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="span_start_before_end"),
            models.UniqueConstraint(
                fields=["paragraph", "start", "end", "label", "author"], name="span_unique_per_author"
            ),
        ]
        indexes = [models.Index(fields=["paragraph", "author"])]

    def __str__(self):
        return f"{self.label.name}: {self.text}"

    def is_editable_by(self, user):
        return user.is_authenticated and (user.pk == self.author_id or user.is_superuser)


class AnnotationEvent(models.Model):
    """Who created, changed or deleted which annotation, and when: the audit log and the undo stack.

    `before` and `after` are snapshots of the annotation's fields (None for the
    side that did not exist), enough to reverse the change.
    """

    CREATED, CHANGED, DELETED = "created", "changed", "deleted"
    ACTIONS = [(CREATED, "created"), (CHANGED, "changed"), (DELETED, "deleted")]

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="annotation_events")
    action = models.CharField(max_length=10, choices=ACTIONS)
    kind = models.CharField(max_length=20, default="span")
    object_id = models.PositiveBigIntegerField()
    paragraph = models.ForeignKey(Paragraph, null=True, on_delete=models.SET_NULL, related_name="+")
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    undoes = models.OneToOneField("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="undone_by")

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["actor", "-id"], name="event_actor_recent")]

    def __str__(self):
        return f"{self.actor} {self.action} {self.kind} {self.object_id}"
