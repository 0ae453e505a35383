"""Labels, canonical entities, entity spans, stances with their evidence, and boilerplate marks.

Span offsets count Unicode code points of the NFC paragraph text (Python string
indices), end exclusive. The quoted text is stored with the span and checked
against the paragraph whenever a span is written, so `paragraph.text[start:end]
== span.text` always holds.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from corpus.models import Paragraph

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Give the colour as #RRGGBB, e.g. #1f77b4."))
label_name = RegexValidator(r"^[A-Z][A-Z0-9_-]{0,19}$", _("Use capital Latin letters, digits, _ or -, e.g. PER or GPE."))
# Keys the reading view keeps for navigation and commands; a label may not take them.
# s starts a stance, e adds evidence to the open stance, b toggles boilerplate on the current paragraph,
# g / y / n go to, accept and reject suggestions; D marks the article done, N opens the next in the queue.
RESERVED_KEYS = set("jkJK[]?uzUZxXsSeEbBgGyYnND") | {" "}


class ActiveQuerySet(models.QuerySet):
    """For what admins retire rather than delete: labels, polarities, boilerplate categories."""

    def active(self):
        return self.filter(is_active=True)


class Authored:
    """For annotations (spans, stances, boilerplate marks): only their author or an administrator changes them;
    those of a project's curated layer, its curators and managers (while the article's curation is open)."""

    def edit_refusal(self, user):
        """Why `user` may not change this annotation, or None if they may."""
        if not user.is_authenticated:
            return gettext("Sign in to change annotations.")
        if user.pk == self.author_id:
            return None  # the fast path; a curated layer's author cannot sign in, so this is never one
        # Imported here because projects build on annotations, not the other way round.
        from projects.curation_layer import NOT_A_LAYER, layer_refusal

        refusal = layer_refusal(self, user)
        if refusal is not NOT_A_LAYER:
            return refusal
        if user.is_superuser:
            return None
        # A sentence per kind: Arabic nouns carry gender, and the pronoun agrees.
        return {
            "span": gettext("Only the span's author or an administrator may change it."),
            "stance": gettext("Only the stance's author or an administrator may change it."),
            "boilerplatemark": gettext("Only the boilerplate mark's author or an administrator may change it."),
        }.get(self._meta.model_name) or gettext("Only the annotation's author or an administrator may change it.")

    def is_editable_by(self, user):
        return self.edit_refusal(user) is None

    def check_editable_by(self, user):
        """Raise PermissionDenied (403) unless `user` may change this annotation."""
        refusal = self.edit_refusal(user)
        if refusal is not None:
            raise PermissionDenied(refusal)


class AuthoredQuerySet(models.QuerySet):
    """For annotations: each analyst sees their own in the reading view, or everyone's on request."""

    def visible_to(self, user, *, everyone=False):
        return self if everyone else self.filter(author=user)


class DrawnSpan:
    """What the reading view needs of a span, without a model instance per span: at 2,000 spans, building
    Span, Label and Entity objects row by row was most of the page's time. `label` and `entity` are shared
    objects from one query each."""

    __slots__ = ("pk", "paragraph_id", "start", "end", "label", "entity_id", "author_id", "entity")

    def __init__(self, pk, paragraph_id, start, end, label, entity_id, author_id, entity):
        self.pk, self.paragraph_id, self.start, self.end = pk, paragraph_id, start, end
        self.label, self.entity_id, self.author_id, self.entity = label, entity_id, author_id, entity

    @property
    def label_id(self):
        return self.label.pk


class SpanQuerySet(AuthoredQuerySet):
    def drawn(self, labels):
        """[DrawnSpan] in reading order; `labels` is {label id: Label} (every label, retired ones too).
        Two queries: the spans' columns, and the entities they link to."""
        rows = list(
            self.order_by("paragraph_id", "start", "-end", "pk").values_list(
                "pk", "paragraph_id", "start", "end", "label_id", "entity_id", "author_id"
            )
        )
        entity_ids = {row[5] for row in rows if row[5] is not None}
        entities = Entity.objects.select_related("label").in_bulk(entity_ids) if entity_ids else {}
        return [
            DrawnSpan(pk, paragraph_id, start, end, labels[label_id], entity_id, author_id, entities.get(entity_id))
            for pk, paragraph_id, start, end, label_id, entity_id, author_id in rows
        ]


