"""Arabic-aware full-text search over paragraphs: SQLite FTS5 on the embedded default, PostgreSQL full-text
search on PostgreSQL, both over folded text (corpus.arabic), kept in sync when articles are imported.

Each paragraph is indexed as three columns of terms: its words' folded forms with clitics split off
(العباسي gives العباسي and عباسي), and compound names in both shapes (عبدالعزيز also gives عبد and
العزيز; عبد العزيز also gives عبدالعزيز: corpus.spellings); their skeletons without inner long vowels
(الأميركية and الأمريكية meet there); and the g keys of name-like words (بنجلاديش and بنغلاديش meet
there, corpus.spellings.variant_keys). A query word matches a paragraph holding any of its forms, or, ranked
lower, any of its skeletons, or, lowest, any of its g keys; every query word must match. Stored text is never changed: hits are found again in the
original text for highlighting, so offsets stay exact.
"""

from collections import deque
from functools import lru_cache
from itertools import chain

from django.db import connection, transaction

from .arabic import (
    TOKEN_WORDS,
    WORD,
    TokenCache,
    fold,
    folded_match_forms,
    match_forms,
    skeleton,
    words,
)
from .models import Paragraph
from .spellings import JOINING_WORDS, joined_terms, split_forms, variant_keys

SQLITE_TABLE = "corpus_paragraph_fts"
SQLITE_SIZES = f"{SQLITE_TABLE}_docsize"  # FTS5's own table: one row per indexed paragraph
POSTGRES_TABLE = "corpus_paragraph_search"
MAX_QUERY_WORDS = 12
RESULT_LIMIT = 1000  # best-ranked paragraphs a search returns


@lru_cache(maxsize=200_000)
def index_forms(folded_word):
    """(forms, skeletons, g keys) a word of a paragraph is indexed under: its match forms, the words of a
    compound it joins (عبدالعزيز: عبد, العزيز, عزيز) and their skeletons, its g keys."""
    forms, skeletons = folded_match_forms(folded_word)
    parts = split_forms(forms)
    if parts:
        forms = forms | parts
        skeletons = skeletons | {skeleton(part) for part in parts}
    return forms, skeletons, variant_keys(forms)


def _token_terms(which):
    def compute(token):
        return " ".join(term for word in TOKEN_WORDS[token] for term in sorted(index_forms(word)[which]))

    return TokenCache(compute)


# Each distinct token's contribution to the three columns, computed once (see corpus.arabic.TokenCache).
TOKEN_FORMS, TOKEN_SKELETONS, TOKEN_VARIANTS = _token_terms(0), _token_terms(1), _token_terms(2)


# Whether a token holds a word that may join its neighbour into a compound (عبد, الله: corpus.spellings).
TOKEN_JOINS = TokenCache(lambda token: not JOINING_WORDS.isdisjoint(TOKEN_WORDS[token]))


def paragraph_terms(text):
    """(forms, skeletons, variants): space-separated index terms of a paragraph, each word's sorted forms in
    text order, then the joined spelling of compounds written apart (عبد العزيز: عبدالعزيز) after the forms."""
    tokens = text.split()
    forms = " ".join(filter(None, map(TOKEN_FORMS.__getitem__, tokens)))
    joined = (
        joined_terms(list(chain.from_iterable(map(TOKEN_WORDS.__getitem__, tokens))))
        if any(map(TOKEN_JOINS.__getitem__, tokens))
        else None
    )
    if joined:
        joined = list(dict.fromkeys(joined))
        forms = " ".join([forms, *joined])
        extra_skeletons = [skeleton(term) for term in joined]
    else:
        extra_skeletons = []
    return (
        forms,
        " ".join([*filter(None, map(TOKEN_SKELETONS.__getitem__, tokens)), *extra_skeletons]),
        " ".join(filter(None, map(TOKEN_VARIANTS.__getitem__, tokens))),
    )


def _forms(text):
    return paragraph_terms(text)[0]


def _skeletons(text):
    return paragraph_terms(text)[1]


def _variants(text):
    return paragraph_terms(text)[2]


def register_sql_functions(sender=None, connection=None, **kwargs):
    """connection_created handler: the functions the SQLite delete trigger calls (see create_index)."""
    if connection is not None and connection.vendor == "sqlite":
        connection.connection.create_function("hamish_search_forms", 1, _forms, deterministic=True)
        connection.connection.create_function("hamish_search_skeletons", 1, _skeletons, deterministic=True)
        connection.connection.create_function("hamish_search_variants", 1, _variants, deterministic=True)


