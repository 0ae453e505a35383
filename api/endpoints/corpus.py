"""Reading: projects, articles with their paragraphs, entities with their aliases, agreement figures."""

from datetime import date, datetime

from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema

from annotations.lookups import get_article_for_reader
from annotations.models import Entity, Span
from corpus.models import Article
from projects.lookups import get_project_for_member
from projects.models import CAN_CURATE, Project

from ..errors import finite
from ..schemas import ERRORS, Id, Page, PageSize, paged, text

router = Router(tags=["corpus"])


class ProjectOut(Schema):
    id: int
    name: str
    description: str
    is_open: bool
    role: str | None
    created_at: datetime


class ProjectDetail(ProjectOut):
    guidelines: str
    articles: int
    labels: list[str]
    polarities: list[str]
    categories: list[str]


def _project(project, role):
    return {
        "id": project.pk,
        "name": project.name,
        "description": project.description,
        "is_open": project.is_open,
        "role": role,
        "created_at": project.created_at,
    }


@router.get("/projects", response={200: list[ProjectOut], **ERRORS}, summary="Projects you belong to")
def list_projects(request):
    projects = list(Project.objects.for_member(request.user))
    return [_project(project, project.role_of(request.user)) for project in projects]


@router.get("/projects/{project_id}", response={200: ProjectDetail, **ERRORS}, summary="One project")
def read_project(request, project_id: Id):
    project = get_project_for_member(request.user, project_id)
    return {
        **_project(project, project.role),
        "guidelines": project.guidelines,
        "articles": Article.objects.for_reader(request.user).filter(projects=project).count(),
        "labels": list(project.labels.values_list("name", flat=True)),
        "polarities": list(project.polarities.values_list("name", flat=True)),
        "categories": list(project.categories.values_list("name", flat=True)),
    }


class ArticleOut(Schema):
    id: int
    title: str
    source: str
    url: str
    published_on: date | None
    language: str
    paragraphs: int


class ArticlePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ArticleOut]


class ParagraphOut(Schema):
    id: int
    position: int
    text: str


class ArticleDetail(ArticleOut):
    projects: list[int]
    paragraph_list: list[ParagraphOut]


class ArticleFilters(Schema):
    project: Id | None = None
    source: text(200) | None = None
    q: text(200, description="Part of the title, any case.") | None = None
    page: Page = 1
    page_size: PageSize = 20


def _article(article, paragraphs):
    return {
        "id": article.pk,
        "title": article.title,
        "source": article.source.name,
        "url": article.url,
        "published_on": article.published_on,
        "language": article.language,
        "paragraphs": paragraphs,
    }


@router.get("/articles", response={200: ArticlePage, **ERRORS}, summary="Articles you may read, filtered and paged")
def list_articles(request, filters: Query[ArticleFilters]):
    articles = Article.objects.for_reader(request.user).select_related("source").with_paragraph_counts().order_by("pk")
    if filters.project is not None:
        articles = articles.filter(projects=get_project_for_member(request.user, filters.project))
    if filters.source:
        articles = articles.filter(source__name=filters.source)
    if filters.q:
        articles = articles.filter(title__icontains=filters.q)
    count, rows = paged(articles, filters.page, filters.page_size)
    return {
        "count": count,
        "page": filters.page,
        "page_size": filters.page_size,
        "results": [_article(article, article.paragraph_count) for article in rows],
    }


@router.get("/articles/{article_id}", response={200: ArticleDetail, **ERRORS}, summary="One article with its paragraphs")
def read_article(request, article_id: Id):
    article = get_article_for_reader(request.user, article_id)
    paragraphs = [{"id": p.pk, "position": p.position, "text": p.text} for p in article.paragraphs.order_by("position")]
    visible = Project.objects.for_member(request.user).filter(articles=article)
    return {
        **_article(article, len(paragraphs)),
        "projects": list(visible.values_list("pk", flat=True)),
        "paragraph_list": paragraphs,
    }


class EntityOut(Schema):
    id: int
    name: str
    label: str
    aliases: list[str]


class EntityDetail(EntityOut):
    mentions: int = 0


class EntityPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[EntityOut]


class EntityFilters(Schema):
    q: text(200, description="Part of the name or of an alias.") | None = None
    label: text(20) | None = None
    page: Page = 1
    page_size: PageSize = 20