class Label(models.Model):
    """An entity type (PER, ORG, LOC, MISC by default: the CoNLL/ANERcorp names)."""

    name = models.CharField(max_length=20, unique=True, validators=[label_name], help_text=_("e.g. PER; used in exports."))
    display_name = models.CharField(max_length=60, help_text=_("Arabic display name, e.g. شخص."))
    colour = models.CharField(max_length=7, validators=[hex_colour], default="#1f77b4")
    shortcut = models.CharField(
        max_length=1,
        blank=True,
        help_text=_("One key that applies this label to the selection (not j k [ ] ? u z x s e b g y n)."),
    )
    description = models.TextField(blank=True)
    is_active = models.BooleanField(
        default=True, help_text=_("Retired labels keep their spans but are not offered for new ones.")
    )
    position = models.PositiveSmallIntegerField(default=0)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name, verbose_name_plural = _("label"), _("labels")
        constraints = [
            models.UniqueConstraint(
                fields=["shortcut"],
                condition=Q(is_active=True) & ~Q(shortcut=""),
                name="label_unique_active_shortcut",
                violation_error_message=_("Another active label already uses this key."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.display_name})"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.shortcut in RESERVED_KEYS:
            raise ValidationError(
                {"shortcut": gettext("The key %(key)s is kept for navigation; choose another.") % {"key": repr(self.shortcut)}}
            )


class Entity(models.Model):
    """A canonical entity (لويد أوستن, PER) that spans in any article can point to."""

    name = models.CharField(max_length=200)
    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="entities")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name, verbose_name_plural = _("entity"), _("entities")
        constraints = [models.UniqueConstraint(fields=["name", "label"], name="entity_unique_name_label")]

    def __str__(self):
        return self.name


class EntityAlias(models.Model):
    """Another spelling of an entity's name (سيليست والاندر for سيليست واندر)."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name, verbose_name_plural = _("entity alias"), _("entity aliases")
        constraints = [models.UniqueConstraint(fields=["entity", "name"], name="alias_unique_per_entity")]

    def __str__(self):
        return self.name


class Span(Authored, models.Model):
    paragraph = models.ForeignKey(Paragraph, on_delete=models.CASCADE, related_name="spans")
    start = models.PositiveIntegerField(help_text=_("Code point offset in the NFC paragraph text (inclusive)."))
    end = models.PositiveIntegerField(help_text=_("Code point offset in the NFC paragraph text (exclusive)."))
    text = models.TextField(help_text=_("The quoted text: paragraph.text[start:end]."))
    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="spans")
    entity = models.ForeignKey(Entity, null=True, blank=True, on_delete=models.SET_NULL, related_name="spans")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="spans")
    note = models.TextField(blank=True, help_text=_("Sanitised HTML (a few inline tags)."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(
        default=1, help_text=_("Goes up by one with every change: a card that shows version n may change it only while it is n.")
    )

    objects = SpanQuerySet.as_manager()

    class Meta:
        ordering = ["paragraph", "start", "-end", "pk"]
        verbose_name, verbose_name_plural = _("span"), _("spans")
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="span_start_before_end"),
            models.UniqueConstraint(fields=["paragraph", "start", "end", "label", "author"], name="span_unique_per_author"),
        ]
        indexes = [models.Index(fields=["paragraph", "author"])]

    def __str__(self):
        return f"{self.label.name}: {self.text}"


class AnnotationEvent(models.Model):
    """Who created, changed or deleted which annotation, and when: the audit log and the undo stack.

    `before` and `after` are snapshots of the annotation's fields (None for the
    side that did not exist), enough to reverse the change.
    """

    CREATED, CHANGED, DELETED, IMPORTED = "created", "changed", "deleted", "imported"
    # "imported": written by an annotation import (who imported it, from which file, in `after`); not undoable.
    ACTIONS = [(CREATED, _("created")), (CHANGED, _("changed")), (DELETED, _("deleted")), (IMPORTED, _("imported"))]

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="annotation_events")
    action = models.CharField(max_length=10, choices=ACTIONS)
    # "entity": a merge of two entities (annotations.entities), object_id the entity kept.
    KINDS = [("span", _("span")), ("stance", _("stance")), ("boilerplate", _("boilerplate")), ("entity", _("entity"))]

    kind = models.CharField(max_length=20, choices=KINDS, default="span")
    object_id = models.PositiveBigIntegerField()
    paragraph = models.ForeignKey(Paragraph, null=True, on_delete=models.SET_NULL, related_name="+")
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    undoes = models.OneToOneField("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="undone_by")
    # How the write arrived when not through the pages, e.g. "API, token hm_AbCdEfGh" (see history.acting_via).
    via = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name, verbose_name_plural = _("annotation event"), _("annotation events")
        indexes = [
            models.Index(fields=["actor", "-id"], name="event_actor_recent"),
            # An annotation's history: the audit chain, and whether an action was overtaken (undo).
            models.Index(fields=["kind", "object_id"], name="event_object_history"),
        ]

    def __str__(self):
        return f"{self.actor} {self.action} {self.kind} {self.object_id}"


slug_name = RegexValidator(r"^[a-z][a-z0-9_-]{0,29}$", _("Use small Latin letters, digits, _ or -, e.g. supports."))


class Polarity(models.Model):
    """A stance's direction: supports / opposes / neutral / mixed by default, configurable in the admin."""

    name = models.CharField(max_length=30, unique=True, validators=[slug_name], help_text=_("e.g. supports; used in exports."))
    display_name = models.CharField(max_length=60, help_text=_("Arabic display name, e.g. يؤيد."))
    colour = models.CharField(max_length=7, validators=[hex_colour], default="#5f6368")
    is_active = models.BooleanField(default=True, help_text=_("Retired polarities keep their stances but are not offered."))
    position = models.PositiveSmallIntegerField(default=0)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name, verbose_name_plural = _("polarity"), _("polarities")

    def __str__(self):
        return self.name


