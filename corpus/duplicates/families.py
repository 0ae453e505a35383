"""The near-duplicate pass: each queued article's paragraphs join a family of near-identical text or found one.

A paragraph is compared with family representatives only, never with every member: its BANDS band keys
(corpus.duplicates.fingerprints) are looked up among the representatives' keys, the CANDIDATES families
sharing most keys are compared exactly (Jaccard similarity of the shingle sets), and the paragraph joins the
most similar one at THRESHOLD or above, else founds its own family with itself as representative. A band key
keeps at most KEY_FAMILIES families (formulaic phrases shared by many different paragraphs stop gaining
more), so one paragraph costs at most BANDS look-ups, BANDS x KEY_FAMILIES rows and CANDIDATES comparisons
whatever the corpus size, and storage is one member row per paragraph plus BANDS keys per family.

Chrome is not content: a line (its skeleton words, in order) found in at least CHROME_ARTICLES articles of
one outlet and in at least CHROME_SHARE of the outlet's articles the pass has seen is that outlet's template
(footers, "read also", bylines). It is counted in OutletLine, hinted as boilerplate ("repeated in 212
articles of this outlet") and kept out of families; members placed before their line crossed the bar leave
their family when it does. Once chrome, a line stays chrome until `rebuild`.

This is a derived index: the import queues each new article (PendingNearDuplicates, in the transaction that
saves it) and process_pending() places queued articles, many at a time, each chunk in one transaction that
also empties its queue rows. A crash loses nothing: whatever is still queued is done by the next pass (the
next import, or `manage.py rebuild_indexes --pending`).
"""

from array import array
from collections import _count_elements  # Counter's counting loop (C), without a Counter per paragraph
from itertools import chain

from django.db import connection, transaction

from ..models import FamilyBand, FamilyMember, OutletLine, ParagraphFamily, PendingNearDuplicates
from ..search import large_page_cache
from .fingerprints import MIN_SHINGLES, band_keys, line_key, shingles
from .sql import placeholders, select_in, table

# Calibrated on bench/duplicate_pairs.json (bench/duplicates.py prints precision and recall around it).
THRESHOLD = 0.25  # precision 1.00, recall 0.60 on the labelled pairs; their closest "not the same" pair scores 0.18
CANDIDATES = 8  # families compared exactly per paragraph: those sharing most band keys with it
KEY_FAMILIES = 8  # families kept per band key
CHROME_ARTICLES = 5  # a line in at least this many articles of an outlet...
CHROME_SHARE = 0.2  # ...and in at least this share of them is the outlet's chrome
CHUNK_ARTICLES = 1000  # articles placed per transaction by process_pending
OUTLET_ARTICLES = 0  # OutletLine.key of the row counting the outlet's articles


def enqueue(article_ids):
    """Queue these (new) articles for the near-duplicate pass. Call inside the transaction that saves them."""
    rows = [(pk,) for pk in article_ids]
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table(PendingNearDuplicates)} (article_id) VALUES (%s)", rows)


def pending_count():
    return PendingNearDuplicates.objects.count()


def process_pending(article_ids=None, *, chunk=CHUNK_ARTICLES, progress=None, stop=None):
    """Place the queued articles' paragraphs in families (only those among `article_ids`, if given), `chunk`
    articles per transaction. Returns (articles done, paragraphs that joined an existing family).
    `progress(articles)` is called after each chunk; `stop()`, if given, after it too: when true the pass ends
    there (what is not placed stays queued for the next pass).

    Memory is bounded whatever the queue: one chunk's paragraphs, shingles and band keys at a time, plus at
    most _Representatives.LIMIT families' shingle arrays (about 100 MB at the limit; a corpus with fewer
    families holds less)."""
    done = joined = 0
    wanted = None if article_ids is None else sorted(set(article_ids))
    if article_ids is None:
        large_page_cache()  # a bulk pass grows the member and band indexes by millions of rows
    # Per pass, never kept across passes: a rolled-back chunk or a flushed database frees family ids that
    # later families reuse, with other representatives.
    reps = _Representatives()
    while True:
        with transaction.atomic():
            queued = PendingNearDuplicates.objects.order_by("article_id")
            if wanted is not None:
                if not wanted:
                    break
                queued = queued.filter(article_id__in=wanted[:chunk])
                wanted = wanted[chunk:]
            if connection.features.has_select_for_update_skip_locked:
                queued = queued.select_for_update(skip_locked=True)  # another pass has those: leave them to it
            ids = list(queued.values_list("article_id", flat=True)[:chunk])
            if not ids and wanted is None:
                break
            if ids:
                joined += _place(ids, reps)
                PendingNearDuplicates.objects.filter(article_id__in=ids).delete()
                done += len(ids)
        if ids and progress:
            progress(len(ids))
        if ids and stop is not None and stop():
            break
    return done, joined


