"""The bulk import's fast paths (issue 7): the same results as the straightforward code they replace, the
deferred near-duplicate pass and its queue, and the contentless SQLite search index."""

import io
import itertools
import random
import unicodedata

import pytest
from django.core.management import call_command
from django.db import connection

from bench.synthetic import article_text, demo_articles
from corpus import arabic, duplicates, search, spellings
from corpus.duplicates import families, fingerprints
from corpus.importing import IncomingFile, import_files
from corpus.models import Article, FamilyMember, Paragraph, ParagraphFamily, PendingNearDuplicates
from tests.utils import import_bytes

# Characters that make folding, word splitting and line cleaning interesting: alef, yeh and ta marbuta forms,
# harakat, tatweel, Quranic marks (dropped and kept), both digit sets, Latin with special case folding (ß, İ,
# the ﬁ ligature, final sigma, a combining ypogegrammeni), combining marks, punctuation, every kind of space and
# line break, zero-width characters, bidi controls and stray control characters.
ALPHABET = [
    *"أإآٱٲٳاىیېکةهبتثجحخدذرزسشصضطظعغفقكلمنويءئؤ",
    *"٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹0123456789",
    *"abcXYZßİﬁΣς_-.,،؛:\"'«»()",
    "\u064b",
    "\u064e",
    "\u0650",
    "\u0651",
    "\u0652",
    "\u0670",
    "\u0640",
    "\u06dd",
    "\u06de",
    "\u06e9",
    "\u06d6",
    "\u0610",
    "\u0654",
    "\u0655",
    "\u0345",
    "\u0301",
    "\u0307",
    "\u0327",
    " ",
    "  ",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "\u00a0",
    "\u2003",
    "\u2000",
    "\u200b",
    "\u200c",
    "\u200f",
    "\ufeff",
    "\u2060",
    "\u2028",
    "\u2029",
    "\u0085",
    "\x0b",
    "\x0c",
    "\x1c",
    "\u202b",
    "\u2066",
    "\x01",
    "\x7f",
    "e",
    "ا",
]


def random_texts(count, seed, length=30):
    generator = random.Random(seed)
    return ["".join(generator.choice(ALPHABET) for _ in range(generator.randint(0, length))) for _ in range(count)]


def reference_fold(text, *, ta_marbuta=False):
    """corpus.arabic.fold as it was: one str.translate over the text."""
    text = unicodedata.normalize("NFC", text).translate(arabic.FOLD_TABLE_TA if ta_marbuta else arabic.FOLD_TABLE)
    return arabic.SPACES.sub(" ", text).strip().casefold()


def reference_paragraph_terms(text):
    """corpus.search.paragraph_terms without its per-token caches: fold the text, split it into words, each
    word's sorted forms, skeletons and g keys, then the joined spelling of compounds written apart."""
    forms, skeletons, variants = [], [], []
    folded = arabic.WORD.findall(reference_fold(text, ta_marbuta=True))
    for word in folded:
        word_forms, word_skeletons, word_variants = search.index_forms(word)
        forms.extend(sorted(word_forms))
        skeletons.extend(sorted(word_skeletons))
        variants.extend(sorted(word_variants))
    joined = list(dict.fromkeys(spellings.joined_terms(folded)))
    forms.extend(joined)
    skeletons.extend(arabic.skeleton(term) for term in joined)
    return " ".join(forms), " ".join(skeletons), " ".join(variants)


# ---- the cached, per-token paths give exactly what the plain code gives -----------------------------------


def test_fold_gives_what_str_translate_gave():
    for text in random_texts(20000, seed=1):
        for ta_marbuta in (False, True):
            assert arabic.fold(text, ta_marbuta=ta_marbuta) == reference_fold(text, ta_marbuta=ta_marbuta), repr(text)


def test_folded_words_by_token_are_the_words_of_the_folded_text():
    texts = random_texts(20000, seed=2) + ["İstanbul وَزِيرُ الدِّفَاعِ ـالعراقـ ٢٠٢٣", "ab\u0345cd ﬁx ß"]
    for text in texts:
        assert arabic.folded_words(text) == arabic.WORD.findall(reference_fold(text, ta_marbuta=True)), repr(text)


