"""Articles as imported: an outlet (Source), its articles, their paragraphs.

Paragraph text is stored NFC and otherwise exactly as imported; annotation
offsets (annotations app) count Unicode code points of that text, so it must
never be rewritten after import.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# Paragraphs are joined with this to form an article's full text (content hash, export).
PARAGRAPH_SEPARATOR = "\n"

RIGHT_TO_LEFT_LANGUAGES = {"ar", "fa", "ur", "he", "ps", "ckb", "yi"}


def content_hash(paragraph_texts):
    """SHA-256 of the article's paragraphs joined by PARAGRAPH_SEPARATOR (hex)."""
    return hashlib.sha256(PARAGRAPH_SEPARATOR.join(paragraph_texts).encode("utf-8")).hexdigest()


class Source(models.Model):
    """A news outlet."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    url = models.URLField(_("web address"), blank=True, max_length=500, help_text=_("The outlet's home page, if known."))

    class Meta:
        ordering = ["name"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self):
        return self.name


class ArticleQuerySet(models.QuerySet):
    def with_paragraph_counts(self):
        return self.annotate(paragraph_count=Count("paragraphs"))

    def for_reader(self, user):
        """Articles `user` may read: every article that no closed project holds, and the articles of each
        project they belong to (a member, or the project is open). Administrators read everything. So a closed
        study's articles are hidden from everyone outside it, on every page, search and export built on this.
        When no closed project shuts the user out (the usual case), nothing is filtered at all."""
        if not user.is_authenticated:
            return self.none()
        visibility = project_visibility(user)
        if visibility is None:
            return self
        hidden, visible = visibility
        from projects.models import Project  # projects build on the corpus: imported when asked, not at load

        filed = Project.articles.through.objects.filter(article_id=models.OuterRef("pk"))
        readable = ~models.Exists(filed.filter(project_id__in=hidden))
        if visible:
            readable |= models.Exists(filed.filter(project_id__in=visible))
        return self.filter(readable)

    def readable_by(self, user, article_id):
        """Whether `user` may read the article: no query when nothing is hidden from them."""
        if not user.is_authenticated:
            return False
        if project_visibility(user) is None:
            return True
        return self.for_reader(user).filter(pk=article_id).exists()


def project_visibility(user):
    """None when no closed project shuts `user` out, else (ids of closed projects they are not in, ids of the
    projects they belong to). One small query on the projects table (two when some are closed), not remembered:
    membership can change while a long-lived user object (a task's) is still in use."""
    if user.is_superuser:
        return None
    from projects.models import Membership, Project

    projects = dict(Project.objects.values_list("pk", "is_open"))  # a study has few projects, not thousands
    closed = [pk for pk, is_open in projects.items() if not is_open]
    if not closed:
        return None
    member = set(Membership.objects.filter(user_id=user.pk, project_id__in=closed).values_list("project_id", flat=True))
    hidden = [pk for pk in closed if pk not in member]
    if not hidden:
        return None
    return hidden, [pk for pk, is_open in projects.items() if is_open or pk in member]


class Article(models.Model):
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="articles", verbose_name=_("source"))
    title = models.CharField(_("title"), max_length=1000)
    url = models.URLField(_("web address"), blank=True, max_length=2000)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=16, default="ar", help_text=_("BCP 47 language tag, e.g. ar."))
    content_hash = models.CharField(
        _("content hash"),
        max_length=64,
        unique=True,
        editable=False,
        help_text=_("SHA-256 of the paragraphs joined by newlines; identical re-imports are detected by it."),
    )
    original_filename = models.CharField(_("original file name"), max_length=500, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("imported by"),
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["source__name", "title", "id"]
        indexes = [models.Index(fields=["source", "title"])]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("annotations:article", args=[self.pk])

    @property
    def is_right_to_left(self):
        return self.language.split("-")[0].lower() in RIGHT_TO_LEFT_LANGUAGES

    @property
    def text_direction(self):
        return "rtl" if self.is_right_to_left else "ltr"


class Paragraph(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="paragraphs", verbose_name=_("article"))
    position = models.PositiveIntegerField(_("position"), help_text=_("0-based order within the article."))
    text = models.TextField(_("text"), help_text=_("NFC, exactly as imported; never edited (annotation offsets point into it)."))

    class Meta:
        ordering = ["article", "position"]
        verbose_name = _("paragraph")
        verbose_name_plural = _("paragraphs")
        constraints = [
            models.UniqueConstraint(fields=["article", "position"], name="paragraph_unique_position"),
            models.CheckConstraint(condition=~models.Q(text=""), name="paragraph_text_not_empty"),
        ]

    def __str__(self):
        return f"{self.article_id}:{self.position}"

    @property
    def anchor(self):
        return f"p{self.position}"


class PendingNearDuplicates(models.Model):
    """An article whose paragraphs are not placed in families yet (corpus.duplicates). The import adds the row
    in the transaction that saves the article; the near-duplicate pass deletes it in the transaction that
    places the article. So after a crash, the next pass knows exactly what is left to do."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, primary_key=True, related_name="+")


class ParagraphFamily(models.Model):
    """Paragraphs of near-identical text in any articles (corpus.duplicates): one row per family, so storage
    grows with the paragraphs, not with the pairs among them. Members are compared with the representative
    only; the counts are kept by the near-duplicate pass."""

    representative = models.ForeignKey(Paragraph, on_delete=models.CASCADE, related_name="+")
    members = models.PositiveIntegerField(default=0)
    articles = models.PositiveIntegerField(default=0)


class FamilyMember(models.Model):
    """A paragraph's place in its family (at most one: the paragraph is the key)."""

    paragraph = models.OneToOneField(Paragraph, on_delete=models.CASCADE, primary_key=True, related_name="family_membership")
    # No index of its own: the (family, article) index below serves every look-up by family.
    family = models.ForeignKey(ParagraphFamily, on_delete=models.CASCADE, related_name="memberships", db_index=False)
    # The paragraph's article, repeated here so "the other articles of this family" is one index range.
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    similarity = models.FloatField(help_text="Jaccard similarity to the representative's shingles, 0 to 1.")
    # The paragraph's line key (OutletLine.key): when its line turns out to be an outlet's chrome, the
    # members carrying it are found by it and leave their family.
    line = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["family", "article"]), models.Index(fields=["line"])]


class FamilyBand(models.Model):
    """One of a family representative's band keys: a new paragraph with the same key is a candidate member."""

    pk = models.CompositePrimaryKey("key", "family")
    key = models.BigIntegerField()
    family = models.ForeignKey(ParagraphFamily, on_delete=models.CASCADE, related_name="+")


class OutletLine(models.Model):
    """How many articles of an outlet carry a line (its skeleton-folded words, hashed): a line in enough of
    them is the outlet's template chrome (corpus.duplicates.CHROME_*), hinted as boilerplate and kept out of
    families. Key 0 counts the outlet's articles the pass has seen."""

    pk = models.CompositePrimaryKey("source", "key")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="+")
    key = models.BigIntegerField()
    articles = models.PositiveIntegerField(default=0)
    chrome = models.BooleanField(default=False)