def rebuild(progress=None, chunk=CHUNK_ARTICLES, stop=None):
    """Place the whole corpus again: forget every family and line count, queue every article (queue_all), then
    run the pass. A pass that stops (killed, or `stop()`) is finished by process_pending()."""
    queue_all()
    return process_pending(chunk=chunk, progress=progress, stop=stop)


def queue_all():
    """Forget every family and line count and queue every article, in one transaction (a crash cannot leave
    an article neither placed nor queued)."""
    with transaction.atomic():
        for model in (FamilyMember, FamilyBand, ParagraphFamily, OutletLine, PendingNearDuplicates):
            model.objects.all()._raw_delete(model.objects.db)
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table(PendingNearDuplicates)} (article_id) SELECT id FROM corpus_article")


class _Representatives(dict):
    """{family id: its representative's shingle hashes as an array} (a third of a set's memory), for one
    pass; forgotten past LIMIT families (then read again from the text when needed)."""

    LIMIT = 200_000

    def keep(self, family, shingle_set):
        if len(self) >= self.LIMIT:
            self.clear()
        self[family] = array("q", shingle_set)

    def load(self, cursor, families):
        missing = [family for family in families if family not in self and family > 0]
        sql = (
            f"SELECT f.id, p.text FROM {table(ParagraphFamily)} f JOIN corpus_paragraph p ON p.id = f.representative_id "
            "WHERE f.id {IN}"
        )
        for family, text in select_in(cursor, sql, missing, size=500):
            self.keep(family, shingles(text))


