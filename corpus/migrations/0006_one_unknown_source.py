"""One name for articles whose file names no outlet: «مصدر غير معروف», as the demo corpus has it.

The importer used to file them under the English "Unknown source", so a corpus with the demo had two
outlets for the same thing. This moves the English one's articles to the Arabic one (renaming it when
there is no Arabic one yet). Its outlet line counts (template chrome hints) are dropped with it: an
"outlet" of unrelated files has no template to find."""

from django.db import migrations

OLD, NEW = "Unknown source", "مصدر غير معروف"


def one_name(apps, schema_editor):
    Source = apps.get_model("corpus", "Source")
    Article = apps.get_model("corpus", "Article")
    old = Source.objects.filter(name=OLD).first()
    if old is None:
        return
    new = Source.objects.filter(name=NEW).first()
    if new is None:
        old.name = NEW
        old.save(update_fields=["name"])
        return
    Article.objects.filter(source=old).update(source=new)
    old.delete()


class Migration(migrations.Migration):
    dependencies = [("corpus", "0005_near_duplicate_families")]

    operations = [migrations.RunPython(one_name, migrations.RunPython.noop)]