def create_index(schema_editor):
    """The index table, for the database in use (called by the migrations)."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        # Contentless (the terms are not stored twice) and tokenised on spaces only ('ascii': the terms are
        # already folded words, so FTS5 need not classify and fold every character again). Both make
        # writing the index about twice as fast as unicode61 with stored content.
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {SQLITE_TABLE} USING fts5(forms, skeletons, variants, content='', tokenize='ascii')"
        )
        # Merge index segments 16 at a time rather than 4: a quarter less work per imported paragraph at 10,000
        # articles, and no slower to search (the time goes into ranking the matches, not finding them).
        schema_editor.execute(f"INSERT INTO {SQLITE_TABLE} ({SQLITE_TABLE}, rank) VALUES ('automerge', 16)")
        # Paragraphs are only deleted with their article (admin); their index rows go with them. A contentless
        # table forgets a row given the terms it was indexed with, which paragraph_terms gives again from the
        # text (never edited): Django's SQLite connections provide it (register_sql_functions). Elsewhere the
        # delete fails with "no such function" rather than leave the index wrong.
        schema_editor.execute(
            f"CREATE TRIGGER IF NOT EXISTS corpus_paragraph_fts_delete AFTER DELETE ON corpus_paragraph "
            f"WHEN EXISTS (SELECT 1 FROM {SQLITE_SIZES} WHERE id = old.id) "
            f"BEGIN INSERT INTO {SQLITE_TABLE} ({SQLITE_TABLE}, rowid, forms, skeletons, variants) "
            f"VALUES ('delete', old.id, hamish_search_forms(old.text), hamish_search_skeletons(old.text), "
            f"hamish_search_variants(old.text)); END"
        )
    elif vendor == "postgresql":
        # No foreign key: Django's test flush truncates corpus_paragraph without CASCADE. Rows of deleted
        # paragraphs are ignored by the search (it joins paragraphs) and replaced on reindexing.
        schema_editor.execute(
            f"""CREATE TABLE IF NOT EXISTS {POSTGRES_TABLE} (
                paragraph_id bigint PRIMARY KEY,
                forms text NOT NULL,
                skeletons text NOT NULL,
                variants text NOT NULL DEFAULT '',
                document tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector('simple', forms), 'A') || setweight(to_tsvector('simple', skeletons), 'B')
                    || setweight(to_tsvector('simple', variants), 'C')
                ) STORED
            )"""
        )
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS corpus_paragraph_search_document ON {POSTGRES_TABLE} USING GIN (document)"
        )


def drop_index(schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS corpus_paragraph_fts_delete")
        schema_editor.execute(f"DROP TABLE IF EXISTS {SQLITE_TABLE}")
    elif vendor == "postgresql":
        schema_editor.execute(f"DROP TABLE IF EXISTS {POSTGRES_TABLE}")


def large_page_cache():
    """Give this SQLite connection a 128 MB page cache instead of the default 2 MB, for bulk writes (the import
    command, the near-duplicate pass): the index B-trees they grow stop being read back from the OS."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -131072")


def supported():
    return connection.vendor in ("sqlite", "postgresql")


def index_paragraphs(rows, *, new=False):
    """(Re)index paragraphs given as [(id, text)] or Paragraph objects. Call inside the writer's transaction.

    new=True promises that none of them is indexed yet (paragraphs just inserted: ids are never reused), which
    saves looking."""
    rows = [(p.pk, p.text) if isinstance(p, Paragraph) else p for p in rows]
    if rows and supported():
        index_terms([(pk, *paragraph_terms(text)) for pk, text in rows], new=new)


def index_terms(values, *, new=False):
    """index_paragraphs for [(id, forms, skeletons, variants)] computed ahead (paragraph_terms of each text)."""
    if not values or not supported():
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            if not new:
                _forget_sqlite(cursor, values)
            cursor.executemany(f"INSERT INTO {SQLITE_TABLE} (rowid, forms, skeletons, variants) VALUES (%s, %s, %s, %s)", values)
        else:
            cursor.executemany(
                f"INSERT INTO {POSTGRES_TABLE} (paragraph_id, forms, skeletons, variants) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (paragraph_id) DO UPDATE SET forms = EXCLUDED.forms, skeletons = EXCLUDED.skeletons, "
                "variants = EXCLUDED.variants",
                values,
            )