def test_search_terms_are_the_terms_the_index_always_had():
    texts = random_texts(5000, seed=3) + [p for n in range(5) for p in article_text(n, demo_articles())]
    for text in texts:
        assert search.paragraph_terms(text) == reference_paragraph_terms(text), repr(text)


def test_shingles_are_the_skeleton_word_trigrams():
    words = ["a", "b", "c", "d", "a", "b", "c"]  # the trigram "a b c" twice: a set
    assert len(duplicates.shingles(" ".join(words))) == 4
    text = "أكدت الولايات المتحدة والعراق التزامهما بمواصلة التعاون الأمني"
    skeletons = duplicates.shingle_words(text)
    assert skeletons == [arabic.skeleton(duplicates.canonical(word)) for _s, _e, word in arabic.words(text)]
    expected = {
        fingerprints.WORD_KEYS[a][0] ^ fingerprints.WORD_KEYS[b][1] ^ fingerprints.WORD_KEYS[c][2]
        for a, b, c in zip(skeletons, skeletons[1:], skeletons[2:])
    }
    assert duplicates.shingles(text) == expected
    assert duplicates.shingles("كلمتان فقط") == set()
    # Spelling variants of a word give the same shingles.
    assert duplicates.shingles("قال المسؤول الأميركي اليوم") == duplicates.shingles("قال المسؤول الأمريكي اليوم")


# ---- band keys: each bin's smallest hash -------------------------------------------------------------------


def test_band_keys_are_the_smallest_hash_of_each_bin():
    generator = random.Random(5)
    for _ in range(2000):
        hashes = {generator.getrandbits(63) for _ in range(generator.randint(0, 80))}
        bins = {}
        for h in hashes:
            b = h >> (63 - 4)
            bins[b] = min(bins.get(b, h), h)
        assert duplicates.band_keys(hashes) == [bins[b] for b in sorted(bins)]
    assert len(duplicates.band_keys(set(range(0, 1 << 63, 1 << 55)))) == duplicates.BANDS


# ---- near-duplicates: the deferred pass and its queue ----------------------------------------------------


def synthetic_files(count, start=0):
    seeds = demo_articles()
    return [IncomingFile(f"{n}.txt", data="\n".join(article_text(n, seeds)).encode()) for n in range(start, start + count)]


def text_pairs():
    """The versions as pairs of (article file, position), from the families: the same whatever the ids."""
    by_family = {}
    rows = FamilyMember.objects.values_list("family_id", "article__original_filename", "paragraph__position")
    for family, name, position in rows:
        by_family.setdefault(family, []).append((name, position))
    return {frozenset({a, b}) for members in by_family.values() for a, b in itertools.combinations(members, 2) if a[0] != b[0]}


def corpus_shingles():
    sets = {}
    for pk, article_id, text in Paragraph.objects.values_list("pk", "article_id", "text"):
        shingle_set = duplicates.shingles(text)
        if len(shingle_set) >= duplicates.MIN_SHINGLES:
            sets[pk] = (article_id, shingle_set)
    return sets


@pytest.mark.django_db
def test_the_deferred_pass_places_paragraphs_as_comparing_every_representative_would():
    report = import_files(synthetic_files(120), near_duplicates=False)
    assert report.imported == 120
    assert not FamilyMember.objects.exists() and PendingNearDuplicates.objects.count() == 120
    done, joined = duplicates.process_pending(chunk=50)
    assert done == 120 and joined == FamilyMember.objects.count() - ParagraphFamily.objects.count()
    assert not PendingNearDuplicates.objects.exists()
    sets = corpus_shingles()
    members = {
        pk: (family, similarity) for pk, family, similarity in FamilyMember.objects.values_list("pk", "family_id", "similarity")
    }
    assert set(members) == set(sets)  # every paragraph long enough has exactly one family (no chrome here)
    representatives = dict(ParagraphFamily.objects.values_list("pk", "representative_id"))
    # A member's similarity is its exact Jaccard similarity to the representative, at THRESHOLD or above.
    for pk, (family, similarity) in members.items():
        assert similarity == pytest.approx(duplicates.jaccard(sets[pk][1], sets[representatives[family]][1]), abs=1e-4)
        assert similarity >= duplicates.THRESHOLD
    # Nothing was missed for want of a candidate: no representative is at THRESHOLD of an older family's, and
    # no member is closer to another family's representative than to its own.
    # (Only representatives sharing a shingle can reach THRESHOLD: an inverted index finds them all.)
    holding = {}
    for rep in representatives.values():
        for shingle in sets[rep][1]:
            holding.setdefault(shingle, set()).add(rep)
    for pk, (family, similarity) in members.items():
        reachable = {rep for shingle in sets[pk][1] for rep in holding.get(shingle, ()) if rep <= pk}
        best = max(duplicates.jaccard(sets[pk][1], sets[rep][1]) for rep in reachable | {representatives[family]})
        assert similarity == pytest.approx(best, abs=1e-4)
        if pk == representatives[family]:  # it founded a family: no older one was close enough
            assert all(duplicates.jaccard(sets[pk][1], sets[rep][1]) < duplicates.THRESHOLD for rep in reachable - {pk})
    # Storage is linear: one member per paragraph, BANDS keys at most per family.
    assert ParagraphFamily.objects.filter(articles__gt=1).count() > 10  # every tenth article copies one paragraph
    assert families.FamilyBand.objects.count() <= duplicates.BANDS * ParagraphFamily.objects.count()


