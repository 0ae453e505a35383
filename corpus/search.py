"""Arabic-aware full-text search over paragraphs: SQLite FTS5 on the embedded default, PostgreSQL full-text
search on PostgreSQL, both over folded text (corpus.arabic), kept in sync when articles are imported.

Each paragraph is indexed as two columns of terms: its words' folded forms with clitics split off
(العباسي gives العباسي and عباسي), and their skeletons without inner long vowels (الأميركية and
الأمريكية meet there). A query word matches a paragraph holding any of its forms, or, ranked lower, any of
its skeletons; every query word must match. Stored text is never changed: hits are found again in the
original text for highlighting, so offsets stay exact.
"""

from django.db import connection, transaction

from .arabic import folded_match_forms, folded_words, match_forms, words
from .models import Paragraph

SQLITE_TABLE = "corpus_paragraph_fts"
POSTGRES_TABLE = "corpus_paragraph_search"
MAX_QUERY_WORDS = 12
RESULT_LIMIT = 1000  # best-ranked paragraphs a search returns


def paragraph_terms(text):
    """(forms, skeletons): space-separated index terms of a paragraph."""
    forms, skeletons = [], []
    for word in folded_words(text):
        word_forms, word_skeletons = folded_match_forms(word)
        forms.extend(sorted(word_forms))
        skeletons.extend(sorted(word_skeletons))
    return " ".join(forms), " ".join(skeletons)


def create_index(schema_editor):
    """The index table, for the database in use (called by the migration)."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {SQLITE_TABLE} USING fts5(forms, skeletons, tokenize='unicode61 remove_diacritics 0')"
        )
        # Paragraphs are only deleted with their article (admin); their index rows go with them.
        schema_editor.execute(
            f"CREATE TRIGGER IF NOT EXISTS corpus_paragraph_fts_delete AFTER DELETE ON corpus_paragraph "
            f"BEGIN DELETE FROM {SQLITE_TABLE} WHERE rowid = old.id; END"
        )
    elif vendor == "postgresql":
        # No foreign key: Django's test flush truncates corpus_paragraph without CASCADE. Rows of deleted
        # paragraphs are ignored by the search (it joins paragraphs) and replaced on reindexing.
        schema_editor.execute(
            f"""CREATE TABLE IF NOT EXISTS {POSTGRES_TABLE} (
                paragraph_id bigint PRIMARY KEY,
                forms text NOT NULL,
                skeletons text NOT NULL,
                document tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector('simple', forms), 'A') || setweight(to_tsvector('simple', skeletons), 'B')
                ) STORED
            )"""
        )
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS corpus_paragraph_search_document ON {POSTGRES_TABLE} USING GIN (document)")


def drop_index(schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS corpus_paragraph_fts_delete")
        schema_editor.execute(f"DROP TABLE IF EXISTS {SQLITE_TABLE}")
    elif vendor == "postgresql":
        schema_editor.execute(f"DROP TABLE IF EXISTS {POSTGRES_TABLE}")


def supported():
    return connection.vendor in ("sqlite", "postgresql")


def index_paragraphs(rows):
    """(Re)index paragraphs given as [(id, text)] or Paragraph objects. Call inside the writer's transaction."""
    rows = [(p.pk, p.text) if isinstance(p, Paragraph) else p for p in rows]
    if not rows or not supported():
        return
    values = [(pk, *paragraph_terms(text)) for pk, text in rows]
    ids = [(pk,) for pk, _ in rows]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.executemany(f"DELETE FROM {SQLITE_TABLE} WHERE rowid = %s", ids)
            cursor.executemany(f"INSERT INTO {SQLITE_TABLE} (rowid, forms, skeletons) VALUES (%s, %s, %s)", values)
        else:
            cursor.executemany(
                f"INSERT INTO {POSTGRES_TABLE} (paragraph_id, forms, skeletons) VALUES (%s, %s, %s) "
                "ON CONFLICT (paragraph_id) DO UPDATE SET forms = EXCLUDED.forms, skeletons = EXCLUDED.skeletons",
                values,
            )


def rebuild(batch_size=5000, progress=None):
    """Index every paragraph again (after a bulk load that bypassed the import service)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {SQLITE_TABLE if connection.vendor == 'sqlite' else POSTGRES_TABLE}")
        last = 0
        while True:
            batch = list(Paragraph.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "text")[:batch_size])
            if not batch:
                return
            index_paragraphs(batch)
            last = batch[-1][0]
            if progress:
                progress(len(batch))


def query_terms(query):
    """[(forms, skeletons)] per query word, at most MAX_QUERY_WORDS words."""
    return [match_forms(word) for _s, _e, word in words(query)][:MAX_QUERY_WORDS]


def _fts5_string(term):
    return '"' + term.replace('"', '""') + '"'


def matching_ids(query, limit=RESULT_LIMIT):
    """Paragraph ids matching every word of `query`, best first (forms weigh ten times skeletons)."""
    terms = query_terms(query)
    if not terms or not supported():
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            clauses = [
                f"(forms : ({' OR '.join(map(_fts5_string, sorted(forms)))})"
                f" OR skeletons : ({' OR '.join(map(_fts5_string, sorted(skeletons)))}))"
                for forms, skeletons in terms
            ]
            cursor.execute(
                f"SELECT rowid FROM {SQLITE_TABLE} WHERE {SQLITE_TABLE} MATCH %s ORDER BY bm25({SQLITE_TABLE}, 10.0, 1.0) LIMIT %s",
                [" AND ".join(clauses), limit],
            )
        else:
            # Each term a quoted lexeme restricted to its weight: A for forms, B for skeletons.
            parts = []
            for forms, skeletons in terms:
                alternatives = [_ts_lexeme(term, "A") for term in sorted(forms)] + [_ts_lexeme(term, "B") for term in sorted(skeletons)]
                parts.append("(" + " | ".join(alternatives) + ")")
            cursor.execute(
                f"SELECT paragraph_id FROM {POSTGRES_TABLE}, to_tsquery('simple', %s) AS q "
                "WHERE document @@ q ORDER BY ts_rank(document, q) DESC, paragraph_id LIMIT %s",
                [" & ".join(parts), limit],
            )
        return [row[0] for row in cursor.fetchall()]


def _ts_lexeme(term, weight):
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "':" + weight


def highlight(text, query):
    """[(piece, is_hit)] covering `text`, the words matching a query word marked (same rules as the index)."""
    terms = query_terms(query)
    pieces, position, hits = [], 0, 0
    for start, end, word in words(text):
        forms, skeletons = match_forms(word)
        if any(forms & f or skeletons & s for f, s in terms):
            if start > position:
                pieces.append((text[position:start], False))
            pieces.append((text[start:end], True))
            position = end
            hits += 1
    if position < len(text):
        pieces.append((text[position:], False))
    return pieces if hits else []