def _forget_sqlite(cursor, values):
    """Remove the index rows of these [(id, forms, skeletons, variants)] that exist (a contentless table needs
    the terms)."""
    indexed = set()
    for i in range(0, len(values), 500):
        chunk = [row[0] for row in values[i : i + 500]]
        cursor.execute(f"SELECT id FROM {SQLITE_SIZES} WHERE id IN ({', '.join(['%s'] * len(chunk))})", chunk)
        indexed.update(pk for (pk,) in cursor.fetchall())
    if indexed:
        cursor.executemany(
            f"INSERT INTO {SQLITE_TABLE} ({SQLITE_TABLE}, rowid, forms, skeletons, variants) VALUES ('delete', %s, %s, %s, %s)",
            [row for row in values if row[0] in indexed],
        )


REBUILD_BATCH = 2000  # paragraphs read, indexed and committed per transaction by rebuild()


def clear_index():
    """Forget every index row (the first step of a rebuild), in its own transaction."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"INSERT INTO {SQLITE_TABLE} ({SQLITE_TABLE}) VALUES ('delete-all')")
        elif connection.vendor == "postgresql":
            cursor.execute(f"DELETE FROM {POSTGRES_TABLE}")


def rebuild(batch_size=REBUILD_BATCH, progress=None, after=None):
    """Index every paragraph again (after a bulk load that bypassed the import service); returns how many.

    The index is emptied, then paragraphs are indexed in id order, `batch_size` per transaction: memory stays
    that of one batch whatever the corpus (100,000 articles no longer sit in one transaction holding the
    write lock for minutes), and imports may run meanwhile (their paragraphs are indexed by the import; a
    batch forgets any row it finds before writing it again, so none is indexed twice). While it runs,
    search finds only the paragraphs indexed so far. `after`: resume a rebuild that stopped (killed worker)
    after the batch ending at that paragraph id, without emptying the index. `progress(paragraphs, last id)`
    is called after each committed batch."""
    if not supported():
        return 0
    large_page_cache()
    if after is None:
        clear_index()
    last, done = after or 0, 0
    while True:
        with transaction.atomic():
            batch = list(Paragraph.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "text")[:batch_size])
            if not batch:
                return done
            index_paragraphs(batch)
        last = batch[-1][0]
        done += len(batch)
        if progress:
            progress(len(batch), last)


def query_terms(query):
    """[(forms, skeletons, g keys)] per query word, at most MAX_QUERY_WORDS words."""
    terms = []
    for _s, _e, word in words(query)[:MAX_QUERY_WORDS]:
        forms, skeletons = match_forms(word)
        terms.append((forms, skeletons, variant_keys(forms)))
    return terms


def _fts5_string(term):
    return '"' + term.replace('"', '""') + '"'


def matching_ids(query, limit=RESULT_LIMIT):
    """Paragraph ids matching every word of `query`, best first (forms weigh ten times skeletons, skeletons
    four times g keys)."""
    terms = query_terms(query)
    if not terms or not supported():
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            clauses = []
            for forms, skeletons, variants in terms:
                clause = (
                    f"forms : ({' OR '.join(map(_fts5_string, sorted(forms)))})"
                    f" OR skeletons : ({' OR '.join(map(_fts5_string, sorted(skeletons)))})"
                )
                if variants:
                    clause += f" OR variants : ({' OR '.join(map(_fts5_string, sorted(variants)))})"
                clauses.append(f"({clause})")
            cursor.execute(
                f"SELECT rowid FROM {SQLITE_TABLE} WHERE {SQLITE_TABLE} MATCH %s "
                f"ORDER BY bm25({SQLITE_TABLE}, 10.0, 1.0, 0.25) LIMIT %s",
                [" AND ".join(clauses), limit],
            )
        else:
            # Each term a quoted lexeme restricted to its weight: A for forms, B for skeletons, C for g keys.
            parts = []
            for forms, skeletons, variants in terms:
                alternatives = (
                    [_ts_lexeme(term, "A") for term in sorted(forms)]
                    + [_ts_lexeme(term, "B") for term in sorted(skeletons)]
                    + [_ts_lexeme(term, "C") for term in sorted(variants)]
                )
                parts.append("(" + " | ".join(alternatives) + ")")
            cursor.execute(
                # Joined to the paragraphs: rows of deleted ones (no trigger here) are never returned.
                f"SELECT s.paragraph_id FROM {POSTGRES_TABLE} s JOIN corpus_paragraph p ON p.id = s.paragraph_id, "
                "to_tsquery('simple', %s) AS q "
                "WHERE s.document @@ q ORDER BY ts_rank(s.document, q) DESC, s.paragraph_id LIMIT %s",
                [" & ".join(parts), limit],
            )
        return [row[0] for row in cursor.fetchall()]


def _ts_lexeme(term, weight):
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "':" + weight


def hit_test(query):
    """word -> whether it matches a query word (same rules as the index), remembered per distinct word: a long
    paragraph repeats its words, and folding each occurrence again was most of a search's time."""
    # A query compound matches the words it joins or splits into (عبدالعزيز lights عبد and العزيز of عبد العزيز).
    terms, known = [(f | split_forms(f), s, v) for f, s, v in query_terms(query)], {}

    def is_hit(word):
        hit = known.get(word)
        if hit is None:
            forms, skeletons, variants = index_forms(fold(word, ta_marbuta=True))
            hit = known[word] = any(forms & f or skeletons & s or variants & v for f, s, v in terms)
        return hit

    return is_hit


