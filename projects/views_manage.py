"""The manager's page (settings, members and roles, articles) and the administrators' "new project" page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import managing
from .forms_manage import ArticleFilterForm, MemberForm, NewProjectForm, SettingsForm
from .lookups import get_project_for_member
from .models import CAN_MANAGE, Role


def _managed(request, project_id):
    project = get_project_for_member(request.user, project_id)  # 404 outside it
    project.check_role(request.user, CAN_MANAGE, "managers")  # 403 for annotators and curators
    return project


def _page(request, project, *, status=200, settings_form=None, member_form=None, filter_form=None, error=None):
    if filter_form is None:
        filter_form = ArticleFilterForm(request.GET or None)
    preview = None
    if filter_form.is_bound and filter_form.is_valid() and not filter_form.to_filter().empty:
        article_filter = filter_form.to_filter()
        preview = {}
        for action in ("add", "remove"):
            found = managing.candidates(project, request.user, article_filter, action)
            count = found.count()
            preview[action] = {
                "count": count,
                "shown": list(found[: managing.PREVIEWED]),
                "too_many": count > managing.MAX_ARTICLES_CHANGED,
            }
    context = {
        "project": project,
        "settings_form": settings_form
        or SettingsForm(
            initial={"description": project.description, "guidelines": project.guidelines, "is_open": project.is_open}
        ),
        "member_form": member_form or MemberForm(),
        "filter_form": filter_form,
        "preview": preview,
        "memberships": project.memberships.select_related("user").order_by("role", "user__username"),
        "roles": Role.choices,
        "article_count": project.articles.count(),
        "max_changed": managing.MAX_ARTICLES_CHANGED,
        "error": error,
    }
    return render(request, "projects/manage.html", context, status=status)


@require_GET
def manage_page(request, project_id):
    project = _managed(request, project_id)
    return _page(request, project, status=400 if request.GET and not ArticleFilterForm(request.GET).is_valid() else 200)


@require_POST
def manage_settings(request, project_id):
    project = _managed(request, project_id)
    form = SettingsForm(request.POST)
    if not form.is_valid():
        return _page(request, project, status=400, settings_form=form)
    managing.update_settings(project=project, user=request.user, **form.cleaned_data)
    messages.success(request, _("The project's settings are saved."))
    return redirect("projects:manage", project.pk)


@require_POST
def member_add(request, project_id):
    project = _managed(request, project_id)
    form = MemberForm(request.POST)
    if form.is_valid():
        try:
            membership = managing.add_member(project=project, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("%(name)s joined the project as %(role)s.")
                % {"name": f"\u2068{membership.user.get_username()}\u2069", "role": membership.get_role_display()},
            )
            return redirect("projects:manage", project.pk)
    return _page(request, project, status=400, member_form=form)


def _member_change(request, project, change, done, **kwargs):
    try:
        change(project=project, user=request.user, **kwargs)
    except ValidationError as exc:
        return _page(request, project, status=409, error=" ".join(exc.messages))
    messages.success(request, done)
    return redirect("projects:manage", project.pk)


@require_POST
def member_role(request, project_id, membership_id):
    project = _managed(request, project_id)
    role = request.POST.get("role", "")
    if role not in Role.values:
        return _page(request, project, status=400, error=_("Choose a role: annotator, curator or manager."))
    return _member_change(
        request, project, managing.change_role, _("The role is changed."), membership_id=membership_id, role=role
    )


@require_POST
def member_remove(request, project_id, membership_id):
    project = _managed(request, project_id)
    return _member_change(
        request,
        project,
        managing.remove_member,
        _("The member is removed; their annotations stay."),
        membership_id=membership_id,
    )


@require_POST
def articles_change(request, project_id):
    project = _managed(request, project_id)
    form = ArticleFilterForm(request.POST)
    action = request.POST.get("action", "")
    if not form.is_valid():
        return _page(request, project, status=400, filter_form=form)
    try:
        changed, kept = managing.change_articles(
            project=project, user=request.user, article_filter=form.to_filter(), action=action
        )
    except ValidationError as exc:
        return _page(request, project, status=400, filter_form=form, error=" ".join(exc.messages))
    if action == "add":
        message = ngettext("%(count)d article added.", "%(count)d articles added.", changed) % {"count": changed}
    else:
        message = ngettext("%(count)d article removed.", "%(count)d articles removed.", changed) % {"count": changed}
        if kept:
            message += " " + ngettext(
                "%(count)d article is assigned in this project and stays.",
                "%(count)d articles are assigned in this project and stay.",
                kept,
            ) % {"count": kept}
    messages.success(request, message)
    return redirect("projects:manage", project.pk)


@require_http_methods(["GET", "POST"])
def project_new(request):
    if not request.user.is_superuser:
        raise PermissionDenied(_("Only administrators create projects."))
    form = NewProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = managing.create_project(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The project %(name)s is created.") % {"name": f"\u2068{project.name}\u2069"})
            return redirect("projects:manage", project.pk)
    return render(request, "projects/project_new.html", {"form": form}, status=400 if form.errors else 200)
