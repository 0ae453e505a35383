"""Curation pages: the queue of articles ready to curate, an article's curation board, and its writes
(take / edit / reject a version, mark curated, reopen). Curators and managers only (403 for annotators);
a project one is not in is 404."""

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from annotations.models import BoilerplateCategory, Label, Polarity
from hamish.bidi import isolate
from hamish.ids import parse_id

from . import curation_actions
from .curation import build_board
from .curation_layer import is_curated, layer_identity
from .lookups import get_project_for_member
from .models import CAN_CURATE, Assignment, Curation, CurationStatus, Status
from .words import KIND_NAMES

ARTICLES_PER_PAGE = 100
KEY = re.compile(r"(span|stance|boilerplate):[0-9A-Za-z:_-]{1,240}")  # what projects.curation's keys look like


def _for_curator(user, project_id, article_id=None):
    project = get_project_for_member(user, project_id)
    project.check_role(user, CAN_CURATE, "curators and managers")
    article = get_object_or_404(project.articles.select_related("source"), pk=article_id) if article_id else None
    return project, article


@require_GET
def curation_queue(request, project_id):
    """The project's articles whose assignments are all done, with their curation status."""
    project, _ = _for_curator(request.user, project_id)
    assignments = Assignment.objects.filter(project=project, article=OuterRef("pk"))
    articles = (
        project.articles.filter(Exists(assignments))
        .exclude(Exists(assignments.exclude(status=Status.DONE)))
        .annotate(curation=Subquery(Curation.objects.filter(project=project, article=OuterRef("pk")).values("status")[:1]))
        .select_related("source")
        .order_by("source__name", "title", "pk")
    )
    page = Paginator(articles, ARTICLES_PER_PAGE).get_page(parse_id(request.GET.get("page")) or 1)
    return render(request, "projects/curate_queue.html", {"project": project, "page": page, "curated": CurationStatus.CURATED})


@require_GET
def curate(request, project_id, article_id):
    """The board; opening it pre-accepts what the annotators agree on (auto-merge, idempotent)."""
    project, article = _for_curator(request.user, project_id, article_id)
    merged, problems = curation_actions.auto_merge(project=project, article=article, user=request.user)
    if merged:
        messages.info(
            request,
            ngettext(
                "Auto-merge: %(count)d annotation the annotators agree on is now in the curated layer.",
                "Auto-merge: %(count)d annotations the annotators agree on are now in the curated layer.",
                merged,
            )
            % {"count": merged},
        )
    for version, reason in problems:
        messages.warning(
            request,
            _("Not auto-merged: %(kind)s %(label)s: %(reason)s")
            % {"kind": KIND_NAMES[version.kind], "label": isolate(version.label_name), "reason": reason},
        )
    layer = layer_identity(project)
    board = build_board(project, article, layer_user_id=layer.pk)
    categories = dict(BoilerplateCategory.objects.values_list("name", "display_name"))
    for cluster in board.clusters:  # marks are shown by their category's display name
        for item in cluster.versions + cluster.layer:
            item.categories = categories
    context = {
        "project": project,
        "article": article,
        "board": board,
        "layer": layer,
        "curated": is_curated(project, article.pk),
        "show": "open" if request.GET.get("show") == "open" else "all",
        "labels": Label.objects.active(),
        "polarities": Polarity.objects.active(),
        "categories": BoilerplateCategory.objects.active(),
    }
    return render(request, "projects/curate.html", context)


def _back(project, article, anchor=""):
    return redirect(reverse("projects:curate", args=[project.pk, article.pk]) + (f"#{anchor}" if anchor else ""))


def _offset(value):
    """A code point offset from the edit form: None when left empty, else a whole number 0 or more."""
    value = (value or "").strip()
    if not value:
        return None
    if value == "0":
        return 0
    number = parse_id(value)
    if number is None:
        raise ValidationError(_("Offsets are whole numbers of characters, 0 or more."))
    return number


def _refused(request, project, article, exc):
    message = " ".join(exc.messages)
    if request.htmx:
        return HttpResponse(message, status=getattr(exc, "status", 422), content_type="text/plain; charset=utf-8")
    messages.error(request, message)
    return _back(project, article)


@require_POST
def decide(request, project_id, article_id):
    project, article = _for_curator(request.user, project_id, article_id)
    key, action = request.POST.get("key", ""), request.POST.get("action", "")
    if not KEY.fullmatch(key):
        return _refused(request, project, article, ValidationError(_("Choose a version on the board.")))
    try:
        edits = {}
        if action == curation_actions.Action.EDIT:
            edits = {
                "label": request.POST.get("label") or None,
                "start": _offset(request.POST.get("start")),
                "end": _offset(request.POST.get("end")),
                "polarity": request.POST.get("polarity") or None,
                "category": request.POST.get("category") or None,
            }
        version = curation_actions.decide(project=project, article=article, user=request.user, key=key, action=action, **edits)
    except ValidationError as exc:
        return _refused(request, project, article, exc)
    done = {
        "take": _("Taken into the curated layer: %(kind)s %(label)s."),
        "edit": _("Taken, with your changes, into the curated layer: %(kind)s %(label)s."),
        "reject": _("Rejected: left out of the curated layer: %(kind)s %(label)s."),
    }[action]
    messages.success(request, done % {"kind": KIND_NAMES[version.kind], "label": isolate(version.label_name)})
    return _back(
        project,
        article,
        request.POST.get("next_anchor", "") if re.fullmatch(r"c[0-9]{1,6}", request.POST.get("next_anchor", "")) else "",
    )


@require_POST
def mark_curated(request, project_id, article_id):
    project, article = _for_curator(request.user, project_id, article_id)
    try:
        curation_actions.mark_curated(project=project, article=article, user=request.user)
    except ValidationError as exc:
        return _refused(request, project, article, exc)
    messages.success(request, _("Marked curated: this article's curated layer is read-only until the curation is reopened."))
    left = build_board(project, article, layer_user_id=layer_identity(project).pk).open_count
    if left:
        messages.warning(
            request,
            ngettext(
                "%(count)d version was still open: it is not in the curated layer.",
                "%(count)d versions were still open: they are not in the curated layer.",
                left,
            )
            % {"count": left},
        )
    return _back(project, article)


@require_POST
def reopen_curation(request, project_id, article_id):
    project, article = _for_curator(request.user, project_id, article_id)
    try:
        curation_actions.reopen_curation(project=project, article=article, user=request.user)
    except ValidationError as exc:
        return _refused(request, project, article, exc)
    messages.success(request, _("Curation reopened: the curated layer can change again."))
    return _back(project, article)
