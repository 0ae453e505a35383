"""Requests that must not run away: the versions page and search on very long or repetitive paragraphs.

Bounds are asserted on sizes and counts; `finishes_within` is only a safety net (a generous alarm) so that a
regression fails instead of hanging the suite.
"""

import contextlib
import random
import signal
from pathlib import Path

from django.urls import reverse

from annotations.suggestions import align
from corpus import duplicates, search, word_diff
from corpus.arabic import fold, words
from corpus.models import FamilyMember, ParagraphFamily
from tests.utils import make_article

DEMO = Path(__file__).resolve().parents[1] / "corpus" / "demo"
COMMON = "العراق"  # the word every long paragraph of these tests is full of
# The demo articles' words, but none that the searches below look for.
VOCABULARY = sorted(
    {w for path in sorted(DEMO.glob("*.txt")) for _s, _e, w in words(path.read_text(encoding="utf-8"))}
    - {
        w
        for path in sorted(DEMO.glob("*.txt"))
        for _s, _e, w in words(path.read_text(encoding="utf-8"))
        if "عباس" in fold(w) or "عراق" in fold(w)
    }
)


@contextlib.contextmanager
def finishes_within(seconds=20):
    def give_up(signum, frame):
        raise AssertionError(f"still working after {seconds} s: the work is not bounded")

    previous = signal.signal(signal.SIGALRM, give_up)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def long_words(count, seed):
    """`count` words of Arabic news vocabulary, every tenth one COMMON, the same for the same seed."""
    rng = random.Random(seed)
    return [COMMON if i % 10 == 0 else rng.choice(VOCABULARY) for i in range(count)]


def near_copy(text_words, seed, every=20):
    """The same words with one in `every` replaced: what another outlet's version of a paragraph looks like."""
    rng, copy = random.Random(seed), list(text_words)
    for i in range(5, len(copy), every):
        copy[i] = rng.choice(VOCABULARY)
    return copy


def family_of(representative, others):
    """Record `others` [(paragraph, similarity)] as versions of `representative`, as the pass would."""
    family = ParagraphFamily.objects.create(representative=representative, members=1 + len(others), articles=1 + len(others))
    for paragraph, similarity in [(representative, 1.0), *others]:
        FamilyMember.objects.create(
            paragraph=paragraph, family=family, article_id=paragraph.article_id, similarity=similarity, line=0
        )


def versions_of(client, first_text, second_text, *, similarity=0.8):
    """Two articles of other outlets holding these paragraphs, recorded as near-duplicates; the page's response."""
    first = make_article([first_text], source="الحرة", title="أ").paragraphs.get()
    second = make_article([second_text], source="قريش", title="ب").paragraphs.get()
    family_of(first, [(second, similarity)])
    with finishes_within():
        return first, client.get(reverse("annotations:paragraph_versions", args=[first.pk]))


