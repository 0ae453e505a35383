"""Agreement measures (projects/agreement): hand-computed cases, published examples, a second implementation
(scikit-learn's cohen_kappa_score, a coincidence-matrix α written here), and collection from the database."""

import random
import warnings
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.interchange.conll import tokens as conll_tokens
from projects import agreement
from projects.agreement import data as agreement_data
from projects.agreement.measures import (
    Scores,
    SpanItem,
    StanceItem,
    cohen_kappa,
    display,
    fleiss_kappa,
    krippendorff_alpha,
    match_spans,
    polarity_agreement,
    span_agreement,
    stance_agreement,
    token_labels,
)

# ---- Cohen's κ -----------------------------------------------------------------------------------


def test_it_computes_cohen_kappa_by_hand():
    a = ["PER", "PER", "O", "O", "O", "ORG"]
    b = ["PER", "O", "O", "O", "ORG", "ORG"]
    # n = 6; agreements at 0, 2, 3, 5 -> 4. Counts a: PER 2, O 3, ORG 1; b: PER 1, O 3, ORG 2.
    # n²·p_e = 2·1 + 3·3 + 1·2 = 13; κ = (6·4 − 13) / (36 − 13) = 11/23.
    assert cohen_kappa(a, b) == pytest.approx(11 / 23)


def test_it_matches_the_textbook_two_by_two_example():
    # Wikipedia's Cohen's kappa example: 50 proposals, yes/yes 20, yes/no 5, no/yes 10, no/no 15.
    # p_o = 35/50 = 0.7; A says yes 25/50, B 30/50: p_e = 0.5·0.6 + 0.5·0.4 = 0.5; κ = 0.2/0.5 = 0.4.
    pairs = [("y", "y")] * 20 + [("y", "n")] * 5 + [("n", "y")] * 10 + [("n", "n")] * 15
    assert cohen_kappa([x for x, _ in pairs], [y for _, y in pairs]) == pytest.approx(0.4)


def test_it_leaves_kappa_undefined_rather_than_dividing_by_zero():
    assert cohen_kappa([], []) is None
    assert cohen_kappa(["O"] * 5, ["O"] * 5) is None  # one category: p_e = 1, κ = 0/0
    assert cohen_kappa(["O", "PER", "O"], ["O", "PER", "O"]) == 1.0
    assert display(None) == "n/a" and display(0.75) == "0.750"
    with pytest.raises(ValueError):
        cohen_kappa(["O"], [])


@settings(max_examples=60, deadline=None)  # cohen_kappa_score validates its input: ~0.1 s a call
@given(st.lists(st.tuples(st.sampled_from("OPLM"), st.sampled_from("OPLM")), min_size=1, max_size=60))
def test_it_agrees_with_scikit_learn_on_random_labellings(pairs):
    from sklearn.metrics import cohen_kappa_score

    a, b = [x for x, _ in pairs], [y for _, y in pairs]
    ours = cohen_kappa(a, b)
    if ours is None:
        assert len(set(a) | set(b)) == 1  # the only undefined case with items: one category throughout
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert ours == pytest.approx(cohen_kappa_score(a, b))


# ---- Fleiss' κ -----------------------------------------------------------------------------------

# Wikipedia's Fleiss' kappa example (after Fleiss 1971): 10 subjects, 14 raters each, 5 categories.
FLEISS_TABLE = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def test_it_computes_fleiss_kappa_of_the_textbook_example():
    items = [Counter({category: n for category, n in enumerate(row) if n}) for row in FLEISS_TABLE]
    # N = 10 items, n = 14 raters. Σ_j n_ij² per row: 196, 60, 70, 94, 74, 98, 58, 46, 66, 66 (sum 828), so
    # P̄ = (828 − N·n) / (N·n·(n − 1)) = 688/1820 ≈ 0.378. Category totals 20, 28, 39, 21, 32 of N·n = 140:
    # P̄e = (20² + 28² + 39² + 21² + 32²) / 140² = 4170/19600 ≈ 0.213 (Wikipedia: 0.378 and 0.213).
    # κ = (P̄ − P̄e) / (1 − P̄e) = (688·19600 − 4170·1820) / (1820·(19600 − 4170)) = 5895400/28082600 ≈ 0.210.
    assert fleiss_kappa(items) == pytest.approx(5895400 / 28082600)
    assert round(fleiss_kappa(items), 3) == 0.210
    # The same items given as each rater's category.
    assert fleiss_kappa([list(item.elements()) for item in items]) == pytest.approx(5895400 / 28082600)


