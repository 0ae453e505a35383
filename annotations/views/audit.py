"""The audit log for administrators: who created, changed or deleted which annotation, and when."""

from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..models import AnnotationEvent

PER_PAGE = 50


def describe(event):
    """One line on what the annotation was (its text and label, its holder and target, its category)."""
    data = event.after or event.before or {}
    if event.kind == "span":
        return data.get("text", "")
    if event.kind == "stance":
        return " / ".join(item[3] for item in data.get("evidence", []))[:200]
    return ""


@require_GET
def audit_log(request):
    if not request.user.is_staff:  # anonymous users never get here: LoginRequiredMiddleware sends them to log in
        raise PermissionDenied("The audit log is for administrators.")
    events = AnnotationEvent.objects.select_related("actor", "paragraph__article", "undoes").order_by("-pk")
    User = get_user_model()
    filters = {
        "actor": request.GET.get("actor", ""),
        "kind": request.GET.get("kind", ""),
        "action": request.GET.get("action", ""),
        "article": request.GET.get("article", ""),
    }
    if filters["actor"]:
        events = events.filter(**{f"actor__{User.USERNAME_FIELD}": filters["actor"]})
    if filters["kind"] in dict(AnnotationEvent.KINDS):
        events = events.filter(kind=filters["kind"])
    if filters["action"] in dict(AnnotationEvent.ACTIONS):
        events = events.filter(action=filters["action"])
    if filters["article"].isdigit():
        events = events.filter(paragraph__article_id=int(filters["article"]))
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    for event in page.object_list:
        event.summary = describe(event)
    query = urlencode({key: value for key, value in filters.items() if value})
    return render(request, "annotations/audit_log.html", {
        "page": page, "filters": filters, "kinds": AnnotationEvent.KINDS, "actions": AnnotationEvent.ACTIONS,
        "actors": User.objects.filter(annotation_events__isnull=False).distinct().order_by(User.USERNAME_FIELD),
        "query": query,
    })
