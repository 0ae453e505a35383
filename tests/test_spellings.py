"""Spelling variants beyond letter folding (corpus.spellings): compound names joined or apart, loan letters,
the foreign g, patronymic chains; in search and in suggestions."""

from pathlib import Path

import pytest

from annotations.models import Entity, EntityAlias
from annotations.suggestions import EntityIndex, short_names
from corpus import search
from corpus.arabic import fold, loan_fold, match_forms, stems
from corpus.spellings import COMMON_WORDS, compound_parts, joined_terms, split_forms, variant_keys
from tests.utils import make_article

SHARED_NEWS = Path(__file__).resolve().parents[2] / "shared" / "external-data" / "news" / "saudinewsnet" / "sample"


def folded(word):
    return fold(word, ta_marbuta=True)


# ---- the rules, one by one ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("عبدالعزيز", ("عبد", "العزيز")),
        ("عبدالله", ("عبد", "الله")),
        ("عبدربه", ("عبد", "ربه")),
        ("أبوظبي", ("ابو", "ظبي")),
        ("أبوبكر", ("ابو", "بكر")),
        ("نورالدين", ("نور", "الدين")),
        ("نصرالله", ("نصر", "الله")),
        ("أبواب", None),  # doors: ابو + two letters is no name
        ("أبوية", None),
        ("عبده", None),
        ("بالله", None),  # a clitic before الله, not a name
        ("وبالله", None),
        ("الله", None),
        ("الدين", None),
    ],
)
def test_compound_names_written_joined_are_split(word, parts):
    assert compound_parts(folded(word)) == parts


def test_a_joined_compound_is_indexed_under_its_words_and_the_split_one_under_the_joined_word():
    assert {"عبد", "العزيز", "عزيز"} <= split_forms(stems(folded("لعبدالعزيز")))
    assert split_forms(stems(folded("أبواب"))) == set()
    apart = [folded(w) for w in "قال عبد العزيز ولعبد الله إن نور الدين في أبو ظبي بالله".split()]
    assert {"عبدالعزيز", "عبدالله", "نورالدين", "ابوظبي"} <= set(joined_terms(apart))
    assert not any(term.startswith("ب") for term in joined_terms(apart))  # بالله joins nothing
    assert joined_terms([folded(w) for w in "قال الوزير إن الحوار مستمر".split()]) == []


@pytest.mark.parametrize(("loan", "arabic"), [("ڤيتنام", "فيتنام"), ("پاكستان", "باكستان"), ("چاد", "جاد"), ("گوگل", "غوغل")])
def test_loan_letters_are_read_as_arabic_ones_in_matching(loan, arabic):
    assert loan_fold(folded(loan)) == folded(arabic)
    assert match_forms(loan)[0] & match_forms(arabic)[0]
    assert fold(loan) != fold(arabic)  # fold itself (near-duplicate fingerprints) keeps them


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("بنجلاديش", "بنغلاديش"),
        ("البنتاغون", "البنتاجون"),
        ("الكونغرس", "الكونجرس"),
        ("هامبورغ", "هامبورج"),
        ("ڤولكسڤاغن", "فولكسفاجن"),
    ],
)
def test_the_foreign_g_meets_through_its_key(one, other):
    keys = variant_keys(match_forms(one)[0])
    assert keys and keys & variant_keys(match_forms(other)[0])


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("قلب", "كلب"),  # short words: never by g key
        ("سجن", "سكن"),
        ("غريب", "قريب"),
        ("قانون", "كانون"),  # common words: never by g key
        ("غالبا", "قالبا"),
        ("كرامة", "غرامة"),
        ("القانونية", "الكانونية"),
    ],
)
def test_ordinary_words_differing_by_a_g_letter_do_not_meet(one, other):
    assert not variant_keys(match_forms(one)[0]) & variant_keys(match_forms(other)[0])


def test_common_words_are_folded_forms():
    assert all(word == folded(word) and "ة" not in word for word in COMMON_WORDS)


def test_short_names_of_people():
    assert short_names("لويد أوستن") == ["أوستن"]
    assert short_names("خالد عبد العزيز") == ["عبد العزيز"]  # never العزيز alone
    assert short_names("عبد الله") == []  # one name in two words: الله is no surname
    assert short_names("يوسف بن سليمان") == []  # سليمان is the father
    assert short_names("يوسف بن سليمان بن عبد الله") == ["يوسف بن سليمان"]


# ---- search ------------------------------------------------------------------------------------------------


