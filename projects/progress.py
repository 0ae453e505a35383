"""The manager's view of a project: per annotator and per article, status, annotations and last change, and
done per day. A fixed number of queries whatever the project's size; the per-article table is paged."""

from collections import Counter, defaultdict
from datetime import timedelta

from django.db.models import Count, Max
from django.db.models.functions import TruncDate
from django.utils import timezone

from annotations.models import AnnotationEvent, Span, Stance

from .models import Assignment, Status, StatusEvent

DAYS_CHARTED = 30


def annotator_rows(project):
    """[{annotator, assigned, new, in_progress, done, spans, stances, last_change}] for the project's annotators."""
    counts = defaultdict(Counter)
    for annotator_id, username, status, n in (
        Assignment.objects.filter(project=project)
        .values_list("annotator_id", "annotator__username", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[(annotator_id, username)][status] += n
    articles = project.articles.all()
    spans = dict(Span.objects.filter(paragraph__article__in=articles).values_list("author_id").annotate(n=Count("pk")).order_by())
    stances = dict(Stance.objects.filter(article__in=articles).values_list("author_id").annotate(n=Count("pk")).order_by())
    last = dict(
        AnnotationEvent.objects.filter(paragraph__article__in=articles).values_list("actor_id").annotate(at=Max("at")).order_by()
    )
    rows = []
    for (annotator_id, username), by_status in sorted(counts.items(), key=lambda item: item[0][1]):
        rows.append(
            {
                "annotator": username,
                "assigned": sum(by_status.values()),
                "new": by_status[Status.NEW],
                "in_progress": by_status[Status.IN_PROGRESS],
                "done": by_status[Status.DONE],
                "spans": spans.get(annotator_id, 0),
                "stances": stances.get(annotator_id, 0),
                "last_change": last.get(annotator_id),
            }
        )
    return rows


def article_rows(project, articles, annotator=None, status=None):
    """For the given page of articles: [(article, [assignment...])], assignments filtered as asked."""
    assignments = Assignment.objects.filter(project=project, article__in=[a.pk for a in articles]).select_related("annotator")
    if annotator:
        assignments = assignments.filter(annotator__username=annotator)
    if status:
        assignments = assignments.filter(status=status)
    by_article = defaultdict(list)
    for assignment in assignments.order_by("annotator__username"):
        by_article[assignment.article_id].append(assignment)
    return [(article, by_article.get(article.pk, [])) for article in articles]


def done_per_day(project, days=DAYS_CHARTED):
    """[(date, count)] of articles marked done per day over the last `days` days, oldest first, with zero days."""
    today = timezone.localdate()
    since = today - timedelta(days=days - 1)
    counted = dict(
        StatusEvent.objects.filter(assignment__project=project, after=Status.DONE, at__date__gte=since)
        .annotate(day=TruncDate("at"))
        .values_list("day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [(since + timedelta(days=i), counted.get(since + timedelta(days=i), 0)) for i in range(days)]


def bars(series, *, width=600, height=120, rtl=False):
    """Geometry of a simple bar chart for [(date, count)]: drawn as SVG by the template (attributes, no style).
    Oldest on the left, or on the right when `rtl` (a right-to-left interface reads time from the right)."""
    top = max((n for _d, n in series), default=0) or 1
    step = width / max(len(series), 1)
    return {
        "width": width,
        "height": height,
        "top": top,
        "any": any(n for _d, n in series),
        "bars": [
            {
                "x": round((len(series) - 1 - i if rtl else i) * step + 1, 1),
                "w": round(step - 2, 1),
                "h": round(height * n / top, 1),
                "y": round(height - height * n / top, 1),
                "day": day,
                "n": n,
            }
            for i, (day, n) in enumerate(series)
        ],
    }
