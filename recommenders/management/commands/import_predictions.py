"""manage.py import_predictions FILE --project NAME --model NAME: another tool's predictions as suggestions."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from projects.models import Project
from recommenders.importing import FORMATS, PredictionImportError, guess_format, import_predictions


class Command(BaseCommand):
    help = "Import a model's predictions (Hamish JSON, doccano JSONL or CoNLL) as suggestions in a project."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--project", required=True, help="The project's name or id.")
        parser.add_argument("--model", required=True, help="The name of the model that made the predictions.")
        parser.add_argument("--format", choices=sorted(FORMATS), help="Default: from the file's extension.")
        parser.add_argument("--score", type=float, default=1.0, help="The score of predictions the file gives none.")
        parser.add_argument("--user", help="The account recorded as the importer.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
        key = options["project"]
        project = Project.objects.filter(name=key).first() or (
            Project.objects.filter(pk=int(key)).first() if key.isdigit() else None
        )
        if project is None:
            raise CommandError(f"There is no project {key!r}.")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(**{get_user_model().USERNAME_FIELD: options["user"]}).first()
            if user is None:
                raise CommandError(f"There is no account {options['user']!r}.")
        try:
            batch = import_predictions(
                data,
                project=project,
                format=options["format"] or guess_format(path.name),
                model_name=options["model"],
                user=user,
                filename=path.name,
                default_score=options["score"],
            )
        except PredictionImportError as exc:
            raise CommandError("Not imported; nothing was stored.\n" + "\n".join(exc.problems)) from None
        self.stdout.write(f"{batch.count} predictions of {batch.model_name} imported into {project.name} (batch {batch.pk}).")
