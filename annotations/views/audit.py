"""The audit log for administrators: who created, changed or deleted which annotation, and when."""

from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from hamish.ids import parse_id

from ..models import AnnotationEvent

PER_PAGE = 50
AUDIT_PERMISSION = "annotations.view_annotationevent"
DENIED = gettext_lazy(
    'Your account may not read the audit log: it needs the permission "Can view annotation event". '
    "Ask an administrator to give it to you (Admin, Users or Groups)."
)


def describe(event):
    """One line on what the annotation was (its text and label, its holder and target, its category)."""
    data = event.after or event.before or {}
    if event.kind == "span":
        return data.get("text", "")
    if event.kind == "stance":
        return " / ".join(item[3] for item in data.get("evidence", []))[:200]
    if event.kind == "entity":  # a merge: «merged ← kept» in the right-to-left cell; its undo: the one restored
        after = event.after or {}
        return " ← ".join(name for name in (after.get("merged_name"), after.get("name")) if name)
    return ""


@require_GET
def audit_log(request):
    # A permission, not is_staff: a staff account may be meant for something else (managing labels) and
    # the log shows every analyst's work. Superusers have it; anonymous users never get here
    # (LoginRequiredMiddleware sends them to log in).
    if not request.user.has_perm(AUDIT_PERMISSION):
        return render(request, "annotations/audit_log.html", {"denied": DENIED}, status=403)
    events = AnnotationEvent.objects.select_related("actor", "paragraph__article", "undoes").order_by("-pk")
    User = get_user_model()
    filters = {
        "actor": request.GET.get("actor", ""),
        "kind": request.GET.get("kind", ""),
        "action": request.GET.get("action", ""),
        "article": request.GET.get("article", ""),
    }
    if "\x00" in filters["actor"]:
        events = events.none()  # no user is named so, and PostgreSQL refuses NUL in a query (a 500)
    elif filters["actor"]:
        events = events.filter(**{f"actor__{User.USERNAME_FIELD}": filters["actor"]})
    if filters["kind"] in dict(AnnotationEvent.KINDS):
        events = events.filter(kind=filters["kind"])
    if filters["action"] in dict(AnnotationEvent.ACTIONS):
        events = events.filter(action=filters["action"])
    article_id = parse_id(filters["article"])
    if article_id is not None:
        events = events.filter(paragraph__article_id=article_id)
    elif filters["article"]:
        events = events.none()  # "²" or "abc" names no article: nothing matches, rather than everything
    # Junk page numbers ("²", "٣", 10^26) open the first page, as no number does.
    page = Paginator(events, PER_PAGE).get_page(parse_id(request.GET.get("page")) or 1)
    for event in page.object_list:
        event.summary = describe(event)
    query = urlencode({key: value for key, value in filters.items() if value})
    return render(
        request,
        "annotations/audit_log.html",
        {
            "page": page,
            "filters": filters,
            "kinds": AnnotationEvent.KINDS,
            "actions": AnnotationEvent.ACTIONS,
            "actors": User.objects.filter(annotation_events__isnull=False).distinct().order_by(User.USERNAME_FIELD),
            "query": query,
        },
    )
