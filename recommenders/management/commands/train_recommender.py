"""manage.py train_recommender --project NAME: train the built-in CRF on the project's spans now (in this
process, not the worker) and store its suggestions."""

from django.core.management.base import BaseCommand, CommandError

from projects.models import Project
from recommenders.training import train_project


class Command(BaseCommand):
    help = "Train a project's built-in recommender (CRF) on its spans and store what it suggests."

    def add_arguments(self, parser):
        parser.add_argument("--project", required=True, help="The project's name or id.")

    def handle(self, *args, **options):
        key = options["project"]
        project = Project.objects.filter(name=key).first() or (
            Project.objects.filter(pk=int(key)).first() if key.isdigit() else None
        )
        if project is None:
            raise CommandError(f"There is no project {key!r}.")
        batch = train_project(project)
        if batch is None:
            raise CommandError(f"{project.name} has no spans to learn from yet.")
        info = project.recommender.trained_on
        self.stdout.write(
            f"Trained on {info['spans']} spans in {info['paragraphs']} paragraphs ({info['training_seconds']} s); "
            f"{batch.count} suggestions stored ({info['suggesting_seconds']} s)."
        )