class Topic(models.Model):
    """A reusable stance target that is not a named entity: الوجود العسكري الأميركي الدائم في العراق."""

    name = models.CharField(max_length=300, unique=True)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name, verbose_name_plural = _("topic"), _("topics")

    def __str__(self):
        return self.name


class StanceQuerySet(AuthoredQuerySet):
    def for_display(self):
        return self.select_related(
            "holder_entity__label", "holder_span", "target_entity__label", "target_topic", "polarity", "author"
        ).prefetch_related(models.Prefetch("evidence", queryset=StanceEvidence.objects.select_related("paragraph")))


class Stance(Authored, models.Model):
    """Who (holder) takes which position (polarity) toward what (target), shown by evidence in one article.

    The holder is a canonical entity, and optionally the mention in this article it was picked from.
    The target is exactly one of an entity or a topic.
    """

    article = models.ForeignKey("corpus.Article", on_delete=models.CASCADE, related_name="stances")
    holder_entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="stances_held")
    holder_span = models.ForeignKey(
        Span,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The holder's mention, if picked from one."),
    )
    target_entity = models.ForeignKey(Entity, null=True, blank=True, on_delete=models.PROTECT, related_name="stances_targeted")
    target_topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.PROTECT, related_name="stances")
    polarity = models.ForeignKey(Polarity, on_delete=models.PROTECT, related_name="stances")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="stances")
    note = models.TextField(blank=True, help_text=_("Sanitised HTML (a few inline tags)."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(
        default=1, help_text=_("Goes up by one with every change: a card that shows version n may change it only while it is n.")
    )

    objects = StanceQuerySet.as_manager()

    class Meta:
        ordering = ["article", "pk"]
        verbose_name, verbose_name_plural = _("stance"), _("stances")
        constraints = [
            models.CheckConstraint(
                condition=Q(target_entity__isnull=False, target_topic__isnull=True)
                | Q(target_entity__isnull=True, target_topic__isnull=False),
                name="stance_one_target",
                violation_error_message=_("A stance has exactly one target: an entity or a topic."),
            ),
        ]
        indexes = [models.Index(fields=["article", "author"])]

    def __str__(self):
        return f"{self.holder_entity} {self.polarity} {self.target}"

    @property
    def target(self):
        return self.target_entity if self.target_entity_id else self.target_topic

    @property
    def target_kind(self):
        return "entity" if self.target_entity_id else "topic"


class StanceEvidence(models.Model):
    """A passage (usually a sentence) of the stance's article that shows the stance; code point offsets."""

    stance = models.ForeignKey(Stance, on_delete=models.CASCADE, related_name="evidence")
    paragraph = models.ForeignKey(Paragraph, on_delete=models.CASCADE, related_name="evidence")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["paragraph__position", "start", "pk"]
        verbose_name, verbose_name_plural = _("stance evidence"), _("stance evidence")
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="evidence_start_before_end"),
            models.UniqueConstraint(fields=["stance", "paragraph", "start", "end"], name="evidence_unique_per_stance"),
        ]

    def __str__(self):
        return self.text


