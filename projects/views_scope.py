"""The project switcher's answer: the project the analyst works in, kept in the session."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hamish.ids import parse_id

from .models import Project
from .scope import ALL, set_current_project


@require_POST
def switch_project(request):
    """POST project=<id> or project=all (all my projects), next=<a path here>: back there, now in that project."""
    raw = request.POST.get("project", "")
    if raw == ALL:
        project = None
    else:
        project_id = parse_id(raw)
        project = Project.objects.for_member(request.user).filter(pk=project_id).first() if project_id else None
        if project is None:  # unknown, or not theirs: the same answer (a closed project's name is not learnt)
            return HttpResponse(_("There is no such project of yours."), status=400, content_type="text/plain; charset=utf-8")
    set_current_project(request, project)
    if project is None:
        messages.info(request, _("You now see all your projects."))
    else:
        messages.info(request, _("You now work in the project %(name)s.") % {"name": f"\u2068{project.name}\u2069"})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = "corpus:article_list"
    elif not target.startswith("/"):
        target = "corpus:article_list"
    return redirect(target)