def highlight(text, query):
    """[(piece, is_hit)] covering `text`, the words matching a query word marked (same rules as the index)."""
    is_hit = hit_test(query)
    pieces, position, hits = [], 0, 0
    for start, end, word in words(text):
        if is_hit(word):
            if start > position:
                pieces.append((text[position:start], False))
            pieces.append((text[start:end], True))
            position = end
            hits += 1
    if position < len(text):
        pieces.append((text[position:], False))
    return pieces if hits else []


# A result shows a long paragraph as a few excerpts around its hits, never whole: three 4.4 MB paragraphs
# made a 13 MB page. Up to WHOLE_CHARS it is shown whole.
WHOLE_CHARS = 1_000
SNIPPETS = 3  # excerpts per paragraph
SNIPPET_WORDS = 15  # words kept either side of a hit; an excerpt holds at most 2 * SNIPPET_WORDS + 1 words
PIECE_CHARS = 400  # longest piece of an excerpt (a hit, or text between): only freak "words" pass it, shortened in the middle
SCAN_CHARS = 200_000  # how far into a paragraph hits are looked for


def snippets(text, query):
    """[(start, end, [(piece, is_hit)])]: up to SNIPPETS excerpts of `text` around words matching `query`,
    looked for in its first SCAN_CHARS characters only, each piece at most PIECE_CHARS (plus "…") long.
    Offsets are code points into `text`; [] when no hit is found there."""
    is_hit = hit_test(query)
    found, current, recent = [], None, deque(maxlen=SNIPPET_WORDS)  # recent: the words before the current one
    for match in WORD.finditer(text, 0, SCAN_CHARS):
        start, end = match.span()
        hit = is_hit(match.group())
        if hit and current is None:
            if len(found) == SNIPPETS:
                break
            current = {"start": recent[0][0] if recent else start, "hits": [], "after": 0, "words": len(recent)}
        if current is not None:
            current["words"] += 1
            if hit:
                current["hits"].append((start, end))
            current["after"] = 0 if hit else current["after"] + 1
            if current["after"] <= SNIPPET_WORDS:
                current["end"] = end
                if current["words"] >= 2 * SNIPPET_WORDS + 1:  # full: the next excerpt starts after it
                    found.append(current)
                    current = None
                    recent.clear()
                    continue
            elif current["after"] == 2 * SNIPPET_WORDS:  # the words since its end may lead into the next one
                found.append(current)
                current = None
        recent.append((start, end))
    if current is not None:
        found.append(current)
    return [(item["start"], item["end"], _pieces(text, item["start"], item["end"], item["hits"])) for item in found]


def _pieces(text, start, end, hits):
    pieces, position = [], start
    for hit_start, hit_end in hits:
        if hit_start > position:
            pieces.append((_shortened(text[position:hit_start]), False))
        pieces.append((_shortened(text[hit_start:hit_end]), True))
        position = hit_end
    if end > position:
        pieces.append((_shortened(text[position:end]), False))
    return pieces


def _shortened(piece):
    if len(piece) <= PIECE_CHARS:
        return piece
    half = PIECE_CHARS // 2
    return f"{piece[:half]}…{piece[-half:]}"


def opening(text):
    """(0, end, [(piece, False)]): the first 2 * SNIPPET_WORDS + 1 words of `text`, shown when its hits lie past
    SCAN_CHARS."""
    end = 0
    for count, match in enumerate(WORD.finditer(text, 0, SCAN_CHARS), 1):
        end = match.end()
        if count == 2 * SNIPPET_WORDS + 1:
            break
    return 0, end, _pieces(text, 0, end, [])
