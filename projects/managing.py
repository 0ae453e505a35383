"""Running a project outside the admin site: its settings, its members and their roles, its articles.

Managers (and administrators, managers everywhere) do this; administrators also create projects. Every change
is checked here, not only by the pages: a manager may add only articles they can read themselves (a closed
project's articles stay out of reach), and a change of articles is bounded (MAX_ARTICLES_CHANGED at a time) so
that a careless filter cannot pull in the whole corpus or strip a project in one click.
"""

from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from corpus.models import Article, Paragraph

from .models import CAN_MANAGE, Assignment, Membership, Project, Role

MAX_ARTICLES_CHANGED = 500  # articles one "add" or "remove" may touch
PREVIEWED = 20  # titles shown before the manager confirms


def _check(project, user):
    project.check_role(user, CAN_MANAGE, "managers")


def _isolated(text):
    return f"\u2068{text}\u2069"


# --- settings -------------------------------------------------------------------------------------------------


def update_settings(*, project, user, description, guidelines, is_open):
    _check(project, user)
    Project.objects.filter(pk=project.pk).update(description=description, guidelines=guidelines, is_open=is_open)
    project.description, project.guidelines, project.is_open = description, guidelines, is_open
    return project


# --- members --------------------------------------------------------------------------------------------------


def _managers_left(project, without):
    return Membership.objects.filter(project=project, role=Role.MANAGER).exclude(pk=without.pk).exists()


@transaction.atomic
def add_member(*, project, user, username, role):
    _check(project, user)
    User = get_user_model()
    member = User.objects.filter(**{User.USERNAME_FIELD: username}, is_active=True).first()
    if member is None:  # a curated layer's identity is inactive: never a member
        raise ValidationError(_("There is no user called %(name)s.") % {"name": _isolated(username)})
    if role not in Role.values:
        raise ValidationError(_("Choose a role: annotator, curator or manager."))
    membership, created = Membership.objects.get_or_create(project=project, user=member, defaults={"role": role})
    if not created:
        raise ValidationError(
            _("%(name)s is already a member (%(role)s).") % {"name": _isolated(username), "role": membership.get_role_display()}
        )
    return membership


@transaction.atomic
def change_role(*, project, user, membership_id, role):
    _check(project, user)
    membership = Membership.objects.select_for_update().filter(project=project, pk=membership_id).first()
    if membership is None:
        raise ValidationError(_("That person is not a member of this project."))
    if role not in Role.values:
        raise ValidationError(_("Choose a role: annotator, curator or manager."))
    if membership.role == Role.MANAGER and role != Role.MANAGER and not _managers_left(project, membership):
        raise ValidationError(_("A project keeps at least one manager: make someone else manager first."))
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def remove_member(*, project, user, membership_id):
    """The membership goes; the person's annotations and assignments stay (their work is the project's record),
    and their queue comes back if they are added again."""
    _check(project, user)
    membership = Membership.objects.select_for_update().filter(project=project, pk=membership_id).first()
    if membership is None:
        raise ValidationError(_("That person is not a member of this project."))
    if membership.role == Role.MANAGER and not _managers_left(project, membership):
        raise ValidationError(_("A project keeps at least one manager: make someone else manager first."))
    membership.delete()
    return membership


# --- articles -------------------------------------------------------------------------------------------------


class ArticleFilter:
    """Which articles a change names: a search (the words, as the search page finds them), an outlet, a date
    range of publication; at least one of them. Built from a form's cleaned data."""

    def __init__(self, *, query="", source=None, published_from=None, published_to=None):
        self.query = " ".join((query or "").replace("\x00", "").split())[:200]
        self.source = source
        self.published_from: date | None = published_from
        self.published_to: date | None = published_to

    @property
    def empty(self):
        return not (self.query or self.source or self.published_from or self.published_to)

    def apply(self, articles):
        if self.query:
            from corpus import search  # the Arabic-aware index the search page uses

            ranked = search.matching_ids(self.query, limit=search.RESULT_LIMIT)
            articles = articles.filter(pk__in=Paragraph.objects.filter(pk__in=ranked).values("article_id"))
        if self.source is not None:
            articles = articles.filter(source=self.source)
        if self.published_from:
            articles = articles.filter(published_on__gte=self.published_from)
        if self.published_to:
            articles = articles.filter(published_on__lte=self.published_to)
        return articles


def candidates(project, user, article_filter, action):
    """The articles `action` ("add" or "remove") would touch, in a stable order."""
    if action == "add":
        articles = Article.objects.for_reader(user).exclude(projects=project)
    else:
        articles = project.articles.all()
    return article_filter.apply(articles).select_related("source").order_by("source__name", "title", "pk")


def _bounded(articles):
    ids = list(articles.values_list("pk", flat=True)[: MAX_ARTICLES_CHANGED + 1])
    if len(ids) > MAX_ARTICLES_CHANGED:
        raise ValidationError(
            ngettext(
                "More than %(max)d article matches: narrow the search or the filter (at most %(max)d at a time).",
                "More than %(max)d articles match: narrow the search or the filter (at most %(max)d at a time).",
                MAX_ARTICLES_CHANGED,
            )
            % {"max": MAX_ARTICLES_CHANGED}
        )
    return ids


@transaction.atomic
def change_articles(*, project, user, article_filter, action):
    """Add or remove the articles the filter names; returns (changed, kept): kept are those a removal left
    because they are assigned in this project (remove their assignments' work by hand first, on purpose)."""
    _check(project, user)
    if action not in ("add", "remove"):
        raise ValidationError(_("Choose whether to add or remove the articles."))
    if article_filter.empty:
        raise ValidationError(_("Name the articles: words to search for, an outlet or publication dates."))
    ids = _bounded(candidates(project, user, article_filter, action))
    if action == "add":
        through = Project.articles.through
        through.objects.bulk_create([through(project_id=project.pk, article_id=pk) for pk in ids], ignore_conflicts=True)
        return len(ids), 0
    assigned = set(Assignment.objects.filter(project=project, article_id__in=ids).values_list("article_id", flat=True))
    removed = [pk for pk in ids if pk not in assigned]
    project.articles.remove(*removed)
    return len(removed), len(assigned)


# --- new projects (administrators) ----------------------------------------------------------------------------


@transaction.atomic
def create_project(*, user, name, description="", is_open=False, labels=(), polarities=(), categories=(), manager=None):
    if not user.is_superuser:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("Only administrators create projects."))
    if Project.objects.filter(name=name).exists():
        raise ValidationError(_("There is already a project called %(name)s.") % {"name": _isolated(name)})
    project = Project.objects.create(name=name, description=description, is_open=is_open)
    project.labels.set(labels)
    project.polarities.set(polarities)
    project.categories.set(categories)
    if manager is not None:
        Membership.objects.create(project=project, user=manager, role=Role.MANAGER)
    return project
