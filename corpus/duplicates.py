"""Near-duplicate paragraphs across articles: the same statement as several outlets printed it.

Paragraphs are compared as sets of word 3-grams ("shingles") of their folded words, each word reduced
to its shortest clitic-free form (corpus.arabic): clitics (والعراق / العراق), hamza and alef forms, ta
marbuta and harakat do not matter. Two paragraphs of different
articles match when the Jaccard similarity of their shingle sets is at least THRESHOLD (0.3): on the
seeds, every pair of paragraphs carrying the joint statement in other words scores 0.3 to 0.85, while
unrelated paragraphs about the same event stay below 0.3.

To find candidates without comparing every pair, each paragraph keeps the SKETCH smallest hashes of its
shingles (a bottom-k sketch): paragraphs with Jaccard similarity J share at least one sketch hash
with probability about 1 - (1 - J)^k (over 99.6% at J = 0.3, k = 16). Candidates are then checked
with the full sets.

A shingle's hash is tabulation hashing over its words: each distinct word gets three random 63-bit keys
once (from BLAKE2b), and the shingle (a, b, c) hashes to first(a) ^ second(b) ^ third(c), computed for a
whole paragraph at C speed. Sets of these hashes stand for the sets of shingles (two different shingles
collide with probability 2^-63).

This is a derived index, kept apart from the articles: the import queues each new article
(PendingNearDuplicates, in the transaction that saves it) and process_pending() fingerprints and matches
queued articles, many at a time, each chunk in one transaction that also empties its queue rows. A crash
loses nothing: whatever is still queued is done by the next pass (the next import, or
`manage.py rebuild_indexes`).
"""

import hashlib
import json
from array import array
from collections import _count_elements  # Counter's counting loop (C), without a Counter per paragraph
from functools import lru_cache
from itertools import chain
from operator import itemgetter, xor

from django.db import connection, models, transaction

from .arabic import TOKEN_WORDS, TokenCache, fold, stems
from .models import ParagraphFingerprint, ParagraphMatch, PendingNearDuplicates
from .search import large_page_cache

SHINGLE = 3  # words per shingle
SKETCH = 16  # hashes kept per paragraph
THRESHOLD = 0.3
MIN_SHINGLES = 6  # shorter paragraphs (about 8 words) are too short to call copies: captions, links, bylines
MASK = (1 << 63) - 1  # fits a signed 64-bit column
CHUNK_ARTICLES = 1000  # articles fingerprinted and matched per transaction by process_pending


@lru_cache(maxsize=200_000)  # a word as found in text, folded and reduced once per process
def canonical(word):
    return _shortest(stems(fold(word, ta_marbuta=True)))


@lru_cache(maxsize=200_000)
def _canonical_folded(folded_word):
    return _shortest(stems(folded_word))


def _shortest(forms):
    return min(forms, key=lambda form: (len(form), form))


TOKEN_CANONICAL = TokenCache(lambda token: tuple(_canonical_folded(word) for word in TOKEN_WORDS[token]))


def canonical_words(text):
    return list(chain.from_iterable(map(TOKEN_CANONICAL.__getitem__, text.split())))


def _word_keys(word):
    """A canonical word's three keys: for its place as first, second and third word of a shingle."""
    digest = hashlib.blake2b(word.encode("utf-8"), digest_size=24, person=b"hamish-shingle").digest()
    return tuple(int.from_bytes(digest[i : i + 8], "big") & MASK for i in (0, 8, 16))


WORD_KEYS = TokenCache(_word_keys)
# The keys of each distinct token's canonical words, so a paragraph's keys come from one lookup per token.
TOKEN_KEYS = TokenCache(lambda token: tuple(WORD_KEYS[word] for word in TOKEN_CANONICAL[token]))
_first, _second, _third = itemgetter(0), itemgetter(1), itemgetter(2)