def test_it_leaves_fleiss_undefined_for_no_items_or_one_category():
    assert fleiss_kappa([]) is None
    assert fleiss_kappa([["O", "O", "O"], ["O", "O", "O"]]) is None
    assert fleiss_kappa([["O"], ["P"]]) is None  # one rater: no pairs of ratings
    assert fleiss_kappa([["O", "O", "O"], ["P", "P", "P"]]) == 1.0
    with pytest.raises(ValueError):
        fleiss_kappa([["O", "O"], ["O", "O", "P"]])


def test_fleiss_equals_cohen_style_agreement_for_two_raters_with_equal_marginals():
    # With two raters whose marginals are equal, Fleiss' κ and Cohen's κ coincide (p_e is the same).
    a, b = ["x", "x", "y", "y"], ["x", "y", "x", "y"]
    assert fleiss_kappa(list(zip(a, b))) == pytest.approx(cohen_kappa(a, b)) == pytest.approx(0.0)


# ---- Krippendorff's α ----------------------------------------------------------------------------


def coincidence_alpha(units):
    """A second, plain implementation of nominal α from the coincidence matrix (Krippendorff 2011, §C)."""
    o = Counter()
    for unit in units:
        counts, m = Counter(unit), len(unit)
        if m < 2:
            continue
        for c in counts:
            for k in counts:
                o[c, k] += counts[c] * (counts[k] - (c == k)) / (m - 1)
    n_c = Counter()
    for (c, _), value in o.items():
        n_c[c] += value
    n = sum(n_c.values())
    observed = sum(value for (c, k), value in o.items() if c != k)
    expected = sum(n_c[c] * n_c[k] for c in n_c for k in n_c if c != k) / (n - 1)
    return 1 - observed / expected


# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", example C: 4 observers, 12 units, None missing.
RELIABILITY = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]
# Wikipedia's example: 3 coders, 15 units.
WIKIPEDIA = [
    [None, None, None, None, None, 3, 4, 1, 2, 1, 1, 3, 3, None, 3],
    [1, None, 2, 1, 3, 3, 4, 3, None, None, None, None, None, None, None],
    [None, None, 2, 1, 3, 4, 4, None, 2, 1, 1, 3, 3, None, 4],
]


def _units(matrix):
    return [[value for value in column if value is not None] for column in zip(*matrix)]


def test_it_reproduces_the_published_alphas():
    # Example C: unit 12 has one value and drops out, leaving 40 pairable values; the paper gives α = 0.743 (nominal).
    assert krippendorff_alpha(_units(RELIABILITY)) == pytest.approx(0.743, abs=5e-4)
    assert krippendorff_alpha(_units(WIKIPEDIA)) == pytest.approx(0.691358, abs=1e-6)
    assert coincidence_alpha(_units(RELIABILITY)) == pytest.approx(0.743, abs=5e-4)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.sampled_from("OPL"), max_size=4), min_size=1, max_size=30))
def test_it_agrees_with_the_coincidence_matrix_on_random_data_with_gaps(units):
    pairable = [unit for unit in units if len(unit) >= 2]
    ours = krippendorff_alpha(units)
    if not pairable or len({value for unit in pairable for value in unit}) < 2:
        assert ours is None
    else:
        assert ours == pytest.approx(coincidence_alpha(pairable))


def test_it_leaves_alpha_undefined_without_pairs_or_variation():
    assert krippendorff_alpha([]) is None
    assert krippendorff_alpha([["O"], ["P"]]) is None  # nobody rated a unit twice
    assert krippendorff_alpha([["O", "O"], ["O", "O", "O"]]) is None  # one value only
    assert krippendorff_alpha([{"a": "O", "b": "O"}, {"a": "P", "b": "P"}]) == 1.0


# ---- spans ---------------------------------------------------------------------------------------

