"""Near-duplicate paragraphs across outlets, on the seeds: the joint statement's copies share a family, the rest not."""

import io

import pytest

from corpus import duplicates
from corpus.models import Article, FamilyMember
from tests.utils import import_bytes


@pytest.fixture
def seeds(db):
    from corpus.management.commands.setup_demo import Command as SetupDemo

    SetupDemo(stdout=io.StringIO()).load_corpus()  # the import finds duplicates as it goes
    return {a.original_filename.rsplit("/", 1)[-1][:3]: a for a in Article.objects.all()}


def matched(a, b):
    """a and b are versions of each other: members of one family, in different articles."""
    return a.article_id != b.article_id and b.pk in {pk for pk, _ in duplicates.matches_of([a.pk]).get(a.pk, [])}


def linked():
    """Every (paragraph, other version) pair, from the families."""
    members = list(FamilyMember.objects.values_list("paragraph_id", "family_id", "article_id"))
    return {(a, b) for a, fa, xa in members for b, fb, xb in members if fa == fb and xa != xb}


def paragraph(article, start):
    return next(p for p in article.paragraphs.order_by("position") if p.text.startswith(start))


@pytest.mark.parametrize(
    ("start_000", "start_003"),
    [
        ("وأشار بيان مشترك لحوار التعاون الأمني", "وأشار بيان مشترك لحوار التعاون الأمني"),  # commas and ساعدة/مساعد differ
        ("كما أكدا على التعاون المشترك", "كما أكدوا على التعاون المشترك"),
        ("وناقش الوفدان الحاجة الملحة", "وناقش الوفدان الحاجة الملحة"),
        ("أكدت الولايات المتحدة والعراق", "أكدت الولايات المتحدة والعراق"),
        ("واستعرض الجانبان، وفق البيان", "وبحسب البيان ، استعرض الجانبان"),  # reworded and reordered
    ],
)
def test_the_joint_statement_paragraphs_of_000_and_003_are_linked(seeds, start_000, start_003):
    assert matched(paragraph(seeds["000"], start_000), paragraph(seeds["003"], start_003))


def test_unrelated_paragraphs_are_not_linked(seeds):
    first = paragraph(seeds["000"], "أكدت الولايات المتحدة والعراق")
    for other in seeds["002"].paragraphs.all():  # another article on the same visit, different sentences
        assert not matched(first, other)
    statement = paragraph(seeds["000"], "وأشار بيان مشترك")
    assert not matched(statement, paragraph(seeds["003"], "كما أكدوا على التعاون المشترك"))
    # Never within one article, however alike (003 repeats its title); every member is close to its representative.
    for own, others in duplicates.matches_of(FamilyMember.objects.values_list("paragraph_id", flat=True)).items():
        article = FamilyMember.objects.get(pk=own).article_id
        assert all(FamilyMember.objects.get(pk=other).article_id != article for other, _ in others)
    assert all(s >= duplicates.THRESHOLD for s in FamilyMember.objects.values_list("similarity", flat=True))


def test_a_newly_imported_copy_is_linked_at_once_and_rebuild_finds_the_same(seeds):
    statement = paragraph(seeds["000"], "وأشار بيان مشترك")
    reworded = statement.text.replace("الأميركية", "الأمريكية").replace("،", " ،")
    outcome = import_bytes("copy.txt", f"عنوان آخر تماما\n{reworded}".encode())
    copy = Article.objects.get(pk=outcome.article_id).paragraphs.get(position=1)
    assert matched(statement, copy)
    before = linked()
    duplicates.rebuild()
    assert linked() == before


def test_short_lines_are_not_called_copies(db):
    import_bytes("a.txt", "إقرأ أيضا: خبر\nنص أول طويل بما يكفي ليكون فقرة حقيقية من خبر عن العراق وواشنطن".encode())
    import_bytes("b.txt", "إقرأ أيضا: خبر\nنص ثان مختلف تماما عن غيره في موضوع آخر لا علاقة له بما سبق".encode())
    # The short line is in no family at all; the long ones each found their own (no versions elsewhere).
    assert not FamilyMember.objects.filter(paragraph__position=0).exists()
    assert not duplicates.matches_of(FamilyMember.objects.values_list("paragraph_id", flat=True))
