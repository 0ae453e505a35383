"""Real articles from other outlets (../shared/external-data, research licence: never copied here)."""

import codecs
import unicodedata

import pytest

from corpus.importing import IMPORTED, IncomingFile, import_files, iter_paths
from corpus.models import Article, Paragraph
from tests.conftest import SHARED

SAMPLE = SHARED / "external-data" / "news" / "saudinewsnet" / "sample"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not SAMPLE.is_dir(), reason="../shared/external-data is not on this machine"),
]


def expected_paragraphs(text):
    # Some sample files carry harakat in non-canonical order (shadda before fatha); stored text is NFC.
    return [unicodedata.normalize("NFC", line.strip()) for line in text.splitlines() if line.strip()]


def test_every_sample_article_imports_with_its_lines_as_paragraphs():
    report = import_files(iter_paths([SAMPLE]), source_name="SaudiNewsNet")
    assert report.imported == len(list(SAMPLE.glob("*.txt"))) == 40
    for path in sorted(SAMPLE.glob("*.txt")):
        lines = expected_paragraphs(path.read_text(encoding="utf-8"))
        article = Article.objects.get(original_filename=str(path))
        assert list(article.paragraphs.values_list("text", flat=True)) == lines


@pytest.mark.parametrize(
    ("encode", "label"),
    [
        (lambda text: text.encode("cp1256", errors="strict"), "Windows-1256"),
        (lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"), "UTF-16"),
        (lambda text: codecs.BOM_UTF8 + text.replace("\n", "\r\n").encode("utf-8"), "UTF-8 with BOM, CRLF"),
    ],
)
def test_the_same_articles_in_other_encodings_give_the_same_paragraphs(encode, label):
    files, expected = [], {}
    for path in sorted(SAMPLE.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        try:
            data = encode(text)
        except UnicodeEncodeError:
            continue  # a character Windows-1256 cannot hold (an emoji, say)
        files.append(IncomingFile(path.name, data=data))
        expected[path.name] = expected_paragraphs(text)
    assert len(files) >= 30, label
    report = import_files(files)
    assert all(outcome.status == IMPORTED for outcome in report.outcomes), label
    for outcome in report.outcomes:
        stored = Paragraph.objects.filter(article_id=outcome.article_id).order_by("position")
        assert list(stored.values_list("text", flat=True)) == expected[outcome.name], (label, outcome.name)