@pytest.fixture
def variants_corpus(db, labels):
    texts = [
        "استقبل الأمير عبدالعزيز بن سلمان الوفد.",  # 0
        "وقال عبد العزيز الصقر إن الحوار مستمر.",  # 1
        "وصل الوفد إلى أبوظبي مساء الثلاثاء.",  # 2
        "عقد الاجتماع في أبو ظبي أمس.",  # 3
        "وأعلنت بنجلاديش عن خطة جديدة.",  # 4
        "وقالت وزارة الخارجية في بنغلاديش إن الخطة جاهزة.",  # 5
        "وصرح متحدث باسم ڤيتنام للصحفيين.",  # 6
        "وقالت فيتنام إنها ترحب بالحوار.",  # 7
        "وأقر البرلمان القانون الجديد.",  # 8
        "في كانون الثاني من كل عام.",  # 9
        "وأمسك الرجل الكلب بيده.",  # 10
    ]
    article = make_article(texts, source="الحرة", title="أ")
    search.rebuild()  # make_article writes the paragraphs directly
    return {i: p.pk for i, p in enumerate(article.paragraphs.order_by("position"))}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("عبد العزيز", {0, 1}),
        ("عبدالعزيز", {0, 1}),
        ("أبوظبي", {2, 3}),
        ("أبو ظبي", {2, 3}),
        ("بنغلاديش", {4, 5}),
        ("بنجلاديش", {4, 5}),
        ("فيتنام", {6, 7}),
        ("ڤيتنام", {6, 7}),
        ("القانون", {8}),  # not كانون
        ("كانون", {9}),
        ("قلب", set()),  # not الكلب
    ],
)
def test_search_finds_each_spelling_by_the_other(variants_corpus, query, expected):
    found = set(search.matching_ids(query))
    assert found == {variants_corpus[i] for i in expected}


def test_exact_spellings_rank_first_and_variants_are_highlighted(variants_corpus):
    assert search.matching_ids("بنجلاديش")[0] == variants_corpus[4]
    assert search.matching_ids("بنغلاديش")[0] == variants_corpus[5]
    text = "وقالت وزارة الخارجية في بنغلاديش إن الخطة جاهزة."
    assert [piece for piece, hit in search.highlight(text, "بنجلاديش") if hit] == ["بنغلاديش"]
    text = "وقال عبد العزيز الصقر إن الحوار مستمر."
    assert [piece for piece, hit in search.highlight(text, "عبدالعزيز") if hit] == ["عبد", "العزيز"]


def test_deleting_a_paragraph_forgets_its_variant_terms(variants_corpus):
    from corpus.models import Paragraph

    Paragraph.objects.filter(pk=variants_corpus[5]).delete()  # the trigger gives all three columns again
    assert set(search.matching_ids("بنجلاديش")) == {variants_corpus[4]}
    search.rebuild()
    assert set(search.matching_ids("بنجلاديش")) == {variants_corpus[4]}


# ---- suggestions -------------------------------------------------------------------------------------------


def found(entities, text):
    return [(text[a:b], e.name) for a, b, e in EntityIndex(entities).find(text)]


def test_compound_names_are_suggested_in_either_shape(labels):
    person = Entity.objects.create(name="عبد العزيز الصقر", label=labels["PER"])
    city = Entity.objects.create(name="أبوظبي", label=labels["LOC"])
    text = "قال عبدالعزيز الصقر في أبو ظبي ثم لعبد العزيز الصقر ولأبوظبي"
    assert found([person, city], text) == [
        ("عبدالعزيز الصقر", person.name),
        ("أبو ظبي", city.name),
        ("عبد العزيز الصقر", person.name),
        ("أبوظبي", city.name),
    ]


def test_half_a_joined_compound_is_never_a_name(labels):
    aziz = Entity.objects.create(name="العزيز", label=labels["ORG"])
    abd = Entity.objects.create(name="عبد", label=labels["ORG"])
    assert found([aziz, abd], "قال عبدالعزيز") == []


def test_loanword_spellings_are_suggested(labels):
    country = Entity.objects.create(name="بنغلاديش", label=labels["LOC"])
    pentagon = Entity.objects.create(name="البنتاغون", label=labels["ORG"])
    text = "قالت بنجلاديش والبنتاجون إن ڤيتنام وبنغلاديش"
    assert found([country, pentagon], text) == [
        ("بنجلاديش", country.name),
        ("البنتاجون", pentagon.name),
        ("بنغلاديش", country.name),
    ]


def test_ordinary_words_are_not_suggested_for_a_name_one_g_letter_away(labels):
    kanun = Entity.objects.create(name="كانون", label=labels["ORG"])
    assert found([kanun], "وأقر البرلمان القانون الجديد في كانون") == [("كانون", "كانون")]