@pytest.mark.django_db
def test_each_batch_is_matched_at_once_by_default_and_the_deferred_pass_agrees():
    files = synthetic_files(60)
    import_files(files, batch_size=7)  # the import page: placed after each batch
    assert not PendingNearDuplicates.objects.exists()
    at_once = text_pairs()
    Article.objects.all().delete()
    import_files(files, near_duplicates=False)
    assert not FamilyMember.objects.exists()
    duplicates.process_pending(chunk=9)
    assert text_pairs() == at_once and at_once


@pytest.mark.django_db
def test_a_pass_that_dies_halfway_is_finished_by_the_next_one(monkeypatch):
    import_files(synthetic_files(60), near_duplicates=False)
    duplicates.process_pending()
    complete = text_pairs()
    duplicates.rebuild(chunk=10**6)  # forget everything, requeue... then empty the families again:
    for model in (FamilyMember, families.FamilyBand, ParagraphFamily, families.OutletLine):
        model.objects.all().delete()
    PendingNearDuplicates.objects.bulk_create(
        PendingNearDuplicates(article_id=pk) for pk in Article.objects.values_list("pk", flat=True)
    )

    real, calls = families._place, []

    def dies_on_the_third_chunk(article_ids, *args):
        calls.append(article_ids)
        if len(calls) == 3:
            raise KeyboardInterrupt  # the process is killed: this chunk's transaction never commits
        return real(article_ids, *args)

    monkeypatch.setattr(families, "_place", dies_on_the_third_chunk)
    with pytest.raises(KeyboardInterrupt):
        duplicates.process_pending(chunk=10)
    monkeypatch.setattr(families, "_place", real)
    assert PendingNearDuplicates.objects.count() == 40  # two chunks done, the rest still queued
    done_articles = set(calls[0] + calls[1])
    assert set(FamilyMember.objects.values_list("article_id", flat=True)) == done_articles
    assert sum(families.OutletLine.objects.filter(key=0).values_list("articles", flat=True)) == 20  # counted once
    assert duplicates.process_pending(chunk=10)[0] == 40
    assert text_pairs() == complete and not PendingNearDuplicates.objects.exists()


@pytest.mark.django_db
def test_the_command_rerun_after_a_crash_completes_the_near_duplicate_index(tmp_path):
    seeds = demo_articles()
    for n in range(40):
        (tmp_path / f"{n:03}.txt").write_text("\n".join(article_text(n, seeds)), encoding="utf-8")
    # A first run stored everything, then died before (or during) its near-duplicate pass.
    import_files([IncomingFile(p.name, data=p.read_bytes()) for p in sorted(tmp_path.iterdir())], near_duplicates=False)
    assert PendingNearDuplicates.objects.count() == 40 and not FamilyMember.objects.exists()
    out = io.StringIO()
    call_command("import_articles", str(tmp_path), "--no-progress", stdout=out)
    assert "40 file(s): 0 imported, 40 already imported, 0 rejected." in out.getvalue()
    assert "near-duplicates: 40 article(s) placed" in out.getvalue()
    assert not PendingNearDuplicates.objects.exists()
    found = text_pairs()
    duplicates.rebuild()
    assert text_pairs() == found and found