A_SPANS = [SpanItem(1, 0, 5, "PER"), SpanItem(1, 10, 15, "ORG"), SpanItem(2, 0, 4, "LOC")]
B_SPANS = [SpanItem(1, 0, 5, "PER"), SpanItem(1, 11, 15, "ORG"), SpanItem(2, 0, 4, "PER"), SpanItem(2, 6, 8, "LOC")]


def test_it_scores_spans_by_exact_and_by_overlap_match():
    exact = span_agreement(A_SPANS, B_SPANS, mode="exact")
    # Only (1, 0, 5, PER) is in both: P = 1/4, R = 1/3, F1 = 2·1 / (3 + 4) = 2/7.
    assert (exact.overall.precision, exact.overall.recall, exact.overall.f1) == pytest.approx((1 / 4, 1 / 3, 2 / 7))
    # PER: 1 matched, a 1, b 2 -> F1 2/3; ORG 0 of 1 and 1; LOC 0 of 1 and 1.
    assert exact.per_label == {"LOC": Scores(0, 1, 1), "ORG": Scores(0, 1, 1), "PER": Scores(1, 1, 2)}
    assert exact.per_label["PER"].f1 == pytest.approx(2 / 3)
    overlapping = span_agreement(A_SPANS, B_SPANS, mode="overlap")
    # ORG [10,15) and [11,15) overlap; LOC [0,4) and [6,8) do not; PER on paragraph 2 is another label.
    # Matched 2: P = 2/4, R = 2/3, F1 = 4/7.
    assert overlapping.overall == Scores(2, 3, 4)
    assert overlapping.overall.f1 == pytest.approx(4 / 7)
    assert overlapping.per_label["ORG"] == Scores(1, 1, 1)


def test_it_matches_each_span_at_most_once_and_as_often_as_possible():
    # One span of a against two halves of b: one match, not two.
    assert span_agreement(
        [SpanItem(1, 0, 10, "PER")], [SpanItem(1, 0, 5, "PER"), SpanItem(1, 5, 10, "PER")], mode="overlap"
    ).overall == Scores(1, 1, 2)
    # Greedy by overlap would pair a[0] with b[0] (9 code points) and leave a[1] and b[1] alone; the
    # maximum matching pairs a[1]–b[0] (3) and a[0]–b[1] (3): two matches.
    a = [SpanItem(1, 0, 10, "PER"), SpanItem(1, 9, 20, "PER")]
    b = [SpanItem(1, 1, 12, "PER"), SpanItem(1, 0, 3, "PER")]
    assert match_spans(a, b, mode="overlap") == [(0, 1), (1, 0)]
    # Touching ranges share no code point; other paragraphs never match.
    assert match_spans([SpanItem(1, 0, 5, "PER")], [SpanItem(1, 5, 9, "PER"), SpanItem(2, 0, 5, "PER")], mode="overlap") == []


def test_it_handles_empty_span_sets():
    empty = span_agreement([], [], mode="overlap")
    assert empty.overall.f1 is None and empty.per_label == {}
    one_sided = span_agreement(A_SPANS, [], mode="exact").overall
    assert (one_sided.precision, one_sided.recall, one_sided.f1) == (None, 0.0, 0.0)
    assert span_agreement(A_SPANS, A_SPANS, mode="exact").overall.f1 == 1.0


def test_it_labels_tokens_with_the_outermost_span():
    text = "Lloyd Austin met Thabit al-Abbasi."
    tokens = conll_tokens(text)  # Lloyd, Austin, met, Thabit, al-Abbasi, "."
    spans = [
        SpanItem(1, 6, 12, "MISC"),  # "Austin", nested in the PER span: the longer span wins
        SpanItem(1, 0, 12, "PER"),
        SpanItem(1, 19, 21, "LOC"),  # "bi" inside "Thabit": tags the whole token, as the CoNLL export does
    ]
    assert token_labels(tokens, spans) == ["PER", "PER", "O", "LOC", "O", "O"]
    assert token_labels(tokens, []) == ["O"] * 6


# ---- stances -------------------------------------------------------------------------------------

TOPIC, ENTITY = ("topic", 5), ("entity", 20)


