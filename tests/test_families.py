"""Near-duplicate families (issue 13): a repeated line is one family, not the pairs among its copies; spelling
variants meet; an outlet's chrome stays out of families and becomes a boilerplate hint; one import costs a
bounded number of look-ups whatever the corpus size."""

import random
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations.boilerplate import boilerplate_hints
from corpus import duplicates
from corpus.arabic import words
from corpus.duplicates import families, reading
from corpus.models import Article, FamilyBand, FamilyMember, OutletLine, ParagraphFamily
from tests.utils import import_bytes

LINE = "أكدت الولايات المتحدة والعراق التزامهما المشترك بمواصلة التعاون العسكري الثنائي في جميع المجالات الأمنية"  # 14 words
ORIGINAL = (
    "قال المسؤول الأميركي إن الإدارة الأميركية ستواصل دعم القوات العراقية في مواجهة تنظيم داعش خلال العام "
    "المقبل بحسب البيان الأميركي الصادر اليوم"
)
RESPELLED = (
    "وقال المسؤول الأمريكي إن الإدارة الأمريكية ستواصل دعم القوات العراقية في مواجهة تنظيم داعش خلال العام "
    "القادم بحسب البيان الأمريكي الصادر اليوم"
)
VOCABULARY = sorted(
    {
        w
        for path in (Path(__file__).resolve().parents[1] / "corpus" / "demo").glob("*.txt")
        for _s, _e, w in words(path.read_text(encoding="utf-8"))
    }
)
CHROME = "تابعوا آخر الأخبار العاجلة على قناتنا في تطبيق تلغرام واشتركوا في النشرة البريدية اليومية"


def article(name, lines, source="الحرة"):
    return Article.objects.get(pk=import_bytes(name, "\n".join(lines).encode(), source_name=source).article_id)


def story(n):
    """A paragraph no other article has (long enough to be placed)."""
    return f"خبر رقم {n} عن اجتماع اللجنة {n} في بغداد لبحث الملف رقم {n} مع الوفد الزائر رقم {n} يوم {n}"


@pytest.mark.django_db
def test_a_line_repeated_2000_times_is_one_family_with_a_row_per_copy(analyst_client):
    first = article("a.txt", ["الملف الأول", *[LINE] * 1000], source="مصدر أ")
    second = article("b.txt", ["الملف الثاني", *[LINE] * 1000], source="مصدر ب")
    assert FamilyMember.objects.count() == 2000  # the old pairs: over a million rows
    family = ParagraphFamily.objects.get(articles__gt=1)
    assert (family.members, family.articles) == (2000, 2)
    assert FamilyBand.objects.count() <= duplicates.BANDS * ParagraphFamily.objects.count()
    ids = list(first.paragraphs.values_list("pk", flat=True))
    matches, counts = duplicates.versions_of(ids)
    assert len(matches) == 1000 and all(len(found) == duplicates.VERSIONS_LISTED for found in matches.values())
    assert {counts[pk] for pk in matches} == {1}  # one other article, however many copies it holds
    others = set(second.paragraphs.values_list("pk", flat=True))
    assert all(pk in others and similarity == 1.0 for found in matches.values() for pk, similarity in found)
    html = analyst_client.get(first.get_absolute_url()).content.decode()
    assert html.count("also in 1 other article ·") == 1000


@pytest.mark.django_db
def test_a_copy_respelled_by_another_outlet_is_found():
    # The old shingles (no skeletons) put these at 0.25, under the threshold.
    canonical = lambda text: [duplicates.canonical(w) for _s, _e, w in words(text)]  # noqa: E731
    old = lambda text: {tuple(canonical(text)[i : i + 3]) for i in range(len(canonical(text)) - 2)}  # noqa: E731
    assert duplicates.jaccard(old(ORIGINAL), old(RESPELLED)) < 0.3
    a = article("a.txt", ["عنوان", ORIGINAL], source="الحرة").paragraphs.get(position=1)
    b = article("b.txt", ["عنوان آخر", RESPELLED], source="قريش").paragraphs.get(position=1)
    assert duplicates.matches_of([b.pk]) == {b.pk: [(a.pk, pytest.approx(0.739, abs=0.01))]}
    assert duplicates.other_article_counts([a.pk]) == {a.pk: 1}


@pytest.mark.django_db
def test_chrome_stays_out_of_families_and_is_hinted(monkeypatch):
    outlet = [article(f"{n}.txt", [f"عنوان {n}", story(n), CHROME], source="الحرة") for n in range(4)]
    # Four articles: not chrome yet (CHROME_ARTICLES is 5), so the line is a family of four.
    chrome_members = FamilyMember.objects.filter(paragraph__text=CHROME)
    assert chrome_members.count() == 4
    elsewhere = article("x.txt", ["عنوان", CHROME], source="قريش")  # another outlet printed it once
    outlet += [article(f"{n}.txt", [f"عنوان {n}", story(n), CHROME], source="الحرة") for n in range(4, 12)]
    # The fifth made it the outlet's chrome: its copies there left the family, later ones never joined.
    assert list(chrome_members.values_list("article_id", flat=True)) == [elsewhere.pk]
    line = OutletLine.objects.get(source=outlet[0].source, key=duplicates.line_key(CHROME))
    assert (line.articles, line.chrome) == (12, True)
    family = ParagraphFamily.objects.get(pk=chrome_members.get().family_id)
    assert (family.members, family.articles) == (1, 1)
    # Story paragraphs are untouched: each its own family.
    stories = FamilyMember.objects.filter(article__in=outlet, paragraph__position=1)
    assert stories.count() == stories.values("family").distinct().count() == 12
    paragraphs = list(outlet[3].paragraphs.order_by("position"))
    hints = boilerplate_hints(outlet[3], paragraphs)
    assert hints[paragraphs[2].pk][1] == "repeated in 12 articles of this outlet"
    assert paragraphs[1].pk not in hints
    assert not duplicates.matches_of([p.pk for p in paragraphs])
    # In the other outlet it is one line among few: no chrome hint there.
    assert not duplicates.chrome_lines(elsewhere.source_id, list(elsewhere.paragraphs.all()))


