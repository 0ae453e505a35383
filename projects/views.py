"""Projects for their members: the list, a project's page with the guidelines and my queue, the manager's
assignment form and progress page, and the status of an assignment (done / reopened)."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language_bidi, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from corpus.models import Article
from hamish.ids import parse_id

from . import assigning, progress
from .forms import AssignForm
from .lookups import get_assignment_for_member, get_project_for_member
from .models import CAN_CURATE, CAN_MANAGE, Project, Status

ARTICLES_PER_PAGE = 100
CURRENT_PROJECT = "project"  # session key: the project the analyst works in (its queue, its next article)


@require_GET
def project_list(request):
    projects = Project.objects.for_member(request.user).order_by("name")
    return render(request, "projects/project_list.html", {"projects": projects})


@require_GET
def project_detail(request, project_id):
    project = get_project_for_member(request.user, project_id)
    request.session[CURRENT_PROJECT] = project.pk
    queue = list(assigning.queue_of(request.user, project))
    context = {
        "project": project,
        "queue": queue,
        "done": sum(1 for a in queue if a.status == Status.DONE),
        "next": next((a for a in queue if a.status != Status.DONE), None),
        "can_manage": project.role in CAN_MANAGE,
        "can_curate": project.role in CAN_CURATE,
        "article_count": project.articles.count(),
    }
    return render(request, "projects/project_detail.html", context)


@require_http_methods(["GET", "POST"])
def assign(request, project_id):
    project = get_project_for_member(request.user, project_id)
    project.check_role(request.user, CAN_MANAGE, "managers")
    form = AssignForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        overlap, share = form.overlap_and_share()
        try:
            made = assigning.assign(
                project=project,
                articles=form.articles(),
                annotators=form.cleaned_data["annotators"],
                by=request.user,
                overlap=overlap,
                share=share,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                ngettext("%(count)d assignment made.", "%(count)d assignments made.", len(made)) % {"count": len(made)},
            )
            return redirect("projects:progress", project.pk)
    return render(request, "projects/assign.html", {"project": project, "form": form}, status=400 if form.errors else 200)


@require_GET
def progress_page(request, project_id):
    project = get_project_for_member(request.user, project_id)
    project.check_role(request.user, CAN_MANAGE, "managers")
    annotator = request.GET.get("annotator", "")[:150]
    status = request.GET.get("status", "")
    status = status if status in Status.values else ""
    articles = project.articles.select_related("source").order_by("source__name", "title", "pk")
    if annotator or status:
        articles = articles.filter(assignments__project=project).distinct()
        if annotator:
            articles = articles.filter(assignments__annotator__username=annotator)
        if status:
            articles = articles.filter(assignments__status=status)
    page = Paginator(articles, ARTICLES_PER_PAGE).get_page(parse_id(request.GET.get("page")) or 1)
    context = {
        "project": project,
        "annotators": progress.annotator_rows(project),
        "rows": progress.article_rows(project, list(page.object_list), annotator=annotator, status=status),
        "page": page,
        "chart": progress.bars(progress.done_per_day(project), rtl=get_language_bidi()),
        "filters": {"annotator": annotator, "status": status},
        "statuses": Status.choices,
    }
    return render(request, "projects/progress.html", context)


def _status_answer(request, assignment, message):
    """htmx: the reading view's status bar; a form post: back to where it came from."""
    if request.htmx:
        response = render(request, "projects/_status_bar.html", {"assignment": assignment})
        response["HX-Trigger"] = json.dumps({"hamish:flash": {"message": message}})
        return response
    messages.success(request, message)
    return redirect(reverse("annotations:article", args=[assignment.article_id]))


def _refused(request, exc):
    message = "; ".join(exc.messages)
    if request.htmx:
        return HttpResponse(message, status=409, content_type="text/plain; charset=utf-8")
    messages.error(request, message)
    return redirect(reverse("projects:project_list"))


def _change_status(request, assignment_id, change, message):
    assignment = get_assignment_for_member(request.user, assignment_id)
    try:
        assignment = change(assignment=assignment, user=request.user)
    except ValidationError as exc:
        return _refused(request, exc)
    return _status_answer(request, assignment, message)


@require_POST
def mark_done(request, assignment_id):
    return _change_status(
        request,
        assignment_id,
        assigning.mark_done,
        _("Marked done: your annotations of this article are read-only until you reopen it."),
    )


@require_POST
def reopen(request, assignment_id):
    return _change_status(
        request, assignment_id, assigning.reopen, _("Reopened: you can change your annotations of this article again.")
    )


@require_GET
def next_article(request, project_id):
    """The next article in my queue after ?after=<article id>: a redirect, or back to the project if none is left."""
    project = get_project_for_member(request.user, project_id)
    following = assigning.next_in_queue(request.user, project, after_article_id=parse_id(request.GET.get("after")))
    if following is None:
        messages.info(request, _("Nothing left in your queue: every article is done."))
        return redirect("projects:project_detail", project.pk)
    return redirect(f"{reverse('annotations:article', args=[following.article_id])}?project={project.pk}")


@require_GET
def article_status(request, article_id):
    """The reading view's status bar: this article in my queue (of ?project=, else of the project I work in,
    else of any), or nothing when it is not assigned to me."""
    article = get_object_or_404(Article.objects.for_reader(request.user), pk=article_id)
    project_id = parse_id(request.GET.get("project")) or request.session.get(CURRENT_PROJECT)
    assignment = assigning.assignment_for(request.user, article, project_id)
    if assignment is None:
        return HttpResponse('<div id="assignment-status"></div>')
    if parse_id(request.GET.get("project")):
        request.session[CURRENT_PROJECT] = assignment.project_id
    return render(request, "projects/_status_bar.html", {"assignment": assignment})
