"""Paragraph rules every format shares: lines, whitespace, NFC, control characters."""

import unicodedata

import pytest

from corpus.importing import IMPORTED, REJECTED
from corpus.models import Article, Paragraph
from tests.utils import assert_corpus_unchanged, import_bytes

pytestmark = pytest.mark.django_db


def stored_paragraphs(outcome):
    return list(Paragraph.objects.filter(article_id=outcome.article_id).order_by("position").values_list("text", flat=True))


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r", "\u2028"])
def test_it_splits_paragraphs_on_any_line_ending(newline):
    outcome = import_bytes("a.txt", newline.join(["الأول", "الثاني", "الثالث"]).encode())
    assert outcome.status == IMPORTED
    assert stored_paragraphs(outcome) == ["الأول", "الثاني", "الثالث"]


def test_it_drops_lines_of_only_whitespace_including_nbsp():
    text = "الأول\n\n   \n\u00a0\n\t\u00a0 \nالثاني\n"
    assert stored_paragraphs(import_bytes("a.txt", text.encode())) == ["الأول", "الثاني"]


def test_it_keeps_internal_double_spaces_quotes_and_punctuation():
    line = 'قال  أوستن: «نحن ملتزمون» — "تماماً"!؟'
    assert stored_paragraphs(import_bytes("a.txt", f"عنوان\n{line}\n".encode())) == ["عنوان", line]


def test_it_trims_each_line_at_both_ends():
    assert stored_paragraphs(import_bytes("a.txt", " \u00a0واشنطن -بغداد -قريش :\t\n".encode())) == ["واشنطن -بغداد -قريش :"]


def test_it_stores_text_as_nfc():
    decomposed = unicodedata.normalize("NFD", "café آمنة")  # alef with madda decomposes too
    assert decomposed != unicodedata.normalize("NFC", decomposed)
    [text] = stored_paragraphs(import_bytes("a.txt", decomposed.encode()))
    assert text == unicodedata.normalize("NFC", decomposed)
    assert unicodedata.is_normalized("NFC", text)


def test_it_removes_bidi_controls_and_says_so():
    text = "\u202eالعراق\u202c و\u2067CJTF-OIR\u2069 \u200fمع علامة"
    outcome = import_bytes("a.txt", text.encode())
    assert stored_paragraphs(outcome) == ["العراق وCJTF-OIR \u200fمع علامة"]  # RLM (implicit mark) kept
    assert any("4 bidirectional control" in note for note in outcome.notes)


def test_it_takes_the_first_paragraph_as_title_when_none_is_given():
    outcome = import_bytes("a.txt", "العنوان هنا\nالنص".encode())
    assert Article.objects.get(pk=outcome.article_id).title == "العنوان هنا"


def test_it_shortens_a_very_long_first_paragraph_for_the_title_but_keeps_the_paragraph():
    long_line = "كلمة " * 200
    outcome = import_bytes("a.txt", long_line.encode())
    article = Article.objects.get(pk=outcome.article_id)
    assert len(article.title) <= 301 and article.title.endswith("…")
    assert stored_paragraphs(outcome) == [long_line.strip()]


@pytest.mark.parametrize("data", [b"   \n\t\n", "\u00a0\n\u00a0".encode(), "\u200b\n".encode()])
def test_it_rejects_whitespace_only_files_and_changes_nothing(data):
    with assert_corpus_unchanged():
        outcome = import_bytes("blank.txt", data)
    assert outcome.status == REJECTED
    assert "whitespace" in outcome.message or "no text" in outcome.message