def test_it_scores_stances_and_polarity_given_holder_and_target():
    a = [
        StanceItem(1, 10, ENTITY, "supports", ((100, 0, 20),)),
        StanceItem(1, 11, TOPIC, "opposes", ((101, 0, 10),)),
    ]
    b = [
        StanceItem(1, 10, ENTITY, "supports", ((100, 15, 30),)),  # evidence overlaps by 5: a match
        StanceItem(1, 11, TOPIC, "supports", ((101, 0, 10),)),  # other polarity
        StanceItem(1, 12, TOPIC, "neutral", ((101, 0, 10),)),  # another holder: only b
    ]
    # One full match: P = 1/3, R = 1/2, F1 = 2·1 / (2 + 3) = 2/5.
    scores = stance_agreement(a, b)
    assert scores == Scores(1, 2, 3) and scores.f1 == pytest.approx(2 / 5)
    # Pairs on holder and target: (10, ENTITY) same polarity, (11, TOPIC) not: 2 pairs, 1 same.
    # κ on [supports, opposes] vs [supports, supports]: n = 2, agree 1, n²·p_e = 1·2 = 2: (2 − 2)/(4 − 2) = 0.
    polarity = polarity_agreement(a, b)
    assert (polarity.pairs, polarity.same, polarity.proportion, polarity.kappa) == (2, 1, 0.5, 0.0)


def test_stances_need_overlapping_evidence_in_the_same_article():
    a = [StanceItem(1, 10, ENTITY, "supports", ((100, 0, 20),))]
    assert stance_agreement(a, [StanceItem(1, 10, ENTITY, "supports", ((100, 20, 40),))]).matched == 0
    assert stance_agreement(a, [StanceItem(2, 10, ENTITY, "supports", ((100, 0, 20),))]).matched == 0
    assert stance_agreement([], []).f1 is None
    assert polarity_agreement([], []).proportion is None


# ---- from the database ---------------------------------------------------------------------------

SECOND_ARTICLE = ["قال المتحدث باسم البنتاغون إن المحادثات كانت مثمرة", "اقرأ أيضا: أخبار ذات صلة"]


@pytest.fixture
def study(db, analyst, other_analyst, django_user_model, labels, polarities, categories):
    """Two articles, three annotators; the third saw only the second article."""
    from annotations.boilerplate import mark_boilerplate
    from annotations.models import Entity, Topic
    from annotations.stances import Choice
    from tests.utils import add_span, add_stance, make_article

    third = django_user_model.objects.create_user("analyst3", password="analyst-pass-789")
    first, second = make_article(), make_article(SECOND_ARTICLE, source="الجزيرة")
    p0, p1, p2 = first.paragraphs.order_by("position")
    a, b = analyst, other_analyst
    add_span(p0, "ثابت العباسي", "PER", author=a)
    add_span(p0, "لويد أوستن", "PER", author=a)
    add_span(p0, "واشنطن", "LOC", author=a)
    add_span(p0, "ثابت العباسي", "PER", author=b)
    add_span(p0, "أوستن", "PER", author=b)  # inside a's span: an overlap match, not an exact one
    add_span(p0, "واشنطن", "ORG", author=b)  # another label
    mark_boilerplate(user=a, paragraph=p1, category=categories["related"])
    mark_boilerplate(user=b, paragraph=p1, category=categories["navigation"])
    mark_boilerplate(user=b, paragraph=p2, category=categories["related"])
    stroul = Entity.objects.create(name="دانا سترول", label=labels["PER"])
    topic = Topic.objects.create(name="الوجود العسكري الأميركي الدائم في العراق")
    holder, target = Choice("entity", stroul.pk), Choice("topic", topic.pk)
    add_stance(p2, "لا تسعى لوجود عسكري دائم", author=a, holder=holder, target=target, polarity=polarities["opposes"])
    add_stance(p2, "لوجود عسكري دائم في العراق", author=b, holder=holder, target=target, polarity=polarities["opposes"])
    add_stance(p1, "التعاون الأمني", author=b, holder=holder, target=target, polarity=polarities["supports"])
    q0, q1 = second.paragraphs.order_by("position")
    for user in (a, b, third):
        add_span(q0, "البنتاغون", "ORG", author=user)
    add_span(q0, "المتحدث", "PER", author=third)
    mark_boilerplate(user=a, paragraph=q1, category=categories["related"])
    mark_boilerplate(user=third, paragraph=q1, category=categories["related"])
    return {"first": first, "second": second, "users": [a, b, third]}


