"""Search index with the spelling variants of corpus.spellings (issue 16): compound names in both shapes among
the forms, loan letters read as Arabic ones, and a third column of g keys (بنجلاديش / بنغلاديش). The index is
made again and refilled from the paragraphs, on SQLite and PostgreSQL (`manage.py rebuild_indexes` does the
same refill, with the near-duplicate pass too)."""

from django.db import migrations


def recreate_search_index(apps, schema_editor):
    from corpus import search

    search.drop_index(schema_editor)
    search.create_index(schema_editor)
    search.rebuild()


class Migration(migrations.Migration):
    dependencies = [("corpus", "0007_verbose_names")]

    operations = [migrations.RunPython(recreate_search_index, migrations.RunPython.noop)]
