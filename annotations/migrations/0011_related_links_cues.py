"""More headings of related-links lists, so that «مقالات مشابهة» and its kin are guessed as related links
(they were "other"). Added to the related category's cue phrases where an administrator has not already
listed them; nothing is removed, and the category is left alone if it was deleted or renamed."""

from django.db import migrations

NEW_CUES = ["مقالات مشابهة", "أخبار مشابهة", "مواضيع مشابهة", "مقالات أخرى", "قد يهمك أيضا", "قد يعجبك أيضا", "المزيد من الأخبار"]


def add_cues(apps, schema_editor):
    BoilerplateCategory = apps.get_model("annotations", "BoilerplateCategory")
    category = BoilerplateCategory.objects.filter(name="related").first()
    if category is None:
        return
    present = {line.strip() for line in category.cue_phrases.splitlines()}
    missing = [cue for cue in NEW_CUES if cue not in present]
    if missing:
        category.cue_phrases = "\n".join([category.cue_phrases.rstrip("\n"), *missing]).strip("\n")
        category.save(update_fields=["cue_phrases"])


def remove_cues(apps, schema_editor):
    BoilerplateCategory = apps.get_model("annotations", "BoilerplateCategory")
    category = BoilerplateCategory.objects.filter(name="related").first()
    if category is not None:
        kept = [line for line in category.cue_phrases.splitlines() if line.strip() not in NEW_CUES]
        category.cue_phrases = "\n".join(kept)
        category.save(update_fields=["cue_phrases"])


class Migration(migrations.Migration):
    dependencies = [("annotations", "0010_token_layouts")]

    operations = [migrations.RunPython(add_cues, remove_cues)]