def _tokens(article):
    return sum(len(conll_tokens(p.text)) for p in article.paragraphs.all())


def test_it_measures_a_pair_on_the_articles_both_saw(study, django_assert_max_num_queries):
    first, (a, b, _) = study["first"], study["users"]
    with django_assert_max_num_queries(5):  # paragraphs, spans, evidence, stances, marks
        pairs = agreement.pairwise([first], [a, b])
    [pair] = pairs
    assert (pair.user_a, pair.user_b, pair.articles) == (a, b, 1)
    assert pair.spans_exact.overall == Scores(1, 3, 3)
    assert pair.spans_overlap.overall == Scores(2, 3, 3)
    assert pair.spans_overlap.per_label == {"LOC": Scores(0, 1, 0), "ORG": Scores(0, 0, 1), "PER": Scores(2, 2, 2)}
    # 38 tokens (10 + 14 + 14: the final "." is a token), all O but: a PER PER (ثابت العباسي), PER PER
    # (لويد أوستن), LOC; b the same but O on لويد and ORG on واشنطن. Agree 36; a: PER 4, LOC 1, O 33;
    # b: PER 3, ORG 1, O 34. n²·p_e = 4·3 + 33·34 = 1134; κ = (38·36 − 1134) / (38² − 1134) = 234/310.
    assert pair.tokens == _tokens(first) == 38
    assert pair.token_kappa == pytest.approx(234 / 310)
    # Paragraphs: a marks p1, b marks p1 and p2 (categories are not compared): agree 2 of 3;
    # a: F 2, T 1; b: F 1, T 2; n²·p_e = 2·1 + 1·2 = 4; κ = (3·2 − 4) / (9 − 4) = 2/5.
    assert (pair.paragraphs, pair.boilerplate_kappa) == (3, pytest.approx(0.4))
    # Stances: the two "opposes" share evidence; b's "supports" is unmatched. P 1/2, R 1, F1 2/3.
    assert pair.stances == Scores(1, 1, 2)
    # Holder+target pairs: one (a's stance with b's that shares its evidence), same polarity; κ has one category.
    assert (pair.polarity.pairs, pair.polarity.same, pair.polarity.kappa) == (1, 1, None)


def test_it_compares_only_what_both_saw(study):
    first, second, (a, b, third) = study["first"], study["second"], study["users"]
    pairs = {(p.user_a.username, p.user_b.username): p for p in agreement.pairwise([first, second], [a, b, third])}
    assert pairs["analyst1", "analyst3"].articles == 1  # analyst3 did nothing in the first article
    assert pairs["analyst1", "analyst3"].tokens == _tokens(study["second"])
    assert pairs["analyst1", "analyst2"].articles == 2


def test_it_computes_group_measures_with_missing_annotators(study, django_assert_max_num_queries):
    first, second, users = study["first"], study["second"], study["users"]
    with django_assert_max_num_queries(5):
        result = agreement.overall([first, second], users)
    assert (result.annotators, result.articles, result.articles_all) == (3, 2, 1)
    # Tokens of the second article by all three, of the first by analyst1 and analyst2 only.
    labels = {
        (article.pk, user.pk): agreement_data.article_token_labels(agreement_data.collect([article], [user]), article.pk, user.pk)
        for article in (first, second) for user in users
    }  # fmt: skip
    a, b, c = (user.pk for user in users)
    complete = list(zip(labels[second.pk, a], labels[second.pk, b], labels[second.pk, c]))
    units = list(zip(labels[first.pk, a], labels[first.pk, b])) + complete
    assert result.tokens.units == len(units) and result.tokens.units_all == len(complete)
    assert result.tokens.fleiss_kappa == pytest.approx(fleiss_kappa(complete))
    assert result.tokens.alpha == pytest.approx(coincidence_alpha(units))
    # Had analyst3 seen the first article (and tagged nothing), their O's would count against the others.
    seen = {first.pk: [a, b, c], second.pk: [a, b, c]}
    assert agreement.overall([first, second], users, seen=seen).tokens.alpha < result.tokens.alpha
    # Boilerplate on the second article: a and c mark q1, b does not: 2 paragraphs × 3 raters.
    # Items [F, F, F] and [T, F, T]: P̄ = (1 + 1/3) / 2 = 2/3; T: 2 of 6, P̄e = (4² + 2²)/36 = 5/9;
    # κ = (2/3 − 5/9) / (1 − 5/9) = 1/4.
    assert result.boilerplate.fleiss_kappa == pytest.approx(0.25)
    assert result.annotations[a] == {"spans": 4, "stances": 1, "marks": 2}


