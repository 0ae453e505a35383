"""Faster derived indexes (issue 7): the bulk import writes and indexes about 20 times as many articles a second.

- PendingNearDuplicates: the queue of articles the near-duplicate pass has still to do (the import fills it in
  the transaction that saves an article; the pass empties it in the one that fingerprints it).
- Fingerprints: keyed by (value, paragraph), stored in that order on SQLite (WITHOUT ROWID), with the size of
  the paragraph's shingle set, which rules most candidates out unseen. Shingle hashes are now tabulation
  hashes (corpus.duplicates), so every fingerprint is computed again; matches are recomputed.
- SQLite search index: contentless, tokenised on spaces ('ascii'); rebuilt from the paragraphs.
"""

import django.db.models.deletion
from django.db import migrations, models

FINGERPRINTS = "corpus_paragraphfingerprint"


def recreate_fingerprint_table(apps, schema_editor):
    """(value, paragraph_id) primary key, shingles, an index on paragraph_id; on SQLite WITHOUT ROWID, so the
    rows are the value-ordered key itself: a third fewer B-tree writes per fingerprint, one seek per lookup."""
    vendor = schema_editor.connection.vendor
    schema_editor.execute(f"DROP TABLE {FINGERPRINTS}")
    if vendor == "sqlite":
        schema_editor.execute(
            f'CREATE TABLE "{FINGERPRINTS}" ("value" bigint NOT NULL, '
            '"paragraph_id" bigint NOT NULL REFERENCES "corpus_paragraph" ("id") DEFERRABLE INITIALLY DEFERRED, '
            '"shingles" integer unsigned NOT NULL CHECK ("shingles" >= 0), PRIMARY KEY ("value", "paragraph_id")) WITHOUT ROWID'
        )
    else:
        schema_editor.execute(
            f'CREATE TABLE "{FINGERPRINTS}" ("value" bigint NOT NULL, '
            '"paragraph_id" bigint NOT NULL REFERENCES "corpus_paragraph" ("id") DEFERRABLE INITIALLY DEFERRED, '
            '"shingles" integer NOT NULL CHECK ("shingles" >= 0), PRIMARY KEY ("value", "paragraph_id"))'
        )
    schema_editor.execute(f'CREATE INDEX "corpus_paragraphfingerprint_paragraph_id" ON "{FINGERPRINTS}" ("paragraph_id")')


def restore_fingerprint_table(apps, schema_editor):
    """Back to 0003's table (empty: `manage.py rebuild_indexes` refills it with the code of that time)."""
    schema_editor.execute(f"DROP TABLE {FINGERPRINTS}")
    Fingerprint = apps.get_model("corpus", "ParagraphFingerprint")
    schema_editor.create_model(Fingerprint)


def recreate_search_index(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return  # the PostgreSQL table is unchanged
    from corpus import search

    search.drop_index(schema_editor)
    search.create_index(schema_editor)
    search.rebuild()


def recompute_near_duplicates(apps, schema_editor):
    """Once duplicates.rebuild(); now nothing: 0005 replaces the pairs by families and queues every article
    for the pass (the current code would write tables that do not exist yet at this point)."""


class Migration(migrations.Migration):
    dependencies = [("corpus", "0003_paragraph_matches")]

    operations = [
        migrations.CreateModel(
            name="PendingNearDuplicates",
            fields=[
                (
                    "article",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="corpus.article",
                    ),
                ),
            ],
        ),
        # Fingerprints: a new table (the old rows are all recomputed anyway, below).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ParagraphFingerprint"),
                migrations.CreateModel(
                    name="ParagraphFingerprint",
                    fields=[
                        (
                            "pk",
                            models.CompositePrimaryKey(
                                "value", "paragraph", blank=True, editable=False, primary_key=True, serialize=False
                            ),
                        ),
                        ("value", models.BigIntegerField()),
                        ("shingles", models.PositiveIntegerField(default=0)),
                        (
                            "paragraph",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="fingerprints", to="corpus.paragraph"
                            ),
                        ),
                    ],
                ),
            ],
            database_operations=[migrations.RunPython(recreate_fingerprint_table, restore_fingerprint_table)],
        ),
        migrations.RunPython(recreate_search_index, migrations.RunPython.noop),
        migrations.RunPython(recompute_near_duplicates, migrations.RunPython.noop),
    ]