def _entity(entity):
    return {"id": entity.pk, "name": entity.name, "label": entity.label.name, "aliases": [a.name for a in entity.aliases.all()]}


@router.get("/entities", response={200: EntityPage, **ERRORS}, summary="Canonical entities with their aliases")
def list_entities(request, filters: Query[EntityFilters]):
    entities = Entity.objects.select_related("label").prefetch_related("aliases").order_by("name", "pk")
    if filters.label:
        entities = entities.filter(label__name=filters.label)
    if filters.q:
        matching = Entity.objects.filter(Q(name__icontains=filters.q) | Q(aliases__name__icontains=filters.q)).values("pk")
        entities = entities.filter(pk__in=matching)
    count, rows = paged(entities, filters.page, filters.page_size)
    return {"count": count, "page": filters.page, "page_size": filters.page_size, "results": [_entity(e) for e in rows]}


@router.get(
    "/entities/{entity_id}", response={200: EntityDetail, **ERRORS}, summary="One entity; mentions in articles you may read"
)
def read_entity(request, entity_id: Id):
    entity = get_object_or_404(Entity.objects.select_related("label").prefetch_related("aliases"), pk=entity_id)
    mentions = Span.objects.filter(entity=entity, paragraph__article__in=Article.objects.for_reader(request.user)).count()
    return {**_entity(entity), "mentions": mentions}


class GroupOut(Schema):
    units: int
    units_all: int
    fleiss_kappa: float | None
    alpha: float | None


class PairOut(Schema):
    a: str
    b: str
    articles: int
    f1_exact: float | None
    f1_overlap: float | None
    tokens: int
    token_kappa: float | None
    paragraphs: int
    boilerplate_kappa: float | None
    stance_f1: float | None
    polarity: float | None


class AgreementOut(Schema):
    done_only: bool
    sample: int
    total: int
    cap: int
    annotators: int
    tokens: GroupOut | None
    boilerplate: GroupOut | None
    pairs: list[PairOut]


def _group(group):
    return {
        "units": group.units,
        "units_all": group.units_all,
        "fleiss_kappa": finite(group.fleiss_kappa),
        "alpha": finite(group.alpha),
    }


class AgreementFilters(Schema):
    status: text(10, description="done (the default): finished assignments; any: every assigned one.") = "done"


@router.get(
    "/projects/{project_id}/agreement",
    response={200: AgreementOut, **ERRORS},
    summary="Agreement figures of a project (curators and managers)",
)
def project_agreement(request, project_id: Id, filters: Query[AgreementFilters]):
    from projects import agreement
    from projects.views_agreement import MAX_ARTICLES, overlap_sample

    project = get_project_for_member(request.user, project_id)
    project.check_role(request.user, CAN_CURATE, "curators and managers")
    done_only = filters.status != "any"
    seen, total, users = overlap_sample(project, done_only=done_only)
    result = {
        "done_only": done_only,
        "sample": len(seen),
        "total": total,
        "cap": MAX_ARTICLES,
        "annotators": 0,
        "tokens": None,
        "boilerplate": None,
        "pairs": [],
    }
    if not seen:
        return result
    ids = sorted(users)
    data = agreement.collect(list(seen), ids, seen=seen)
    overall = agreement.overall(list(seen), ids, data=data)
    result.update(annotators=overall.annotators, tokens=_group(overall.tokens), boilerplate=_group(overall.boilerplate))
    for pair in agreement.pairwise(list(seen), ids, data=data):
        if pair.articles:
            result["pairs"].append(
                {
                    "a": users[pair.user_a].get_username(),
                    "b": users[pair.user_b].get_username(),
                    "articles": pair.articles,
                    "f1_exact": finite(pair.spans_exact.overall.f1),
                    "f1_overlap": finite(pair.spans_overlap.overall.f1),
                    "tokens": pair.tokens,
                    "token_kappa": finite(pair.token_kappa),
                    "paragraphs": pair.paragraphs,
                    "boilerplate_kappa": finite(pair.boilerplate_kappa),
                    "stance_f1": finite(pair.stances.f1),
                    "polarity": finite(pair.polarity.proportion),
                }
            )
    return result
