"""The administrators' page for rebuilding the derived indexes as background jobs (jobs.rebuilds): the
search index, the near-duplicate families, or the near-duplicate pass over what is queued. Superusers only."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from corpus import duplicates
from corpus.models import Article, Paragraph

from .models import Job
from .rebuilds import WHAT, active, create_rebuild_job, run_rebuild

RECENT = 10  # rebuild jobs listed under the buttons


@require_http_methods(["GET", "POST"])
def rebuild_page(request):
    if not request.user.is_superuser:
        raise PermissionDenied
    problem, status = "", 200
    if request.method == "POST":
        what = request.POST.get("what", "")
        running = active()
        if what not in WHAT:
            problem, status = _("Choose what to rebuild."), 400
        elif running is not None:
            problem, status = _("A rebuild is already queued or running; wait for it to end, or cancel it."), 409
        else:
            job = create_rebuild_job(user=request.user, what=what)
            run_rebuild.enqueue(job.pk)  # after the job is committed: a worker elsewhere must find it
            return redirect(job)
    context = {
        "paragraphs": Paragraph.objects.count(),
        "articles": Article.objects.count(),
        "pending": duplicates.pending_count(),
        "running": active(),
        "recent": Job.objects.filter(kind=Job.Kind.REBUILD).select_related("user")[:RECENT],
        "problem": problem,
    }
    return render(request, "jobs/rebuild.html", context, status=status)