@pytest.mark.django_db
def test_a_line_in_few_of_a_big_outlets_articles_is_not_chrome():
    for n in range(60):
        article(f"{n}.txt", [f"عنوان {n}", story(n), *([CHROME] if n % 10 == 0 else [])])
    line = OutletLine.objects.get(key=duplicates.line_key(CHROME))
    assert line.articles == 6 and not line.chrome  # 6 of 60 (5 of 41 when it reached 5): under CHROME_SHARE
    assert FamilyMember.objects.filter(paragraph__text=CHROME).values("family").distinct().count() == 1


@pytest.mark.django_db
def test_importing_one_article_costs_the_same_whatever_the_corpus_size(monkeypatch):
    compared = []
    real_best = families._best

    def best(index, keys):
        found = real_best(index, keys)
        compared.append(len(found))
        return found

    monkeypatch.setattr(families, "_best", best)

    def import_one(n):
        with CaptureQueriesContext(connection) as queries:
            article(f"new{n}.txt", [f"عنوان جديد {n}", story(10_000 + n), LINE, ORIGINAL])
        return len(queries)

    for n in range(20):
        article(f"{n}.txt", [f"عنوان {n}", story(n), LINE, ORIGINAL], source=f"مصدر {n}")
    import_one(0)  # the outlet's first article also creates the outlet
    small = import_one(1)
    for n in range(20, 200):
        article(f"{n}.txt", [f"عنوان {n}", story(n), LINE, ORIGINAL], source=f"مصدر {n}")
    compared.clear()
    large = import_one(2)
    assert large == small  # the same queries, not more with ten times the corpus
    assert compared and max(compared) <= duplicates.CANDIDATES
    # Each band key keeps at most KEY_FAMILIES families, so a look-up reads a bounded number of rows.
    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM corpus_familyband GROUP BY key) counts")
        assert cursor.fetchone()[0] <= duplicates.KEY_FAMILIES


@pytest.mark.django_db
def test_a_key_shared_by_many_families_stops_gaining_families(monkeypatch):
    monkeypatch.setattr(families, "KEY_FAMILIES", 2)
    # Different paragraphs that all start with the same long formula: many share the formula's band keys.
    formula = "وقال المتحدث باسم وزارة الخارجية في مؤتمر صحفي عقده اليوم في العاصمة"
    for n in range(12):
        rest = " ".join(random.Random(n).sample(VOCABULARY, 20))  # nothing in common but the formula
        article(f"{n}.txt", [f"عنوان {n}", f"{formula} {rest}"], source=f"مصدر {n}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM corpus_familyband GROUP BY key) counts")
        assert cursor.fetchone()[0] == 2


@pytest.mark.django_db
def test_versions_are_capped_but_counted_in_full(analyst_client):
    shared = [article(f"{n}.txt", [f"عنوان {n}", ORIGINAL], source=f"مصدر {n}") for n in range(60)]
    own = shared[0].paragraphs.get(position=1)
    matches, counts = duplicates.versions_of([own.pk])
    assert len(matches[own.pk]) == duplicates.VERSIONS_LISTED == 50 and counts[own.pk] == 59
    assert all(isinstance(pk, int) and isinstance(s, float) for pk, s in matches[own.pk])
    assert "also in 59 other articles · compare" in analyst_client.get(shared[0].get_absolute_url()).content.decode()
    assert duplicates.version_total(own.pk) == 59
    groups = duplicates.shared_content_groups(Article.objects.select_related("source"))
    assert len(groups) == 1
    members, links = groups[0]
    assert len(members) == 60 and all(isinstance(a, Article) for a in members)
    # Pairs among the family's first LINKED_PER_FAMILY articles: bounded, each sharing one family.
    assert len(links) == reading.LINKED_PER_FAMILY * (reading.LINKED_PER_FAMILY - 1) // 2
    assert all(isinstance(a, Article) and isinstance(b, Article) and count == 1 for a, b, count in links)


@pytest.mark.django_db
def test_a_crashed_chunk_leaves_no_family_and_no_line_count(monkeypatch):
    for n in range(6):
        import_bytes(f"{n}.txt", "\n".join([f"عنوان {n}", story(n), CHROME]).encode(), near_duplicates=False)

    real = families._place

    def half_then_die(article_ids, reps):
        real(article_ids, reps)  # everything written...
        raise KeyboardInterrupt  # ...then killed before the commit

    monkeypatch.setattr(families, "_place", half_then_die)
    with pytest.raises(KeyboardInterrupt):
        duplicates.process_pending(chunk=3)
    assert not FamilyMember.objects.exists() and not OutletLine.objects.exists() and not ParagraphFamily.objects.exists()
    monkeypatch.setattr(families, "_place", real)
    assert duplicates.process_pending(chunk=3)[0] == 6
    assert OutletLine.objects.get(key=duplicates.line_key(CHROME)).chrome
    assert not FamilyMember.objects.filter(paragraph__text=CHROME).exists()