def shingles(text):
    """The paragraph's set of shingle hashes (word 3-grams of its canonical words)."""
    keys = list(chain.from_iterable(map(TOKEN_KEYS.__getitem__, text.split())))
    if len(keys) < SHINGLE:
        return set()
    return set(map(xor, map(xor, map(_first, keys[:-2]), map(_second, keys[1:-1])), map(_third, keys[2:])))


def sketch(shingle_set):
    return sorted(shingle_set)[:SKETCH]


def jaccard(a, b):
    return len(a & b) / len(a | b) if a and b else 0.0


def _placeholders(values):
    return ", ".join(["%s"] * len(values))


def _table(model):
    return connection.ops.quote_name(model._meta.db_table)


def enqueue(article_ids):
    """Queue these (new) articles for the near-duplicate pass. Call inside the transaction that saves them."""
    rows = [(pk,) for pk in article_ids]
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {_table(PendingNearDuplicates)} (article_id) VALUES (%s)", rows)


def pending_count():
    return PendingNearDuplicates.objects.count()


def process_pending(article_ids=None, *, chunk=CHUNK_ARTICLES, progress=None):
    """Fingerprint and match the queued articles (only those among `article_ids`, if given), `chunk` articles
    per transaction. Returns (articles done, matching pairs found). `progress(articles)` is called after each chunk."""
    done = found = 0
    wanted = None if article_ids is None else sorted(set(article_ids))
    if article_ids is None:
        large_page_cache()  # a bulk pass inserts millions of fingerprints into the (value, paragraph) key
    seen = _ShingleSets()  # the pass's paragraphs, so a later chunk does not compute them again
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
                found += _index_and_match(ids, seen)
                PendingNearDuplicates.objects.filter(article_id__in=ids).delete()
                done += len(ids)
        if ids and progress:
            progress(len(ids))
    return done, found


class _ShingleSets(dict):
    """{paragraph id: its shingle hashes as an array} (a third of a set's memory), for comparing candidates;
    forgotten past LIMIT paragraphs (then computed again from the text when needed)."""

    LIMIT = 1_000_000

    def keep(self, pk, shingle_set):
        if len(self) >= self.LIMIT:
            self.clear()
        self[pk] = array("q", shingle_set)

    def sets_of(self, ids):
        """{paragraph id: shingle set} for these paragraphs, computed from their text when not here."""
        found = {pk: set(self[pk]) for pk in ids if pk in self}
        missing = sorted(pk for pk in ids if pk not in found)
        with connection.cursor() as cursor:
            for i in range(0, len(missing), 500):
                chunk = missing[i : i + 500]
                cursor.execute(f"SELECT id, text FROM corpus_paragraph WHERE id IN ({_placeholders(chunk)})", chunk)
                for pk, text in cursor.fetchall():
                    found[pk] = shingles(text)
                    self.keep(pk, found[pk])
        return found


def _most_similar(shared, size_a, size_b):
    """An upper bound of the Jaccard similarity of two shingle sets of these sizes whose sketches share `shared`
    values, exact from the bottom-k construction (see _index_and_match). Either set may be the one whose sketch
    ends lower, so the bound is the larger of the two cases."""
    return max(_bound_if_first_ends_lower(shared, size_a, size_b), _bound_if_first_ends_lower(shared, size_b, size_a))


def _bound_if_first_ends_lower(shared, size_a, size_b):
    in_sketch = min(SKETCH, size_a)
    beyond = size_a - in_sketch  # A's shingles above its sketch
    if shared <= size_b - beyond:
        return (shared + beyond) / (in_sketch + size_b - shared)
    return size_b / size_a


class _MayMatch(dict):
    """{size: per number of shared sketch values, the sizes of the other set whose bound reaches THRESHOLD}.
    Only sizes within THRESHOLD of each other can reach it (J <= smaller / larger), so each set is finite."""

    def __missing__(self, size):
        low, high = int(size * THRESHOLD) - 1, int(size / THRESHOLD) + 2
        value = self[size] = tuple(
            frozenset(other for other in range(max(low, 1), high) if _most_similar(shared, size, other) >= THRESHOLD - 1e-9)
            for shared in range(SKETCH + 1)
        )
        return value