def test_query_count_does_not_grow_with_articles(study, django_assert_max_num_queries):
    from tests.utils import add_span, make_article

    more = [make_article([f"مقال رقم {n} عن البنتاغون"], source="العربية") for n in range(5)]
    for article in more:
        for user in study["users"]:
            add_span(article.paragraphs.get(), "البنتاغون", "ORG", author=user)
    from corpus.models import Article

    with django_assert_max_num_queries(5):
        agreement.pairwise(Article.objects.all(), study["users"])  # the queryset is a subquery, not a query
    with django_assert_max_num_queries(5):
        result = agreement.overall([study["first"], study["second"], *more], study["users"])
    assert result.articles_all == 6


def test_it_lists_disagreements_in_reading_order(study, django_assert_max_num_queries):
    first, (a, b, _) = study["first"], study["users"]
    with django_assert_max_num_queries(5):
        found = agreement.disagreements(first, a, b)
    summary = [(d.kind, d.reason, d.a and d.a.label, d.b and d.b.label) for d in found]
    assert summary == [
        ("span", "extent", "PER", "PER"),  # لويد أوستن / أوستن
        ("span", "label", "LOC", "ORG"),  # واشنطن
        ("boilerplate", "category", "related", "navigation"),  # p1, both marked
        ("stance", "only_b", None, "supports"),  # p1, التعاون الأمني
        ("boilerplate", "only_b", None, "related"),  # p2
    ]
    extent = found[0]
    assert extent.a.quotes[0][3] == "لويد أوستن" and extent.b.quotes[0][3] == "أوستن"
    stance = found[3].b
    assert (stance.holder, stance.target, stance.quotes[0][3]) == (
        "دانا سترول",
        "الوجود العسكري الأميركي الدائم في العراق",
        "التعاون الأمني",
    )
    assert agreement.disagreements(first, a, a) == []


def test_random_pairs_match_scikit_learn_end_to_end():
    """Token κ of random span sets, via token_labels, against scikit-learn on the same label sequences."""
    from sklearn.metrics import cohen_kappa_score

    text = " ".join(f"w{k}" for k in range(40))
    tokens = conll_tokens(text)
    rng = random.Random(14)
    for _ in range(50):
        spans = []
        for _ in range(2):
            chosen = []
            for _ in range(rng.randint(0, 8)):
                first = rng.randrange(len(tokens))
                last = min(len(tokens) - 1, first + rng.randint(0, 3))
                chosen.append(SpanItem(1, tokens[first][0], tokens[last][1], rng.choice(["PER", "LOC", "MISC"])))
            spans.append(token_labels(tokens, chosen))
        ours = cohen_kappa(*spans)
        if ours is not None:
            assert ours == pytest.approx(cohen_kappa_score(*spans))


def test_it_measures_each_article_alone_from_one_collection(study, django_assert_max_num_queries):
    first, second, (a, b, third) = study["first"], study["second"], study["users"]
    with django_assert_max_num_queries(5):
        per_article = agreement.by_article([first, second], [a, b, third])
    assert per_article[first.pk] == agreement.pairwise([first], [a, b, third])
    on_second = {(p.user_a, p.user_b): p for p in per_article[second.pk]}
    # On the second article all three tagged البنتاغون; analyst3 also المتحدث: a–c exact 1 of 1 and 2.
    assert on_second[a, third].spans_exact.overall == Scores(1, 1, 2)
    assert {(p.user_a, p.user_b): p.articles for p in per_article[first.pk]} == {(a, b): 1, (a, third): 0, (b, third): 0}
    assert on_second[a, third].token_kappa is not None
