"""Arabic folding rules, the search index on both databases, and the search page."""

import pytest
from django.test import Client
from django.urls import reverse

from annotations.boilerplate import mark_boilerplate
from corpus import search
from corpus.arabic import fold, match_forms, skeleton, stems, words
from tests.utils import add_span, import_bytes, make_article


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("أحمد إبراهيم آمال ٱلله", "احمد ابراهيم امال الله"),  # alef forms
        ("مستشفى على", "مستشفي علي"),  # alef maqsura
        ("العراقیة کركوك", "العراقية كركوك"),  # Farsi yeh and keheh (the seeds contain العراقیة)
        ("الوزيـــر", "الوزير"),  # tatweel
        ("وَزِيرُ الدِّفَاعِ", "وزير الدفاع"),  # harakat, shadda
        ("عام ٢٠٢٣ و۱۴۰۲", "عام 2023 و1402"),  # Arabic-Indic and extended digits
        ("CJTF-OIR", "cjtf-oir"),
        ("  كلمة \u00a0 أخرى ", "كلمة اخري"),
    ],
)
def test_each_folding_rule(text, folded):
    assert fold(text) == folded


def test_ta_marbuta_folds_only_when_asked():
    assert fold("الأميركية") == "الاميركية"
    assert fold("الأميركية", ta_marbuta=True) == "الاميركيه"


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("والعراق", "عراق"),
        ("فالعراق", "عراق"),
        ("بالعراق", "عراق"),
        ("كالعراق", "عراق"),
        ("للعراق", "عراق"),
        ("وبغداد", "بغداد"),
        ("لواشنطن", "واشنطن"),
        ("العباسي", "عباسي"),
    ],
)
def test_the_light_clitic_split(word, stem):
    assert stem in stems(word)
    assert word in stems(word)  # the whole word stays a form: بغداد is not only غداد


def test_skeletons_meet_across_spelling_variants():
    assert skeleton("الاميركيه") == skeleton("الامريكيه")
    assert match_forms("الأميركية")[1] & match_forms("الأمريكية")[1]
    assert not (match_forms("الأميركية")[0] & match_forms("الأمريكية")[0])  # but not as forms


def test_words_keep_offsets_into_the_original_text():
    text = "قال وَزِيرُ الدفاع: «نعم»"
    assert [(text[a:b], w) for a, b, w in words(text)] == [("قال", "قال"), ("وَزِيرُ", "وَزِيرُ"), ("الدفاع", "الدفاع"), ("نعم", "نعم")]


@pytest.fixture
def corpus(db, labels):
    return [
        make_article(
            ["التقى الوزير ثابت العباسي بنظيره في واشنطن.", "وقالت الخارجية الأمريكية إن الحوار مستمر."],
            source="الحرة",
            title="أ",
        ),
        make_article(["أكدت الإدارة الأميركية التزامها.", "وَزِيرُ الدِّفَاعِ العِرَاقِيُّ في بغداد."], source="قريش", title="ب"),
        make_article(["إقرأ أيضا: خبر عن العباسي"], source="قريش", title="ج"),
    ]


def paragraph_texts(ids):
    from corpus.models import Paragraph

    texts = dict(Paragraph.objects.filter(pk__in=ids).values_list("pk", "text"))
    return [texts[pk] for pk in ids]


def test_search_needs_the_index_kept_in_sync(corpus):
    # make_article writes paragraphs directly; the import service and this call index them.
    assert search.matching_ids("العباسي") == []
    search.rebuild()
    assert len(search.matching_ids("العباسي")) == 2


def test_imported_articles_are_searchable_at_once(db):
    outcome = import_bytes("a.txt", "قال عباس إن العراقيين بخير\nوالأمريكيون كذلك".encode())
    assert outcome.status == "imported"
    assert paragraph_texts(search.matching_ids("عراقيين")) == ["قال عباس إن العراقيين بخير"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("عباسي", ["التقى الوزير ثابت العباسي بنظيره في واشنطن.", "إقرأ أيضا: خبر عن العباسي"]),
        ("وزير الدفاع", ["وَزِيرُ الدِّفَاعِ العِرَاقِيُّ في بغداد."]),  # vocalised text from bare text
        ("العراقي", ["وَزِيرُ الدِّفَاعِ العِرَاقِيُّ في بغداد."]),
        ("واشنطن", ["التقى الوزير ثابت العباسي بنظيره في واشنطن."]),
    ],
)
def test_search_folds_and_splits_clitics(corpus, query, expected):
    search.rebuild()
    assert sorted(paragraph_texts(search.matching_ids(query))) == sorted(expected)


def test_spelling_variants_are_found_with_exact_forms_first(corpus):
    search.rebuild()
    found = paragraph_texts(search.matching_ids("الامريكية"))
    assert found[0] == "وقالت الخارجية الأمريكية إن الحوار مستمر."  # same form ranks first
    assert "أكدت الإدارة الأميركية التزامها." in found  # the other spelling, by skeleton


def test_highlights_point_at_the_original_words(corpus):
    text = "وَزِيرُ الدِّفَاعِ العِرَاقِيُّ في بغداد."
    pieces = search.highlight(text, "وزير الدفاع")
    assert "".join(piece for piece, _ in pieces) == text
    assert [piece for piece, hit in pieces if hit] == ["وَزِيرُ", "الدِّفَاعِ"]


def test_queries_are_data_not_syntax(corpus):
    search.rebuild()
    for query in ['"', "AND OR NOT", "forms:x", "a' | b", "*", ")(", "NEAR(a b)"]:
        search.matching_ids(query)  # no syntax error reaches the user


def test_the_search_page_with_filters(corpus, analyst, other_analyst, categories):
    search.rebuild()
    client = Client()
    client.force_login(analyst)
    url = reverse("annotations:search")
    html = client.get(url, {"q": "العباسي"}).content.decode()
    assert "2 paragraphs" in html and "<mark>العباسي</mark>" in html
    assert 'href="/articles/' in html and "#p0" in html
    html = client.get(url, {"q": "العباسي", "source": "قريش"}).content.decode()
    assert "1 paragraph " in html and "إقرأ أيضا" in html
    boilerplate = corpus[2].paragraphs.get()
    mark_boilerplate(user=analyst, paragraph=boilerplate, category=categories["related"])
    assert "1 paragraph " in client.get(url, {"q": "العباسي", "boilerplate": "hide"}).content.decode()
    assert "إقرأ أيضا" in client.get(url, {"q": "العباسي", "boilerplate": "only"}).content.decode()
    add_span(corpus[0].paragraphs.get(position=0), "ثابت العباسي", "PER", author=other_analyst)
    html = client.get(url, {"q": "العباسي", "label": "PER"}).content.decode()
    assert "1 paragraph " in html and "التقى الوزير" in html
    assert "No paragraph" in client.get(url, {"q": "العباسي", "annotator": "me"}).content.decode()
    partial = client.get(url, {"q": "العباسي"}, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<section id="results"')


def test_search_results_are_escaped(db, analyst):
    import_bytes("x.txt", "<script>alert(1)</script> العباسي".encode())
    client = Client()
    client.force_login(analyst)
    html = client.get(reverse("annotations:search"), {"q": "العباسي"}).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