_MAY_MATCH = _MayMatch()


def _index_and_match(article_ids, seen):
    """Fingerprint the paragraphs of these articles and record their matches with every fingerprinted paragraph
    of other articles (these included). Returns the number of matching pairs found.

    Candidates are the paragraphs sharing a sketch value, counted in memory (an index of this chunk's sketches
    and of the stored fingerprints with the same values). Shuffled or formulaic text makes many paragraphs
    share one or two values while being far from similar; most are ruled out without their shingles:
    let A be the set whose sketch ends lower, at t. Every shingle of A or B up to t is in its sketch, so up to
    t the two share exactly the `shared` sketch values, A has its whole sketch and B at least `shared`; above
    t, A has |A| - |sketch(A)| shingles, B at most |B| - shared. That caps |A & B| and floors |A | B|, hence J
    (_bound_if_first_ends_lower). Only pairs whose cap reaches THRESHOLD get their shingle sets compared."""
    fingerprints_table = _table(ParagraphFingerprint)
    own = f"SELECT id FROM corpus_paragraph WHERE article_id IN ({_placeholders(article_ids)})"
    mine, fingerprints = {}, []  # mine: {paragraph id: (article id, shingle count, sketch)}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, article_id, text FROM corpus_paragraph WHERE article_id IN ({_placeholders(article_ids)})", article_ids)
        for pk, article_id, text in cursor.fetchall():
            shingle_set = shingles(text)
            size = len(shingle_set)
            if size < MIN_SHINGLES:
                continue
            values = sketch(shingle_set)
            mine[pk] = (article_id, size, values)
            seen.keep(pk, shingle_set)
            fingerprints += [(pk, value, size) for value in values]
        # Plain SQL throughout: the ORM spent most of the time building objects.
        cursor.execute(f"DELETE FROM {fingerprints_table} WHERE paragraph_id IN ({own})", article_ids)
        index = {}  # {sketch value: [paragraph ids]}
        sizes = {}  # shingle counts of the other articles' paragraphs in the index
        if fingerprints:
            for value, pk, size in _stored_with_values(cursor, {value for _, value, _ in fingerprints}):
                index.setdefault(value, []).append(pk)
                sizes[pk] = size
        cursor.executemany(f"INSERT INTO {fingerprints_table} (paragraph_id, value, shingles) VALUES (%s, %s, %s)", fingerprints)
    # Each pair once: a paragraph meets the stored ones and this chunk's earlier ones, then joins the index.
    articles = {pk: article_id for pk, (article_id, _, _) in mine.items()}
    sizes.update((pk, size) for pk, (_, size, _) in mine.items())
    may_match, matches, unseen = _MAY_MATCH, [], []
    for pk in sorted(mine):
        article_id, size, values = mine[pk]
        counts = {}
        _count_elements(counts, chain.from_iterable(index[value] for value in values if value in index))
        own_set, acceptable = None, may_match[size]
        for other, shared in counts.items():
            if sizes[other] in acceptable[shared] and articles.get(other) != article_id:
                other_set = seen.get(other)
                if own_set is None:
                    own_set = set(seen.get(pk, ()))
                if other_set is None or not own_set:
                    unseen.append((pk, other))  # not in memory (an earlier pass's paragraph): compared below
                    continue
                common = len(own_set.intersection(other_set))
                similarity = common / (size + len(other_set) - common)
                if similarity >= THRESHOLD:
                    matches.append((min(pk, other), max(pk, other), round(similarity, 4)))
        for value in values:
            index.setdefault(value, []).append(pk)
    del index
    if unseen:
        sets = seen.sets_of({pk for pair in unseen for pk in pair})
        for pk, other in unseen:
            similarity = jaccard(sets[pk], sets[other])
            if similarity >= THRESHOLD:
                matches.append((min(pk, other), max(pk, other), round(similarity, 4)))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {_table(ParagraphMatch)} (left_id, right_id, similarity) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
            sorted(matches),
        )
    return len(matches)


