"""Giving articles to annotators, and their status: by hand, round-robin, or each to k annotators for an overlap
sample; new -> in progress -> done, and reopened. Every status change is recorded (StatusEvent)."""

import random

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .models import Assignment, Project, Role, Status, StatusEvent

READ_ONLY = gettext_lazy("You marked this article done, so your annotations of it are read-only: reopen it to change them.")
MAX_OVERLAP = 10  # annotators per article in one bulk assignment; a study rarely needs more than 3


@transaction.atomic
def assign(*, project, articles, annotators, by, overlap=1, share=1.0, seed=None):
    """Give `articles` (in order) to `annotators`: each article to `overlap` of them, taking turns (round-robin),
    for a random `share` of the articles (the overlap sample) and to one annotator for the rest. Articles an
    annotator already has are not given twice. Returns the new assignments."""
    articles, annotators = list(articles), list(annotators)
    if not annotators:
        raise ValidationError(_("Choose at least one annotator."))
    if not 1 <= overlap <= min(MAX_OVERLAP, len(annotators)):
        raise ValidationError(
            _("Each article can go to 1 to %(most)d of the chosen annotators.") % {"most": min(MAX_OVERLAP, len(annotators))}
        )
    if not 0.0 <= share <= 1.0:
        raise ValidationError(_("The share of articles with overlap is between 0 and 100%."))
    in_project = set(project.articles.filter(pk__in=[a.pk for a in articles]).values_list("pk", flat=True))
    outside = [a for a in articles if a.pk not in in_project]
    if outside:
        raise ValidationError(
            ngettext(
                "%(count)d of the chosen articles is not in this project.",
                "%(count)d of the chosen articles are not in this project.",
                len(outside),
            )
            % {"count": len(outside)}
        )
    sampled = set(random.Random(seed).sample(range(len(articles)), round(share * len(articles)))) if overlap > 1 else set()
    existing = set(Assignment.objects.filter(project=project, article__in=articles).values_list("article_id", "annotator_id"))
    positions = dict(
        Assignment.objects.filter(project=project, annotator__in=annotators)
        .values("annotator_id")
        .annotate(last=Max("position"))
        .values_list("annotator_id", "last")
    )
    made, turn = [], 0
    for index, article in enumerate(articles):
        wanted = overlap if index in sampled else 1
        for k in range(wanted):
            annotator = annotators[(turn + k) % len(annotators)]
            if (article.pk, annotator.pk) in existing:
                continue
            positions[annotator.pk] = positions.get(annotator.pk, 0) + 1
            made.append(
                Assignment(
                    project=project, article=article, annotator=annotator, assigned_by=by, position=positions[annotator.pk]
                )
            )
        turn += wanted
    return Assignment.objects.bulk_create(made)


def _locked(assignment_id):
    return Assignment.objects.select_for_update(of=("self",)).select_related("project").get(pk=assignment_id)


def _change(assignment, status, actor):
    before = assignment.status
    updated = Assignment.objects.filter(pk=assignment.pk, version=assignment.version).update(
        status=status, status_changed_at=timezone.now(), version=assignment.version + 1
    )
    if updated != 1:  # the row is locked; this cannot happen unless someone writes without the lock
        raise ValidationError(_("This assignment changed meanwhile; reload the page."))
    StatusEvent.objects.create(assignment=assignment, actor=actor, before=before, after=status)
    assignment.status, assignment.version = status, assignment.version + 1
    return assignment


@transaction.atomic
def mark_done(*, assignment, user):
    assignment = _locked(assignment.pk)
    _check_own(assignment, user)
    if assignment.status == Status.DONE:
        raise ValidationError(_("This article is already marked done."))
    return _change(assignment, Status.DONE, user)


@transaction.atomic
def reopen(*, assignment, user):
    assignment = _locked(assignment.pk)
    _check_own(assignment, user, managers_too=True)
    if assignment.status != Status.DONE:
        raise ValidationError(_("Only a done article can be reopened."))
    return _change(assignment, Status.IN_PROGRESS, user)


def record_activity(*, user, paragraph_id):
    """`user` is writing an annotation in this paragraph (called inside the write's transaction, by
    annotations.history.log): refuse it if they marked the article done everywhere it is assigned to them;
    otherwise their new assignments of it are now in progress, committed with the annotation."""
    assignments = list(
        Assignment.objects.select_for_update(of=("self",))
        .filter(annotator=user, article__paragraphs=paragraph_id)
        .only("pk", "status", "version")
    )
    if assignments and all(a.status == Status.DONE for a in assignments):
        raise ValidationError(str(READ_ONLY))
    for assignment in assignments:
        if assignment.status == Status.NEW:
            _change(assignment, Status.IN_PROGRESS, user)


def _check_own(assignment, user, managers_too=False):
    if assignment.annotator_id == user.pk:
        return
    if managers_too and assignment.project.role_of(user) == Role.MANAGER:
        return
    raise ValidationError(_("This is another annotator's assignment."))


def queue_of(user, project):
    """The user's assignments in the project, in queue order, with their articles."""
    return Assignment.objects.filter(project=project, annotator=user).select_related("article__source").order_by("position", "pk")


def next_in_queue(user, project, after_article_id=None):
    """The first assignment in the queue that is not done (after the given article's, if it is in the queue)."""
    queue = list(queue_of(user, project).only("pk", "article_id", "status", "position"))
    start = 0
    for index, assignment in enumerate(queue):
        if assignment.article_id == after_article_id:
            start = index + 1
            break
    for assignment in queue[start:] + queue[:start]:
        if assignment.status != Status.DONE and assignment.article_id != after_article_id:
            return assignment
    return None


def assignment_for(user, article, project_id=None):
    """The user's assignment of `article`: in project `project_id` if they have one there, else their first."""
    assignments = list(
        Assignment.objects.filter(annotator=user, article=article, project__in=Project.objects.for_member(user))
        .select_related("project")
        .order_by("pk")
    )
    return next((a for a in assignments if a.project_id == project_id), assignments[0] if assignments else None)
