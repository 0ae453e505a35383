"""CoNLL in, the same CoNLL out (issue 16): an article imported from a CoNLL file keeps the file's tokens,
sentence breaks and tag scheme, and its export gives the file back byte for byte (after NFC) in Hamish's
layout, token for token and tag for tag in any other. The files are in tests/data/conll."""

import unicodedata
from pathlib import Path

import pytest

from annotations.interchange.conll import read_conll
from annotations.interchange.formats import FORMATS
from annotations.interchange.loading import document_from_file, import_document
from annotations.interchange.selection import build_query
from annotations.models import Span, TokenLayout
from corpus.models import Article, Paragraph

DATA = Path(__file__).with_name("data") / "conll"


def export_text(tagset):
    return "".join(FORMATS[tagset].chunks(build_query(None)))


def import_file(name, user, bad_lines="refuse", data=None):
    data = data if data is not None else (DATA / name).read_bytes()
    document = document_from_file(data, format="conll", annotator=user.get_username(), filename=name, bad_lines=bad_lines)
    return import_document(document, user=user)


def token_tag_pairs(text):
    """(token, tag) of every token line, in order (-DOCSTART- and blank lines left out)."""
    pairs = []
    for line in text.split("\n"):
        if not line.strip() or line.startswith("-DOCSTART-"):
            continue
        token, tag = line.rsplit("\t" if "\t" in line else " ", 1)
        pairs.append((unicodedata.normalize("NFC", token), tag))
    return pairs


@pytest.mark.parametrize(
    "name, tagset, scheme",
    [("anercorp.conll", "anercorp", "IOB2"), ("bioes.conll", "conll", "BIOES"), ("iob1.conll", "conll", "IOB1")],
)
def test_a_file_in_hamish_layout_comes_back_byte_for_byte(labels, analyst, name, tagset, scheme):
    original = (DATA / name).read_text(encoding="utf-8")
    report = import_file(name, analyst)
    assert export_text(tagset) == unicodedata.normalize("NFC", original)
    assert set(TokenLayout.objects.values_list("scheme", flat=True)) == {scheme}
    assert report.counts["token layouts stored"] == Paragraph.objects.count()
    assert any(note.startswith("Detected:") and f"{scheme} tags" in note for note in report.notes)


def test_the_shapes_the_retokenizer_broke_keep_their_tokens_and_tags(labels, analyst):
    import_file("anercorp.conll", analyst)
    pairs = token_tag_pairs(export_text("anercorp"))
    for kept in [("70%", "O"), ("المقبل،", "O"), ("ق.م.", "O"), ("–صنعاء", "B-LOC"), ("عبد الله", "B-PERS")]:
        assert kept in pairs
    k = pairs.index(("بي.", "B-ORG"))
    assert pairs[k : k + 3] == [("بي.", "B-ORG"), ("بي.", "I-ORG"), ("سي", "I-ORG")]
    # Adjacent entities of one type stay two entities (IOB2 B- B-).
    k = pairs.index(("القاهرة", "B-LOC"))
    assert pairs[k + 1] == ("دمشق", "B-LOC")
    assert Span.objects.filter(text="–صنعاء", label__name="LOC").exists()
    assert Span.objects.filter(text="جون . سميث", label__name="PER").exists()


def test_a_long_run_without_blank_lines_is_split_into_paragraphs_at_sentence_ends_and_written_back_as_one(labels, analyst):
    import_file("anercorp.conll", analyst)
    article = Article.objects.get(paragraphs__position=0, paragraphs__text__startswith="قال المتحدث")
    paragraphs = list(article.paragraphs.order_by("position"))
    assert len(paragraphs) > 20
    for paragraph in paragraphs[:-2]:
        assert paragraph.text.endswith(".") and not paragraph.token_layout.break_after
    # "." inside an entity (الأمم . المتحدة) never ends a paragraph; an entity right after "." starts one.
    assert not any(p.text.endswith("الأمم .") for p in paragraphs)
    assert Span.objects.filter(paragraph__article=article, text="الأمم . المتحدة").count() == 6
    assert sum(p.text.startswith("واشنطن") for p in paragraphs) == 8
    # The rule lives in the reader: more than LONG_RUN tokens with no blank line.
    reading = read_conll((DATA / "anercorp.conll").read_text(encoding="utf-8"))
    assert reading.long_runs == 1 and reading.split_paragraphs == len(paragraphs) - 1


