"""The corpus as it was, in one open project: every article, label, polarity and boilerplate category, so
that everyone reads and annotates what they did before, and a study can start from it."""

from django.db import migrations

DEFAULT_NAME = "Shared corpus"


def create_default_project(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    Article = apps.get_model("corpus", "Article")
    Label = apps.get_model("annotations", "Label")
    Polarity = apps.get_model("annotations", "Polarity")
    BoilerplateCategory = apps.get_model("annotations", "BoilerplateCategory")
    project, _ = Project.objects.get_or_create(
        name=DEFAULT_NAME,
        defaults={"is_open": True, "description": "Every article imported before projects existed."},
    )
    through = Project.articles.through
    through.objects.bulk_create(
        (through(project_id=project.pk, article_id=pk) for pk in Article.objects.values_list("pk", flat=True).iterator()),
        batch_size=5000,
        ignore_conflicts=True,
    )
    project.labels.set(Label.objects.filter(is_active=True))
    project.polarities.set(Polarity.objects.filter(is_active=True))
    project.categories.set(BoilerplateCategory.objects.filter(is_active=True))


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0001_initial"),
        ("corpus", "0001_initial"),
        ("annotations", "0008_annotation_versions"),
    ]

    operations = [migrations.RunPython(create_default_project, migrations.RunPython.noop)]
