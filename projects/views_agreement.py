"""Agreement pages for managers and curators: every pair of annotators over the project's overlap sample,
everyone together, per article, and the drill-down to one pair's disagreements on one article.

Agreement is measured on what annotators finished: articles assigned to at least two annotators in the
project, each annotator counting as having seen the article once their assignment is done (or, with
?status=any, as soon as it is assigned). The work grows with the sample, so the page takes at most
MAX_ARTICLES of them (the oldest assignments first) and says so when there are more.
"""

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from annotations.models import BoilerplateCategory
from corpus.models import Article
from hamish.ids import parse_id

from . import agreement
from .lookups import get_project_for_member
from .models import CAN_CURATE, Assignment, Status
from .words import label_name

MAX_ARTICLES = 300


def overlap_sample(project, *, done_only=True):
    """({article id: {annotator id}}, total articles in the sample before the cap, {user id: user})."""
    assignments = Assignment.objects.filter(project=project)
    if done_only:
        assignments = assignments.filter(status=Status.DONE)
    seen = defaultdict(set)
    for article_id, annotator_id in assignments.order_by("pk").values_list("article_id", "annotator_id"):
        seen[article_id].add(annotator_id)
    sample = {article: users for article, users in seen.items() if len(users) >= 2}
    total = len(sample)
    kept = dict(list(sample.items())[:MAX_ARTICLES])
    users = get_user_model().objects.in_bulk({u for users in kept.values() for u in users})
    return kept, total, users


def show(value):
    """A measure as the page shows it: three decimals, or "n/a" (translated) when it is undefined."""
    return _("n/a") if value is None else agreement.display(value)


def _pair_row(pair, users):
    return {
        "a": users[pair.user_a],
        "b": users[pair.user_b],
        "articles": pair.articles,
        "f1_exact": show(pair.spans_exact.overall.f1),
        "f1_overlap": show(pair.spans_overlap.overall.f1),
        "token_kappa": show(pair.token_kappa),
        "tokens": pair.tokens,
        "boilerplate_kappa": show(pair.boilerplate_kappa),
        "paragraphs": pair.paragraphs,
        "stance_f1": show(pair.stances.f1),
        "polarity": show(pair.polarity.proportion),
        # (label, F1 exact, F1 overlap, spans of a, spans of b) for every label either used
        "per_label": [
            (
                label,
                show(exact.f1),
                show(pair.spans_overlap.per_label[label].f1 if label in pair.spans_overlap.per_label else None),
                exact.a,
                exact.b,
            )
            for label, exact in sorted(pair.spans_exact.per_label.items())
        ],
    }


@require_GET
def agreement_page(request, project_id):
    project = get_project_for_member(request.user, project_id)
    project.check_role(request.user, CAN_CURATE, "curators and managers")
    done_only = request.GET.get("status") != "any"
    seen, total, users = overlap_sample(project, done_only=done_only)
    context = {"project": project, "done_only": done_only, "sample": len(seen), "total": total, "cap": MAX_ARTICLES}
    if seen:
        ids = sorted(users)
        data = agreement.collect(list(seen), ids, seen=seen)
        overall = agreement.overall(list(seen), ids, data=data)
        articles = Article.objects.select_related("source").in_bulk(list(seen))
        per_article = agreement.by_article(list(seen), ids, data=data)
        context.update(
            {
                "overall": overall,
                "fleiss_tokens": show(overall.tokens.fleiss_kappa),
                "alpha_tokens": show(overall.tokens.alpha),
                "fleiss_boilerplate": show(overall.boilerplate.fleiss_kappa),
                "alpha_boilerplate": show(overall.boilerplate.alpha),
                "pairs": [_pair_row(p, users) for p in agreement.pairwise(list(seen), ids, data=data) if p.articles],
                "articles": [
                    (articles[article_id], [_pair_row(p, users) for p in pairs if p.articles])
                    for article_id, pairs in sorted(per_article.items(), key=lambda item: (articles[item[0]].title, item[0]))
                    if article_id in articles
                ],
            }
        )
    return render(request, "projects/agreement.html", context)


@require_GET
def disagreements_page(request, project_id, article_id):
    """One pair's disagreements on one article, side by side (?a=<user id>&b=<user id>)."""
    project = get_project_for_member(request.user, project_id)
    project.check_role(request.user, CAN_CURATE, "curators and managers")
    article = get_object_or_404(project.articles.select_related("source"), pk=article_id)
    assigned = set(Assignment.objects.filter(project=project, article=article).values_list("annotator_id", flat=True))
    a, b = parse_id(request.GET.get("a")), parse_id(request.GET.get("b"))
    if a not in assigned or b not in assigned or a == b:
        return render(
            request,
            "projects/disagreements.html",
            {
                "project": project,
                "article": article,
                "problem": _("Choose two different annotators of this article."),
                "annotators": get_user_model().objects.filter(pk__in=assigned).order_by("username"),
            },
            status=400,
        )
    users = get_user_model().objects.in_bulk([a, b])
    categories = dict(BoilerplateCategory.objects.values_list("name", "display_name"))  # marks by display name
    context = {
        "project": project,
        "article": article,
        "a": users[a],
        "b": users[b],
        "disagreements": [
            (d, *(side and label_name(side.kind, side.label, categories) for side in (d.a, d.b)))
            for d in agreement.disagreements(article, a, b)
        ],
    }
    return render(request, "projects/disagreements.html", context)