def _stored_with_values(cursor, values):
    """(value, paragraph id, shingle count) of the stored fingerprints holding any of `values`."""
    table = _table(ParagraphFingerprint)
    cursor.execute(f"SELECT 1 FROM {table} LIMIT 1")
    if cursor.fetchone() is None:
        return []  # the first pass over an empty corpus
    values = list(values)
    rows = []
    for i in range(0, len(values), 100_000):
        chunk = values[i : i + 100_000]
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT value, paragraph_id, shingles FROM {table} WHERE value = ANY(%s)", [chunk])
        else:  # SQLite: the values as a JSON array, joined to the (value, paragraph) key
            cursor.execute(
                f"SELECT f.value, f.paragraph_id, f.shingles FROM json_each(%s) v JOIN {table} f ON f.value = v.value",
                [json.dumps(chunk)],
            )
        rows += cursor.fetchall()
    return rows


def rebuild(progress=None, chunk=CHUNK_ARTICLES):
    """Fingerprint and match the whole corpus again: forget every fingerprint and match, queue every article
    (one transaction, so a crash cannot leave an article neither indexed nor queued), then run the pass."""
    with transaction.atomic():
        ParagraphMatch.objects.all()._raw_delete(ParagraphMatch.objects.db)
        ParagraphFingerprint.objects.all()._raw_delete(ParagraphFingerprint.objects.db)
        PendingNearDuplicates.objects.all()._raw_delete(PendingNearDuplicates.objects.db)
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {_table(PendingNearDuplicates)} (article_id) SELECT id FROM corpus_article")
    return process_pending(chunk=chunk, progress=progress)


def matches_of(paragraph_ids):
    """{paragraph id: [(other paragraph id, similarity)]} for these paragraphs, best first."""
    result, wanted = {}, set(paragraph_ids)
    rows = []
    pairs = ParagraphMatch.objects.filter(models.Q(left_id__in=wanted) | models.Q(right_id__in=wanted))
    for left, right, similarity in pairs.values_list("left_id", "right_id", "similarity"):
        if left in wanted:
            rows.append((left, right, similarity))
        if right in wanted:
            rows.append((right, left, similarity))
    for own, other, similarity in rows:
        result.setdefault(own, []).append((other, similarity))
    for value in result.values():
        value.sort(key=lambda item: -item[1])
    return result


def shared_content_groups(articles):
    """Articles that share paragraphs, grouped: [(articles in the group, [(article, article, shared count)])],
    biggest group first. Groups are the connected parts of the "shares a paragraph with" relation."""
    ids = {article.pk: article for article in articles}
    pairs = {}
    rows = ParagraphMatch.objects.filter(left__article_id__in=ids, right__article_id__in=ids).values_list(
        "left__article_id", "right__article_id"
    )
    for left, right in rows:
        key = (min(left, right), max(left, right))
        pairs[key] = pairs.get(key, 0) + 1
    parent = {pk: pk for pk in ids}

    def root(pk):
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    for left, right in pairs:
        parent[root(left)] = root(right)
    groups = {}
    for pk in {pk for pair in pairs for pk in pair}:
        groups.setdefault(root(pk), []).append(pk)
    result = []
    for members in groups.values():
        members.sort(key=lambda pk: (ids[pk].source.name, pk))
        links = sorted(
            ((ids[a], ids[b], count) for (a, b), count in pairs.items() if root(a) == root(members[0])),
            key=lambda link: -link[2],
        )
        result.append(([ids[pk] for pk in members], links))
    return sorted(result, key=lambda group: (-len(group[0]), -sum(link[2] for link in group[1])))