def test_it_compares_two_67_kb_versions_up_to_the_cap_and_says_so(analyst_client):
    own = long_words(11_000, seed=1)
    other = near_copy(own, seed=2)
    own_text, other_text = " ".join(own), " ".join(other)
    assert len(own_text) > 67_000
    # Found as versions the way imports find them.
    first = make_article([own_text], source="الحرة", title="أ").paragraphs.get()
    second = make_article([other_text], source="قريش", title="ب").paragraphs.get()
    duplicates.enqueue([first.article_id, second.article_id])
    duplicates.process_pending()
    assert duplicates.matches_of([first.pk])[first.pk][0][0] == second.pk
    with finishes_within():
        response = analyst_client.get(reverse("annotations:paragraph_versions", args=[first.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "The comparison was cut short" in html and "is not compared" in html
    assert len(response.content) < 150_000  # both versions whole would be over 270 KB
    compared = word_diff.compare(own_text, other_text)
    assert len(compared.words_a) == word_diff.MAX_WORDS and compared.cut
    # Within the compared words the diff is the real one: the replaced words (one in 20) are marked.
    assert 100 <= html.count('<mark class="changed">') <= 2 * 2 * word_diff.MAX_WORDS // 20 + 10


def test_it_answers_for_5_mb_versions(analyst_client):
    own = long_words(800_000, seed=3)
    own_text = " ".join(own)
    other_text = " ".join(near_copy(own[:2_000], seed=4)) + " " + " ".join(own[2_000:])
    assert len(own_text) > 5_000_000
    _paragraph, response = versions_of(analyst_client, own_text, other_text)
    html = response.content.decode()
    assert response.status_code == 200
    assert "The comparison was cut short" in html
    assert len(response.content) < 150_000


def test_it_compares_repetitive_versions_in_bounded_work_and_ordinary_ones_exactly(analyst_client):
    # Every word repeated: difflib without autojunk needed minutes for 3,000 of them.
    own_text = " ".join(["قال"] * 3_000)
    other_text = " ".join(["قال", "الوزير"] * 1_500)
    _paragraph, response = versions_of(analyst_client, own_text, other_text)
    html = response.content.decode()
    assert response.status_code == 200
    assert "repeat the same words too often to compare exactly" in html
    assert "cut short" not in html  # all of both was compared
    # An ordinary pair: compared whole and exactly, no note.
    own_text = "وقال الوزير ثابت العباسي إن التعاون الأمني مستمر مع الولايات المتحدة في بغداد"
    other_text = "وقال وزير الدفاع ثابت العباسي إن التعاون الأمني مستمر مع الولايات المتحدة"
    _paragraph, response = versions_of(analyst_client, own_text, other_text)
    html = response.content.decode()
    assert '<mark class="changed">الوزير</mark>' in html and '<mark class="changed">بغداد</mark>' in html
    assert '<mark class="changed">الدفاع</mark>' in html and '<mark class="changed">العباسي</mark>' not in html
    assert "cut short" not in html and "not compared" not in html and "repeat the same words" not in html


def test_it_shows_the_closest_versions_only(analyst_client):
    text_words = long_words(60, seed=5)
    own = make_article([" ".join(text_words)], source="الحرة", title="أ").paragraphs.get()
    others = []
    for n in range(30):
        other = make_article(
            [" ".join(near_copy(text_words, seed=100 + n, every=7 + n))], source=f"outlet {n}", title=f"t{n}"
        ).paragraphs.get()
        others.append((other, 0.5 + n / 100))
    family_of(own, others)
    response = analyst_client.get(reverse("annotations:paragraph_versions", args=[own.pk]))
    html = response.content.decode()
    assert html.count('class="version-pair"') == 20
    assert "10 more versions, less similar, not shown" in html
    assert "outlet 29" in html and "outlet 0<" not in html  # the most similar are the ones shown


def test_alignment_of_5_mb_versions_is_bounded_and_carries_only_compared_words():
    own = long_words(800_000, seed=6)
    own_text = " ".join(own)
    other_text = "تمهيد " + own_text
    with finishes_within():
        carry = align(own_text, other_text)
    start = len(" ".join(own[:3])) + 1
    quote = own[3] + " " + own[4]
    assert carry(start, start + len(quote)) == (start + len("تمهيد "), start + len("تمهيد ") + len(quote))
    far = len(own_text) - len(own[-1])
    assert carry(far, len(own_text)) is None  # past the compared words: not carried, rather than guessed


def test_common_words_is_a_longest_common_subsequence_within_the_pair_budget():
    rng = random.Random(7)
    for _ in range(200):
        a = [rng.choice("abcde") for _ in range(rng.randrange(30))]
        b = [rng.choice("abcde") for _ in range(rng.randrange(30))]
        pairs, exact = word_diff.common_words(a, b)
        assert exact and len(pairs) == _lcs_length(a, b)
        items = sorted(pairs.items())
        assert all(a[i] == b[j] for i, j in items)
        assert all(i < k and j < m for (i, j), (k, m) in zip(items, items[1:]))
        # With a tiny budget it is still a common subsequence, only maybe shorter.
        pairs, _exact = word_diff.common_words(a, b, max_pairs=3)
        items = sorted(pairs.items())
        assert all(a[i] == b[j] for i, j in items) and all(i < k and j < m for (i, j), (k, m) in zip(items, items[1:]))


class CountingWord(str):
    comparisons = 0

    def __eq__(self, other):
        CountingWord.comparisons += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def test_common_words_on_repetitive_text_does_bounded_work():
    a = [CountingWord("و")] * 3_000
    b = [CountingWord(w) for w in ["و", "x"] * 1_500]
    CountingWord.comparisons = 0
    with finishes_within():
        pairs, exact = word_diff.common_words(a, b)
    assert not exact and pairs  # 4.5 million equal pairs: over the budget, so an approximation
    assert CountingWord.comparisons < 100_000


def _lcs_length(a, b):
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


# ---- search --------------------------------------------------------------------------------------


def search_page(client, **params):
    with finishes_within():
        return client.get(reverse("annotations:search"), params)


def test_search_over_long_paragraphs_shows_bounded_excerpts(analyst_client):
    for n in range(3):
        make_article([" ".join(long_words(700_000, seed=10 + n))], source="الحرة", title=f"طويل {n}")
    search.rebuild()
    response = search_page(analyst_client, q=COMMON)
    html = response.content.decode()
    assert response.status_code == 200
    assert "3 paragraphs" in html
    assert len(response.content) < 200_000  # was 13 MB: the three paragraphs whole
    assert html.count(f"<mark>{COMMON}</mark>") >= 3 * search.SNIPPETS
    assert "…" in html


def test_search_shows_ordinary_paragraphs_whole_and_long_ones_as_excerpts(analyst_client):
    short = " ".join(["العباسي"] + long_words(120, seed=20)[1:])  # about 800 characters
    assert len(short) <= search.WHOLE_CHARS
    long_words_ = long_words(400, seed=21)
    long_words_[200] = "العباسي"
    make_article([short, " ".join(long_words_)], source="الحرة", title="أ")
    search.rebuild()
    html = search_page(analyst_client, q="عباسي").content.decode()
    assert "2 paragraphs" in html
    assert short.split()[-1] in html and short.split()[60] in html  # the short one whole
    assert " ".join(long_words_[185:200]) + " <mark>العباسي</mark> " + " ".join(long_words_[201:216]) in html
    assert f"…{' '.join(long_words_[185:187])}" in html and f"{long_words_[215]}…" in html
    assert " ".join(long_words_[100:110]) not in html  # far from the hit: left out


def test_search_says_when_the_hits_lie_past_the_part_it_reads(analyst_client):
    text_words = [w for w in long_words(700_000, seed=30) if w != COMMON]
    text_words[-5] = "العباسي"
    make_article([" ".join(text_words)], source="الحرة", title="أ")
    search.rebuild()
    response = search_page(analyst_client, q="العباسي")
    html = response.content.decode()
    assert "1 paragraph " in html
    assert "further into this paragraph" in html
    assert len(response.content) < 100_000
    assert " ".join(text_words[:31]) + "…" in html  # the opening stands in for the excerpts


def test_search_highlights_stay_arabic_aware_in_excerpts(analyst_client):
    text_words = long_words(400, seed=40)
    text_words[300] = "وَالعِرَاقِيُّونَ"
    make_article([" ".join(text_words)], source="الحرة", title="أ")
    search.rebuild()
    html = search_page(analyst_client, q="العراقيون").content.decode()
    assert "<mark>وَالعِرَاقِيُّونَ</mark>" in html
    assert " ".join(text_words[:20]) not in html  # an excerpt, not the whole paragraph


JUNK = ["²", "10" * 13, "٣", "١٢", "-1", "0", "1.5", "abc", "\x00", "a\x00b"]


def test_junk_page_numbers_give_the_first_page(analyst_client):
    make_article([f"خبر رقم {n} عن العباسي" for n in range(45)], source="الحرة", title="أ")
    search.rebuild()
    first = results_of(search_page(analyst_client, q="العباسي"))
    assert "Next →" in first and "رقم" in first
    for junk in JUNK:
        response = search_page(analyst_client, q="العباسي", page=junk)
        assert response.status_code == 200
        assert results_of(response) == first, junk


def results_of(response):
    html = response.content.decode()
    return html[html.index('<section id="results"') : html.index("</section>")]


def test_junk_filter_values_are_never_a_server_error(analyst_client, labels):
    make_article(["خبر عن العباسي"], source="الحرة", title="أ")
    search.rebuild()
    for field in ("source", "label", "annotator", "stance", "boilerplate"):
        for junk in JUNK:
            response = search_page(analyst_client, q="العباسي", **{field: junk})
            assert response.status_code == 200, (field, junk)
            assert "match" in response.content.decode()
            if "\x00" in junk and field in ("source", "label", "annotator"):
                # Nothing can be named so: no result, rather than a 500 (PostgreSQL) or the filter dropped.
                assert "No paragraph" in response.content.decode(), (field, junk)
