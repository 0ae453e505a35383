from django.db import migrations

# The CoNLL / ANERcorp convention, so data moves to and from NLP tools unchanged.
DEFAULT_LABELS = [
    ("PER", "شخص", "#1f77b4", "p", "People: ثابت العباسي, لويد أوستن.", 1),
    ("ORG", "منظمة", "#2ca02c", "o", "Organisations: وزارة الدفاع, البنتاغون, داعش.", 2),
    ("LOC", "مكان", "#d62728", "l", "Places and countries: العراق, واشنطن.", 3),
    ("MISC", "متفرقات", "#9467bd", "m", "Other names: events, nationalities, titles of works.", 4),
]


def add_default_labels(apps, schema_editor):
    Label = apps.get_model("annotations", "Label")
    for name, display_name, colour, shortcut, description, position in DEFAULT_LABELS:
        Label.objects.get_or_create(
            name=name,
            defaults={
                "display_name": display_name,
                "colour": colour,
                "shortcut": shortcut,
                "description": description,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("annotations", "0001_initial")]

    operations = [migrations.RunPython(add_default_labels, migrations.RunPython.noop)]