def _place(article_ids, reps):
    """Place the paragraphs of these articles (queued, never placed before). Returns how many joined a family
    that existed before them (in an earlier chunk or earlier in this one)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.id, p.article_id, a.source_id, p.text FROM corpus_paragraph p JOIN corpus_article a ON a.id = p.article_id "
            f"WHERE p.article_id IN ({placeholders(article_ids)}) ORDER BY p.article_id, p.position",
            article_ids,
        )
        paragraphs = [(pk, article, source, line_key(text), shingles(text)) for pk, article, source, text in cursor.fetchall()]
        chrome = _count_lines(cursor, paragraphs)
        placed = [p for p in paragraphs if (p[2], p[3]) not in chrome and len(p[4]) >= MIN_SHINGLES]
        return _join_families(cursor, placed, reps)


def _count_lines(cursor, paragraphs):
    """Count each line once per article of its outlet; returns the chunk's (outlet, line) pairs that are chrome
    now, after taking the members whose line just became chrome out of their families."""
    lines, outlet_articles = {}, {}  # {(outlet, line): {articles}}, {outlet: {articles}}
    for _pk, article, source, line, _set in paragraphs:
        lines.setdefault((source, line), set()).add(article)
        outlet_articles.setdefault(source, set()).add(article)
    existing = {}
    sql = f"SELECT key, articles, chrome FROM {table(OutletLine)} WHERE source_id = %s AND key {{IN}}"
    for source in outlet_articles:
        keys = [OUTLET_ARTICLES, *(line for outlet, line in lines if outlet == source)]
        existing.update(((source, key), (count, bool(flag))) for key, count, flag in select_in(cursor, sql, keys, source))
    rows, chrome, newly = [], set(), []
    for source, articles in outlet_articles.items():
        rows.append((source, OUTLET_ARTICLES, len(articles), False))
    seen = {source: existing.get((source, OUTLET_ARTICLES), (0, False))[0] + len(a) for source, a in outlet_articles.items()}
    for (source, line), articles in lines.items():
        before, was_chrome = existing.get((source, line), (0, False))
        total = before + len(articles)
        is_chrome = was_chrome or (total >= CHROME_ARTICLES and total >= CHROME_SHARE * seen[source])
        if is_chrome:
            chrome.add((source, line))
            if not was_chrome and before:
                newly.append((source, line))
        rows.append((source, line, len(articles), is_chrome))
    lines_table = table(OutletLine)
    cursor.executemany(
        f"INSERT INTO {lines_table} (source_id, key, articles, chrome) VALUES (%s, %s, %s, %s) ON CONFLICT (source_id, key) "
        f"DO UPDATE SET articles = {lines_table}.articles + excluded.articles, chrome = {lines_table}.chrome OR excluded.chrome",
        rows,
    )
    if newly:
        _leave_families(cursor, newly)
    return chrome


def _leave_families(cursor, chrome_lines):
    """Take the members carrying these (outlet, line) pairs out of their families (placed while the line was
    not yet chrome: at most a CHROME_SHARE of the outlet's articles, once per line)."""
    members, touched = table(FamilyMember), set()
    for source, line in chrome_lines:
        cursor.execute(
            f"SELECT m.paragraph_id, m.family_id FROM {members} m JOIN corpus_article a ON a.id = m.article_id "
            "WHERE m.line = %s AND a.source_id = %s",
            [line, source],
        )
        rows = cursor.fetchall()
        if rows:
            cursor.executemany(f"DELETE FROM {members} WHERE paragraph_id = %s", [(pk,) for pk, _ in rows])
            touched.update(family for _, family in rows)
    if touched:
        families = sorted(touched)
        cursor.execute(
            f"UPDATE {table(ParagraphFamily)} SET members = (SELECT COUNT(*) FROM {members} m WHERE m.family_id = {table(ParagraphFamily)}.id), "
            f"articles = (SELECT COUNT(DISTINCT m.article_id) FROM {members} m WHERE m.family_id = {table(ParagraphFamily)}.id) "
            f"WHERE id IN ({placeholders(families)})",
            families,
        )


def _join_families(cursor, paragraphs, reps):
    keys = {pk: band_keys(shingle_set) for pk, _a, _s, _l, shingle_set in paragraphs}
    index = {}  # {band key: [family ids]}: the stored ones, then this chunk's new families (negative ids)
    for key, family in select_in(
        cursor, f"SELECT key, family_id FROM {table(FamilyBand)} WHERE key {{IN}}", set(chain.from_iterable(keys.values()))
    ):
        index.setdefault(key, []).append(family)
    stored = {pk: _best(index, keys[pk]) for pk in keys}
    reps.load(cursor, set(chain.from_iterable(stored.values())))
    new_families, members, bands, joined = [], [], [], 0  # new_families: representative ids, family -n at n - 1
    for pk, article, _source, line, shingle_set in paragraphs:
        size, best, best_similarity = len(shingle_set), None, 0.0
        for family in _best(index, keys[pk]):
            if family not in reps:
                reps.load(cursor, [family])  # forgotten meanwhile (the cache was emptied)
            other = reps.get(family)
            if not other or min(size, len(other)) < THRESHOLD * max(size, len(other)):
                continue  # J <= smaller / larger
            common = len(shingle_set.intersection(other))
            similarity = common / (size + len(other) - common)
            if similarity > best_similarity:
                best, best_similarity = family, similarity
        if best is not None and best_similarity >= THRESHOLD:
            members.append([pk, best, article, round(best_similarity, 4), line])
            joined += 1
            continue
        new_families.append(pk)
        family = -len(new_families)
        reps.keep(family, shingle_set)
        members.append([pk, family, article, 1.0, line])
        for key in keys[pk]:
            holders = index.setdefault(key, [])
            if len(holders) < KEY_FAMILIES:
                holders.append(family)
                bands.append([key, family])
    _write(cursor, new_families, members, bands, reps)
    return joined


def _best(index, keys):
    """The CANDIDATES families sharing most of these band keys (ties: the older family)."""
    counts = {}
    _count_elements(counts, chain.from_iterable(index[key] for key in keys if key in index))
    return sorted(counts, key=lambda family: (-counts[family], family < 0, abs(family)))[:CANDIDATES]


def _write(cursor, new_families, members, bands, reps):
    """Store the chunk's families (new ones get their ids here), members and band keys, and the counts."""
    counts = {}  # {family: (members, {articles})}
    for _pk, family, article, _similarity, _line in members:
        entry = counts.setdefault(family, [0, set()])
        entry[0] += 1
        entry[1].add(article)
    created = ParagraphFamily.objects.bulk_create(
        ParagraphFamily(representative_id=pk, members=counts[-n - 1][0], articles=len(counts[-n - 1][1]))
        for n, pk in enumerate(new_families)
    )
    real = {-n - 1: family.pk for n, family in enumerate(created)}
    for row in chain(members, bands):
        if row[1] < 0:
            row[1] = real[row[1]]
    cursor.executemany(
        f"INSERT INTO {table(FamilyMember)} (paragraph_id, family_id, article_id, similarity, line) VALUES (%s, %s, %s, %s, %s)",
        members,
    )
    cursor.executemany(f"INSERT INTO {table(FamilyBand)} (key, family_id) VALUES (%s, %s) ON CONFLICT DO NOTHING", bands)
    # Articles of this chunk were never placed before, so each is new to every stored family it joins.
    cursor.executemany(
        f"UPDATE {table(ParagraphFamily)} SET members = members + %s, articles = articles + %s WHERE id = %s",
        [(added, len(articles), family) for family, (added, articles) in counts.items() if family > 0],
    )
    for temporary, family in real.items():
        kept = reps.pop(temporary, None)
        if kept is not None:
            reps[family] = kept
