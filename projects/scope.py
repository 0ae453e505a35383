"""The project an analyst works in, and what it allows.

The *current project* is kept in the session (CURRENT_PROJECT): the project switcher in the page header sets it,
and so do a project's page and the reading view opened with ?project=. "All my projects" (ALL) is a choice too:
then nothing is narrowed beyond what the analyst may read. A request may name a project itself (?project= or a
posted `project`), which wins over the session for that request.

A project's *vocabulary* is the labels, polarities and boilerplate categories it was given. When an article is
annotated in a project, only those are offered, and any other is refused by the server (web and API alike). The
rule, for a write in an article:

- the request's project (named, else the session's) if it holds the article and the analyst is in it: its sets;
- else every project of the analyst's that holds the article: the union of their sets (an article read outside
  any of them cannot escape the rules by being read "nowhere");
- a project given no labels (or no polarities, or no categories) restricts nothing of that kind, and an article
  in none of the analyst's projects is not restricted either (administrators' own corpus work).
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from hamish.ids import parse_id

from .models import Project

CURRENT_PROJECT = "project"  # session key, as in projects.views
ALL = "all"  # the switcher's "all my projects"


def named_project_id(request):
    """The project id the request names (?project= or a posted `project`), or None."""
    raw = request.GET.get("project") or (request.POST.get("project") if request.method == "POST" else None)
    return parse_id(raw) if raw and raw != ALL else None


def current_project(request):
    """The project the request works in (named, else the session's), one the user is in; None for "all my
    projects" or when the session's project is gone or closed to them."""
    user = request.user
    if not user.is_authenticated:
        return None
    project_id = named_project_id(request)
    if project_id is None:
        session = getattr(request, "session", None)  # API calls with a token have none
        project_id = session.get(CURRENT_PROJECT) if session is not None else None
        if not isinstance(project_id, int):
            return None
    project = Project.objects.for_member(user).filter(pk=project_id).first()
    if project is not None:
        project.role = project.role_of(user)
    return project


def set_current_project(request, project):
    request.session[CURRENT_PROJECT] = project.pk if project is not None else ALL


def scoped_articles(request, articles):
    """`articles` (already those the user may read) narrowed to the current project's, if one is chosen."""
    project = current_project(request)
    if project is None:
        return articles
    return articles.filter(projects=project)


@dataclass
class Allowed:
    """Ids of the labels, polarities and categories allowed; None for a kind that is not restricted."""

    labels: frozenset | None = None
    polarities: frozenset | None = None
    categories: frozenset | None = None
    project: Project | None = None  # the request's project, when the rule took it (it holds the article)

    def filter(self, kind, items):
        ids = getattr(self, kind)
        return list(items) if ids is None else [item for item in items if item.pk in ids]


UNRESTRICTED = Allowed()


def allowed_in(user, article_id, project=None):
    """What may be used in `article_id` by `user`, given the project the request works in (see the rule above)."""
    if not user.is_authenticated:
        return UNRESTRICTED
    mine = Project.objects.for_member(user).filter(articles__pk=article_id)
    read_in = project if project is not None and mine.filter(pk=project.pk).exists() else None
    projects = [read_in] if read_in is not None else list(mine.distinct())
    if not projects:
        return UNRESTRICTED
    through = {
        "labels": Project.labels.through,
        "polarities": Project.polarities.through,
        "categories": Project.categories.through,
    }
    field = {"labels": "label_id", "polarities": "polarity_id", "categories": "boilerplatecategory_id"}
    result = {}
    pks = [p.pk for p in projects]
    for kind, model in through.items():
        rows = list(model.objects.filter(project_id__in=pks).values_list("project_id", field[kind]))
        restricting = {project_id for project_id, _id in rows}
        if len(restricting) < len(pks):  # one of the projects gave none of this kind: no restriction
            result[kind] = None
        else:
            result[kind] = frozenset(pk for _project, pk in rows)
    return Allowed(**result, project=read_in)


def allowed_for_request(request, article_id):
    return allowed_in(request.user, article_id, current_project(request))


def _isolated(name):
    return f"\u2068{name}\u2069"  # a name keeps its own direction inside the sentence


def refusal(allowed, *, label=None, polarity=None, category=None):
    """The message refusing what the project does not allow, or None."""
    if label is not None and allowed.labels is not None and label.pk not in allowed.labels:
        return _("The label %(label)s is not one of this project's labels.") % {"label": _isolated(label.name)}
    if polarity is not None and allowed.polarities is not None and polarity.pk not in allowed.polarities:
        return _("The polarity %(polarity)s is not one of this project's polarities.") % {"polarity": _isolated(polarity.name)}
    if category is not None and allowed.categories is not None and category.pk not in allowed.categories:
        return _("The boilerplate category %(category)s is not one of this project's categories.") % {
            "category": _isolated(category.name)
        }
    return None