@pytest.mark.django_db
def test_rebuild_indexes_pending_only_finishes_the_queue():
    import_files(synthetic_files(30), near_duplicates=False)
    out = io.StringIO()
    call_command("rebuild_indexes", "--pending", "--no-progress", stdout=out)
    assert "Placed 30 queued article(s)" in out.getvalue()
    assert not PendingNearDuplicates.objects.exists() and FamilyMember.objects.exists()


@pytest.mark.django_db
def test_a_newly_imported_article_is_matched_against_the_stored_families():
    import_files(synthetic_files(30), near_duplicates=False)
    duplicates.process_pending()
    before = text_pairs()
    # Article 31 copies article 30's second paragraph (one word changed), so it matches 30 only if 30 is there.
    import_files(synthetic_files(2, start=30))
    new = text_pairs() - before
    assert any({"30.txt", "31.txt"} == {name for name, _position in pair} for pair in new)


@pytest.mark.django_db
def test_deleting_an_article_takes_its_queue_row_and_members_with_it():
    outcome = import_files(synthetic_files(2), near_duplicates=False).outcomes[0]
    Article.objects.filter(pk=outcome.article_id).delete()
    assert PendingNearDuplicates.objects.count() == 1
    duplicates.process_pending()
    assert not FamilyMember.objects.filter(article_id=outcome.article_id).exists()
    assert FamilyMember.objects.exists()


# ---- the search index -------------------------------------------------------------------------------------


def indexed_ids():
    table = search.SQLITE_TABLE if connection.vendor == "sqlite" else search.POSTGRES_TABLE
    key = "rowid" if connection.vendor == "sqlite" else "paragraph_id"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {key} FROM {table}")
        return {pk for (pk,) in cursor.fetchall()}


@pytest.mark.django_db
def test_deleting_an_article_takes_it_out_of_the_search_index():
    keep = import_bytes("keep.txt", "التقى الوزير ثابت العباسي بنظيره في واشنطن".encode())
    gone = import_bytes("gone.txt", "وقال العباسي إن الحوار مستمر في بغداد".encode())
    assert len(search.matching_ids("العباسي")) == 2
    Article.objects.filter(pk=gone.article_id).delete()
    assert search.matching_ids("العباسي") == list(
        Paragraph.objects.filter(article_id=keep.article_id).values_list("pk", flat=True)
    )
    if connection.vendor == "sqlite":  # contentless: the row itself is gone, not only hidden
        assert indexed_ids() == set(Paragraph.objects.values_list("pk", flat=True))


@pytest.mark.django_db
def test_reindexing_paragraphs_replaces_their_rows():
    outcome = import_bytes("a.txt", "قال عباس إن العراقيين بخير\nوالأمريكيون كذلك".encode())
    paragraphs = list(Paragraph.objects.filter(article_id=outcome.article_id))
    search.index_paragraphs(paragraphs)  # again, not new: replaces
    search.index_paragraphs(paragraphs)
    assert search.matching_ids("عراقيين") == [paragraphs[0].pk]
    assert indexed_ids() == {p.pk for p in paragraphs}
    search.rebuild()
    assert search.matching_ids("الأمريكيين") == [paragraphs[1].pk]
    assert indexed_ids() == {p.pk for p in paragraphs}


@pytest.mark.django_db
def test_the_bulk_import_keeps_the_search_index_and_reports_its_phases(tmp_path):
    seeds = demo_articles()
    for n in range(25):
        (tmp_path / f"{n:03}.txt").write_text("\n".join(article_text(n, seeds)), encoding="utf-8")
    out = io.StringIO()
    call_command("import_articles", str(tmp_path), "--no-progress", "--batch-size", "10", stdout=out)
    assert "stored: 25 article(s) with their search index in" in out.getvalue()
    assert indexed_ids() == set(Paragraph.objects.values_list("pk", flat=True))
    hits = search.matching_ids("نسخة اصطناعية رقم 7")
    assert Paragraph.objects.get(pk=hits[0]).text == "نسخة اصطناعية رقم 7."