def test_a_patronymic_chain_is_one_mention_and_the_father_is_not_the_person(labels):
    person = Entity.objects.create(name="يوسف بن سليمان بن عبد الله", label=labels["PER"])
    text = "التقى يوسف بن سليمان بن عبدالله الوفد، ثم قال سليمان إن يوسف بن سليمان سيعود"
    assert found([person], text) == [("يوسف بن سليمان بن عبدالله", person.name), ("يوسف بن سليمان", person.name)]


def test_tagging_a_chain_suggests_the_chain_elsewhere_and_never_the_father(labels, analyst):
    from annotations.models import Span
    from annotations.spans import update_span
    from annotations.suggestions import EntityIndex as Index
    from annotations.suggestions import suggestions_for
    from tests.utils import add_span

    article = make_article(
        [
            "استقبل يوسف بن سليمان بن عبد الله الوفد.",
            "وقال سليمان إن الاجتماع مثمر، وأكد يوسف بن سليمان بن عبدالله أن الحوار مستمر.",
        ]
    )
    first, second = article.paragraphs.order_by("position")
    person = Entity.objects.create(name="يوسف", label=labels["PER"])
    span = add_span(first, "يوسف بن سليمان بن عبد الله", "PER", author=analyst)
    update_span(user=analyst, span=span, entity=person)  # the tagged chain becomes an alias of يوسف
    own = Span.objects.filter(paragraph__article=article, author=analyst)
    offered = suggestions_for(analyst, [first, second], own_spans=own, index=Index(Entity.objects.all()))
    assert [(s.text, s.entity) for s in offered.get(second.pk, [])] == [("يوسف بن سليمان بن عبدالله", person)]
    assert first.pk not in offered  # the tagged one is a span already


def test_a_name_inside_someone_elses_chain_is_not_suggested(labels):
    father = Entity.objects.create(name="سليمان", label=labels["PER"])
    EntityAlias.objects.create(entity=father, name="سليمان العمر")
    ibn_sina = Entity.objects.create(name="ابن سينا", label=labels["PER"])
    text = "قال يوسف بن سليمان إن سليمان العمر زار مستشفى ابن سينا"
    assert found([father, ibn_sina], text) == [("سليمان العمر", father.name), ("ابن سينا", ibn_sina.name)]


# ---- real text (optional) -----------------------------------------------------------------------------------


@pytest.mark.skipif(not SHARED_NEWS.is_dir(), reason="../shared/external-data is not here")
def test_few_words_of_real_news_share_a_g_key_with_another():
    """In real news text (SaudiNewsNet sample, research licence: read in place, never copied), the g keys
    join few pairs of different words that forms and skeletons keep apart; bench/spellings.py lists them."""
    from bench.spellings import g_only_pairs, vocabulary

    words = vocabulary(sorted(SHARED_NEWS.glob("*.txt")))
    assert len(words) > 5000
    assert len(g_only_pairs(words)) <= len(words) // 500


# ---- the migration -----------------------------------------------------------------------------------------


def test_migration_0008_rebuilds_an_index_made_before_it(variants_corpus):
    """An existing database has the two-column index of 0004 (forms, skeletons), filled by the old rules;
    0008 makes the index again and fills it with the new ones."""
    import importlib

    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the old index shape is written out for SQLite here")
    migration = importlib.import_module("corpus.migrations.0008_search_spelling_variants")

    class Editor:  # what create_index and drop_index use of a schema editor
        def __init__(self, connection):
            self.connection = connection

        def execute(self, sql):
            with self.connection.cursor() as cursor:
                cursor.execute(sql)

    editor = Editor(connection)
    search.drop_index(editor)
    editor.execute(f"CREATE VIRTUAL TABLE {search.SQLITE_TABLE} USING fts5(forms, skeletons, content='', tokenize='ascii')")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {search.SQLITE_TABLE} (rowid, forms, skeletons) VALUES (%s, 'بنجلاديش', 'بنجلدش')", [variants_corpus[4]]
        )
        cursor.execute(f"SELECT rowid FROM {search.SQLITE_TABLE} WHERE {search.SQLITE_TABLE} MATCH 'forms : بنجلاديش'")
        assert cursor.fetchall() == [(variants_corpus[4],)]  # the old index, queried the old way
    migration.recreate_search_index(None, editor)
    assert set(search.matching_ids("بنجلاديش")) == {variants_corpus[4], variants_corpus[5]}
    assert set(search.matching_ids("عبد العزيز")) == {variants_corpus[0], variants_corpus[1]}