def test_the_messy_corpus_imports_repaired_and_comes_back_token_for_token(labels, analyst):
    original = (DATA / "messy.conll").read_text(encoding="utf-8")
    report = import_file("messy.conll", analyst, bad_lines="repair")
    notes = "\n".join(report.notes)
    assert "no blank lines (no sentence breaks)" in notes and "ANERcorp tag names" in notes
    assert "5 bad lines skipped (lines 6, 51, 101, 152, 202)" in notes
    assert "3 bad lines repaired (lines 121, 261, 311)" in notes
    assert "1 token was not in NFC and was normalised" in notes
    exported = token_tag_pairs(export_text("anercorp"))
    expected = [
        (token, "B-LOC" if tag == "B_LOC" else tag)
        for token, tag in token_tag_pairs(original)
        if token.strip(" \t")  # the five lines with no token are left out, and said to be
    ]
    assert exported == expected
    assert ("حزب الله", "B-ORG") in exported and ("أبو ظبي", "B-LOC") in exported
    # No blank line came in, none goes out.
    assert "\n\n" not in export_text("anercorp").removeprefix("-DOCSTART- O\n\n")


def test_four_tab_separated_columns_come_back_as_token_and_tag(labels, analyst):
    report = import_file("four_columns.conll", analyst)
    assert "4 columns (token first, tag last; the 2 between are not kept)" in report.notes[0]
    assert "tab-separated" in report.notes[0]
    assert token_tag_pairs(export_text("conll")) == [
        ("لويد", "B-PER"),
        ("أوستن", "I-PER"),
        ("يزور", "O"),
        ("بغداد", "B-LOC"),
        ("عبد الله", "B-PER"),
        (".", "O"),
    ]


def test_a_span_added_after_the_import_is_written_on_the_files_tokens(labels, analyst):
    import_file("bioes.conll", analyst)
    paragraph = Paragraph.objects.get(text__startswith="غادر")
    Span.objects.create(paragraph=paragraph, start=0, end=4, text="غادر", label=Span.objects.first().label, author=analyst)
    assert "غادر S-" in export_text("conll")


def test_importing_the_same_file_twice_adds_nothing(labels, analyst):
    import_file("iob1.conll", analyst)
    counts = (Article.objects.count(), Span.objects.count(), TokenLayout.objects.count())
    report = import_file("iob1.conll", analyst)
    assert (Article.objects.count(), Span.objects.count(), TokenLayout.objects.count()) == counts
    assert report.counts["token layouts stored"] == 0


def test_a_run_with_no_sentence_mark_is_cut_outside_entities_and_still_comes_back_byte_for_byte(labels, analyst):
    lines = ["-DOCSTART- O", ""]
    for k in range(2_500):
        lines.append("لويد B-PER" if k % 100 == 99 else ("أوستن I-PER" if k % 100 == 0 and k else f"كلمة{k} O"))
    text = "\n".join(lines) + "\n\n"
    import_file("long.conll", analyst, data=text.encode())
    sizes = [len(p.token_layout.boundaries) // 2 for p in Paragraph.objects.order_by("position")]
    assert max(sizes) <= 1_001 and sum(sizes) == 2_500 and len(sizes) == 3
    assert Span.objects.filter(text="لويد أوستن").count() == 24  # no entity cut at a paragraph end
    assert export_text("conll") == text


def test_windows_line_ends_and_a_byte_order_mark_come_back_token_for_token(labels, analyst):
    original = (DATA / "anercorp.conll").read_text(encoding="utf-8")
    data = b"\xef\xbb\xbf" + original.replace("\n", "\r\n").encode()
    import_file("windows.conll", analyst, data=data)
    assert export_text("anercorp") == original
