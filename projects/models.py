"""Studies run by a team: projects, their members and roles, who annotates which article, and how far each is.

A project holds articles (an article may be in several), the labels, polarities and boilerplate categories its
analysts use (chosen from the catalogue admins keep), and members with a role. An *open* project lets every
signed-in user in as an annotator: the default project, into which the corpus as it was migrated, is open,
so that nothing anyone could read before is hidden now. Admins close it when a study needs closed doors.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from annotations.models import BoilerplateCategory, Label, Polarity
from corpus.models import Article


class Role(models.TextChoices):
    # A context of their own: "Annotator" is also a column header elsewhere, translated with the article.
    ANNOTATOR = "annotator", pgettext_lazy("role", "Annotator")
    CURATOR = "curator", pgettext_lazy("role", "Curator")
    MANAGER = "manager", pgettext_lazy("role", "Manager")


# What each role may do, beyond reading the project's articles and annotating them.
CAN_CURATE = {Role.CURATOR, Role.MANAGER}
CAN_MANAGE = {Role.MANAGER}

# check_role's refusal, by who may: one whole sentence each, so that it translates as one.
ONLY = {
    "managers": _("Only the project's managers may do this."),
    "curators and managers": _("Only the project's curators and managers may do this."),
}


class ProjectQuerySet(models.QuerySet):
    def for_member(self, user):
        """Projects `user` belongs to: as a member, because the project is open, or as an administrator."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(Q(is_open=True) | Exists(Membership.objects.filter(project=OuterRef("pk"), user=user)))


class Project(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    guidelines = models.TextField(
        _("guidelines"), blank=True, help_text=_("Shown to analysts beside the text. Minimal markup (as in notes).")
    )
    is_open = models.BooleanField(
        _("open to everyone"),
        default=False,
        help_text=_("Every signed-in user may read and annotate its articles, as an annotator."),
    )
    articles = models.ManyToManyField(Article, blank=True, related_name="projects")
    labels = models.ManyToManyField(Label, blank=True, related_name="projects")
    polarities = models.ManyToManyField(Polarity, blank=True, related_name="projects")
    categories = models.ManyToManyField(BoilerplateCategory, blank=True, related_name="projects")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    auto_merge_share = models.FloatField(
        _("auto-merge share"),
        default=1.0,
        validators=[MinValueValidator(0.01), MaxValueValidator(1.0)],
        help_text=_(
            "Curation pre-accepts an annotation when at least this share of the article's annotators made it (1.0: all of them)."
        ),
    )
    # The author of the project's curated layer: an account nobody can sign in with (inactive, no usable
    # password), made on first use (projects.curation_layer). Being an ordinary author, its annotations pass
    # through every service, export filter and audit entry unchanged; not editable, so no one re-points it.
    curated_identity = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="curated_project"
    )

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(auto_merge_share__gt=0) & Q(auto_merge_share__lte=1), name="project_auto_merge_share_range"
            ),
        ]

    def __str__(self):
        return self.name

    def role_of(self, user):
        """The user's role here, or None if they may not enter. Administrators are managers everywhere."""
        if not user.is_authenticated:
            return None
        if user.is_superuser:
            return Role.MANAGER
        membership = self.memberships.filter(user=user).only("role").first()
        if membership is not None:
            return Role(membership.role)
        return Role.ANNOTATOR if self.is_open else None

    def check_role(self, user, allowed, what):
        if self.role_of(user) not in allowed:
            raise PermissionDenied(ONLY[what] if what in ONLY else gettext("You may not do this in this project."))


class Membership(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("project"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.ANNOTATOR)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="membership_unique")]

    def __str__(self):
        return f"{self.user} ({self.role}) in {self.project}"


class Status(models.TextChoices):
    NEW = "new", pgettext_lazy("assignment status", "New")
    IN_PROGRESS = "in_progress", pgettext_lazy("assignment status", "In progress")
    DONE = "done", pgettext_lazy("assignment status", "Done")


class Assignment(models.Model):
    """An article given to an annotator in a project, and how far they are with it. A done article is read-only
    for them until they reopen it."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("project"))
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("article"))
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("annotator")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    # The order of the annotator's queue: assignments made together keep the order they were made in.
    position = models.PositiveIntegerField(default=0)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="assignments_made"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    status_changed_at = models.DateTimeField(_("status changed at"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [models.UniqueConstraint(fields=["project", "article", "annotator"], name="assignment_unique")]
        indexes = [models.Index(fields=["annotator", "project", "status"], name="assignment_queue")]

    def __str__(self):
        return f"{self.article_id} → {self.annotator} ({self.status})"


class StatusEvent(models.Model):
    """Every change of an assignment's status, so that "done" and "reopened" have a history like annotations."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    before = models.CharField(max_length=16, choices=Status.choices)
    after = models.CharField(max_length=16, choices=Status.choices)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]


class CurationStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("curation status", "Open")
    CURATED = "curated", pgettext_lazy("curation status", "Curated")


class Curation(models.Model):
    """How far the curation of one article in one project is: open, or curated (its layer is read-only until
    a curator reopens it). Its row is also the lock that curation writes of the article take."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="curations")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="curations")
    status = models.CharField(max_length=16, choices=CurationStatus.choices, default=CurationStatus.OPEN)
    changed_at = models.DateTimeField(auto_now_add=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "article"], name="curation_unique")]

    def __str__(self):
        return f"{self.article_id} in {self.project_id}: {self.status}"


class CurationEvent(models.Model):
    """Every "mark curated" and "reopen", like StatusEvent for assignments."""

    curation = models.ForeignKey(Curation, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    before = models.CharField(max_length=16, choices=CurationStatus.choices)
    after = models.CharField(max_length=16, choices=CurationStatus.choices)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]


class CurationDecision(models.Model):
    """What the curation did with one annotators' version (a span, stance or mark, named by `key`, see
    projects.curation): pre-accepted by auto-merge, taken, taken with changes, or rejected. A decided version
    is no longer open; the annotation writes themselves are in the audit log (actor: the curator)."""

    class Action(models.TextChoices):
        AUTO = "auto", _("auto-merged")
        TAKE = "take", _("taken")
        EDIT = "edit", _("taken with changes")
        REJECT = "reject", _("rejected")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="curation_decisions")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="curation_decisions")
    key = models.CharField(max_length=255)
    action = models.CharField(max_length=8, choices=Action.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["project", "article", "key"], name="curation_decision_unique")]

    def __str__(self):
        return f"{self.key}: {self.action}"
