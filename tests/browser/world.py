"""A small, realistic world for the page-by-page browser checks (screens, accessibility): the demo seeds
imported, a project with an annotator and a manager, spans, a stance, an assignment and a finished job."""

import json
from dataclasses import dataclass

from annotations.models import Entity
from annotations.stances import Choice
from corpus.importing import import_files, iter_paths
from corpus.models import Article
from jobs.models import Job
from projects.models import Assignment, Membership, Project, Role
from tests.test_compare import DEMO
from tests.utils import add_span, add_stance

# The admin sees every menu entry (Import, Audit log, Admin): the widest header there is.
ADMIN = ("admin", "admin-pass-123")


@dataclass
class World:
    project: Project
    article: Article  # the longest demo article: the reading view's worst case on a phone
    job: Job
    entity: Entity

    def pages(self):
        """The main pages, by name: (name, path)."""
        p = self.project.pk
        return [
            ("corpus", "/"),
            ("reading", f"/articles/{self.article.pk}/"),
            ("search", "/search/?q=%D8%A7%D9%84%D8%B9%D8%B1%D8%A7%D9%82"),  # العراق
            ("stances", "/stances/"),
            ("export", "/export/"),
            ("import", "/import/"),
            ("projects", "/projects/"),
            ("project", f"/projects/{p}/"),
            ("progress", f"/projects/{p}/progress/"),
            ("agreement", f"/projects/{p}/agreement/"),
            ("compare", f"/projects/{p}/compare/"),
            ("jobs", "/jobs/"),
            ("job", f"/jobs/{self.job.pk}/"),
        ]

    def more_pages(self):
        """The other pages one reaches from those (checked for width, and by axe where they pass)."""
        p, a = self.project.pk, self.article.pk
        return [
            ("audit log", "/audit/"),
            ("entity", f"/entities/{self.entity.pk}/"),
            ("target", f"/stances/entities/{self.entity.pk}/"),
            ("clean text", f"/articles/{a}/clean/"),
            ("assign", f"/projects/{p}/assign/"),
            ("curation queue", f"/projects/{p}/curation/"),
            ("curate", f"/projects/{p}/curation/{a}/"),
            ("import history", "/jobs/imports/"),
            ("shared content", "/shared/"),
            ("api tokens", "/api/tokens/"),
            ("preferences", "/accounts/preferences/"),
            ("password", "/accounts/password/"),
        ]


def build_world(admin, labels, polarities):
    for entry in json.loads((DEMO / "manifest.json").read_text(encoding="utf-8"))["articles"]:
        import_files(iter_paths([DEMO / entry["file"]]), source_name=entry["source"])
    articles = list(Article.objects.order_by("pk"))
    project = Project.objects.create(name="حوار التعاون الأمني", guidelines="Tag people and organisations first.")
    project.articles.add(*articles)
    Membership.objects.create(project=project, user=admin, role=Role.MANAGER)
    stroul = Entity.objects.create(name="دانا سترول", label=labels["PER"])
    for article in articles:
        for paragraph in article.paragraphs.filter(text__contains="سترول"):
            add_span(paragraph, "سترول", "PER", author=admin, entity=stroul)
    paragraph = next(p for a in articles for p in a.paragraphs.filter(text__contains="سترول"))
    add_stance(
        paragraph,
        "سترول",
        author=admin,
        holder=Choice("entity", stroul.pk),
        target=Choice("name", name="الوجود العسكري الأمريكي"),
        polarity=polarities["opposes"],
    )
    for position, article in enumerate(articles):
        Assignment.objects.create(project=project, article=article, annotator=admin, position=position, assigned_by=admin)
    longest = max(articles, key=lambda a: sum(len(p.text) for p in a.paragraphs.all()))
    job = Job.objects.create(
        kind=Job.Kind.IMPORT, user=admin, description="batch.zip", status=Job.Status.DONE, files_total=5, files_done=5, imported=5
    )
    return World(project=project, article=longest, job=job, entity=stroul)
