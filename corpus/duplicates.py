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
"""

import hashlib
from functools import lru_cache

from django.db import connection, models, transaction

from .arabic import fold, folded_words, stems
from .models import Paragraph, ParagraphFingerprint, ParagraphMatch

SHINGLE = 3  # words per shingle
SKETCH = 16  # hashes kept per paragraph
THRESHOLD = 0.3
MIN_SHINGLES = 6  # shorter paragraphs (about 8 words) are too short to call copies: captions, links, bylines
MASK = (1 << 63) - 1  # fits a signed 64-bit column


def canonical(word):
    return _shortest(stems(fold(word, ta_marbuta=True)))


@lru_cache(maxsize=200_000)
def _canonical_folded(folded_word):
    return _shortest(stems(folded_word))


def _shortest(forms):
    return min(forms, key=lambda form: (len(form), form))


def canonical_words(text):
    return [_canonical_folded(word) for word in folded_words(text)]


def shingles(text):
    tokens = canonical_words(text)
    return {" ".join(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1)}


def shingle_hash(shingle):
    return int.from_bytes(hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest(), "big") & MASK


def sketch(shingle_set):
    return sorted(shingle_hash(s) for s in shingle_set)[:SKETCH]


def jaccard(a, b):
    return len(a & b) / len(a | b) if a and b else 0.0


@transaction.atomic
def index_and_match(paragraphs):
    """Fingerprint these paragraphs (Paragraph objects with .article_id) and record their matches with every
    paragraph of other articles already fingerprinted. Returns the number of new matches."""
    sets, fingerprints = {}, []
    for paragraph in paragraphs:
        shingle_set = shingles(paragraph.text)
        if len(shingle_set) < MIN_SHINGLES:
            continue
        sets[paragraph.pk] = (paragraph.article_id, shingle_set)
        fingerprints += [(paragraph.pk, value) for value in sketch(shingle_set)]
    # Plain SQL: the ORM spent most of this function's time building fingerprint objects.
    table = connection.ops.quote_name(ParagraphFingerprint._meta.db_table)
    with connection.cursor() as cursor:
        ids = list(sets)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            cursor.execute(f"DELETE FROM {table} WHERE paragraph_id IN ({', '.join(['%s'] * len(chunk))})", chunk)
        cursor.executemany(f"INSERT INTO {table} (paragraph_id, value) VALUES (%s, %s)", fingerprints)

    # Candidates: other paragraphs sharing a sketch hash.
    by_value = {}
    for paragraph_id, value in fingerprints:
        by_value.setdefault(value, []).append(paragraph_id)
    candidates = set()
    values = list(by_value)
    with connection.cursor() as cursor:
        for i in range(0, len(values), 500):
            chunk = values[i : i + 500]
            cursor.execute(f"SELECT paragraph_id, value FROM {table} WHERE value IN ({', '.join(['%s'] * len(chunk))})", chunk)
            for paragraph_id, value in cursor.fetchall():
                for own in by_value[value]:
                    if own != paragraph_id:
                        candidates.add((min(own, paragraph_id), max(own, paragraph_id)))
    others = {pk for pair in candidates for pk in pair if pk not in sets}
    for pk, article_id, text in Paragraph.objects.filter(pk__in=others).values_list("pk", "article_id", "text"):
        sets[pk] = (article_id, shingles(text))
    matches = []
    for left, right in candidates:
        (left_article, left_set), (right_article, right_set) = sets[left], sets[right]
        if left_article == right_article:
            continue
        similarity = jaccard(left_set, right_set)
        if similarity >= THRESHOLD:
            matches.append(ParagraphMatch(left_id=left, right_id=right, similarity=round(similarity, 4)))
    ParagraphMatch.objects.bulk_create(matches, ignore_conflicts=True)
    return len(matches)


def rebuild(batch_size=2000, progress=None):
    """Fingerprint and match the whole corpus again."""
    ParagraphMatch.objects.all()._raw_delete(ParagraphMatch.objects.db)
    ParagraphFingerprint.objects.all()._raw_delete(ParagraphFingerprint.objects.db)
    last = 0
    while True:
        batch = list(Paragraph.objects.filter(pk__gt=last).order_by("pk").only("pk", "article_id", "text")[:batch_size])
        if not batch:
            return
        index_and_match(batch)
        last = batch[-1].pk
        if progress:
            progress(len(batch))


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