# The default categories' display names (annotations/migrations/0004) in the reader's language: the rows hold
# English, and a name an administrator changed is shown as they wrote it.
DEFAULT_CATEGORY_NAMES = {
    "related": ("related links", pgettext_lazy("boilerplate category", "related links")),
    "navigation": ("navigation", pgettext_lazy("boilerplate category", "navigation")),
    "byline": ("byline, dateline or credit", pgettext_lazy("boilerplate category", "byline, dateline or credit")),
    "caption": ("caption", pgettext_lazy("boilerplate category", "caption")),
    "masthead": ("masthead", pgettext_lazy("boilerplate category", "masthead")),
    "comments": ("comments notice", pgettext_lazy("boilerplate category", "comments notice")),
    "tags": ("tags", pgettext_lazy("boilerplate category", "tags")),
    "share": ("share or promo", pgettext_lazy("boilerplate category", "share or promo")),
    "title": ("repeated title", pgettext_lazy("boilerplate category", "repeated title")),
    # Created by the import on first use (corpus.importing.news): what a news page's extractor left out.
    "chrome": ("page chrome", pgettext_lazy("boilerplate category", "page chrome")),
    "other": ("other", pgettext_lazy("boilerplate category", "other")),
}


class BoilerplateCategory(models.Model):
    """A kind of web chrome (related links, navigation, byline, ...), configurable in the admin."""

    name = models.CharField(max_length=30, unique=True, validators=[slug_name], help_text=_("e.g. related; used in exports."))
    display_name = models.CharField(max_length=60, help_text=_("Shown in the reading view, e.g. related links."))
    cue_phrases = models.TextField(
        blank=True,
        help_text=_("One phrase per line (إقرأ أيضا); a paragraph that starts with one is guessed to be of this kind."),
    )
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name, verbose_name_plural = _("boilerplate category"), _("boilerplate categories")

    def __str__(self):
        return self.display_name

    @property
    def shown_name(self):
        """The display name as the page shows it: a default category's in the reader's language."""
        default, translated = DEFAULT_CATEGORY_NAMES.get(self.name, (None, None))
        return str(translated) if self.display_name == default else self.display_name

    @property
    def cues(self):
        return [line.strip() for line in self.cue_phrases.splitlines() if line.strip()]


class BoilerplateMark(Authored, models.Model):
    """An analyst's judgement that a paragraph is not part of the article. Spans in it are kept."""

    paragraph = models.ForeignKey(Paragraph, on_delete=models.CASCADE, related_name="boilerplate_marks")
    category = models.ForeignKey(BoilerplateCategory, on_delete=models.PROTECT, related_name="marks")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="boilerplate_marks")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(
        default=1, help_text=_("Goes up by one with every change: a card that shows version n may change it only while it is n.")
    )

    objects = AuthoredQuerySet.as_manager()

    class Meta:
        ordering = ["paragraph", "pk"]
        verbose_name, verbose_name_plural = _("boilerplate mark"), _("boilerplate marks")
        constraints = [models.UniqueConstraint(fields=["paragraph", "author"], name="boilerplate_one_mark_per_author")]

    def __str__(self):
        return f"{self.category.name}: paragraph {self.paragraph_id}"


class SuggestionRejection(models.Model):
    """An analyst's "no" to a suggested span: that suggestion is never shown to them again."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    paragraph = models.ForeignKey(Paragraph, on_delete=models.CASCADE, related_name="+")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    label = models.ForeignKey(Label, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "paragraph", "start", "end", "label"], name="rejection_unique"),
        ]


class Revision(models.Model):
    """A random token that changes whenever a kind of row changes ("vocabulary": labels, entities, aliases,
    boilerplate categories).

    Each server process caches what it derives from those rows (annotations.vocabulary) with the token it
    read first, and rebuilds when the token differs. A random token, not a counter: a rolled-back
    write restores the old token together with the old rows, so a token never names two different states.
    """

    VOCABULARY = "vocabulary"

    name = models.CharField(max_length=30, primary_key=True)
    token = models.CharField(max_length=32)

    @classmethod
    def current(cls, name):
        return cls.objects.filter(name=name).values_list("token", flat=True).first()

    @classmethod
    def bump(cls, name):
        import uuid

        cls.objects.update_or_create(name=name, defaults={"token": uuid.uuid4().hex})


class TokenLayout(models.Model):
    """The tokens of a paragraph imported from a CoNLL file and whether the file had a sentence break after it:
    its CoNLL export writes the file's tokens back, not Hamish's tokenizer's (annotations/interchange/conll)."""

    paragraph = models.OneToOneField(Paragraph, on_delete=models.CASCADE, primary_key=True, related_name="token_layout")
    boundaries = models.JSONField(help_text=_("Token offsets in code points of the paragraph text: [start, end, start, end, …]."))
    break_after = models.BooleanField(default=True, help_text=_("The file had a blank line (a sentence break) after it."))
    scheme = models.CharField(max_length=5, default="IOB2", help_text=_("The file's tag scheme: IOB1, IOB2, BIOES or BILOU."))

    def __str__(self):
        return f"tokens of paragraph {self.paragraph_id}"
