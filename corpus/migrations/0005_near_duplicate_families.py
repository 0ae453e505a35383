"""Near-duplicates as families (issue 13): pairs grew with the square of a repeated line's copies (two files
of 1,000 copies of one line left 2.29 million rows); a paragraph now belongs to at most one family.

- ParagraphMatch and ParagraphFingerprint go (derived data: nothing is lost that the pass cannot redo).
- ParagraphFamily, FamilyMember (one row per placed paragraph), FamilyBand (a representative's band keys)
  and OutletLine (per-outlet line counts, for the chrome rule) come.
- Every article is queued for the pass, which fills them: the next import, or
  `manage.py rebuild_indexes --pending` (the pass is not run here, so this migration never depends on how
  later code places paragraphs).
"""

import django.db.models.deletion
from django.db import migrations, models


def queue_every_article(apps, schema_editor):
    schema_editor.execute(
        "INSERT INTO corpus_pendingnearduplicates (article_id) SELECT id FROM corpus_article "
        "WHERE id NOT IN (SELECT article_id FROM corpus_pendingnearduplicates)"
    )


class Migration(migrations.Migration):
    dependencies = [("corpus", "0004_near_duplicate_queue_and_fast_indexes")]

    operations = [
        migrations.DeleteModel(name="ParagraphMatch"),
        migrations.DeleteModel(name="ParagraphFingerprint"),
        migrations.CreateModel(
            name="ParagraphFamily",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("members", models.PositiveIntegerField(default=0)),
                ("articles", models.PositiveIntegerField(default=0)),
                (
                    "representative",
                    models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="corpus.paragraph"),
                ),
            ],
        ),
        migrations.CreateModel(
            name="FamilyMember",
            fields=[
                (
                    "paragraph",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="family_membership",
                        serialize=False,
                        to="corpus.paragraph",
                    ),
                ),
                ("similarity", models.FloatField(help_text="Jaccard similarity to the representative's shingles, 0 to 1.")),
                ("line", models.BigIntegerField()),
                (
                    "article",
                    models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="corpus.article"),
                ),
                (
                    "family",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to="corpus.paragraphfamily",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["family", "article"], name="corpus_fami_family__0cfa55_idx"),
                    models.Index(fields=["line"], name="corpus_fami_line_af5323_idx"),
                ],
            },
        ),
        migrations.CreateModel(
            name="FamilyBand",
            fields=[
                ("pk", models.CompositePrimaryKey("key", "family", blank=True, editable=False, primary_key=True, serialize=False)),
                ("key", models.BigIntegerField()),
                (
                    "family",
                    models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="corpus.paragraphfamily"),
                ),
            ],
        ),
        migrations.CreateModel(
            name="OutletLine",
            fields=[
                ("pk", models.CompositePrimaryKey("source", "key", blank=True, editable=False, primary_key=True, serialize=False)),
                ("key", models.BigIntegerField()),
                ("articles", models.PositiveIntegerField(default=0)),
                ("chrome", models.BooleanField(default=False)),
                ("source", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="corpus.source")),
            ],
        ),
        migrations.RunPython(queue_every_article, migrations.RunPython.noop),
    ]
