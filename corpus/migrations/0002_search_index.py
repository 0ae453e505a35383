from django.db import migrations


def create(apps, schema_editor):
    from corpus.search import create_index

    create_index(schema_editor)


def fill(apps, schema_editor):
    """Index the paragraphs already there (an existing installation upgrading)."""
    from corpus.search import index_paragraphs

    Paragraph = apps.get_model("corpus", "Paragraph")
    batch = []
    for row in Paragraph.objects.order_by("pk").values_list("pk", "text").iterator(chunk_size=5000):
        batch.append(row)
        if len(batch) == 5000:
            index_paragraphs(batch)
            batch = []
    index_paragraphs(batch)


def drop(apps, schema_editor):
    from corpus.search import drop_index

    drop_index(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("corpus", "0001_initial")]

    operations = [migrations.RunPython(create, drop), migrations.RunPython(fill, migrations.RunPython.noop)]
