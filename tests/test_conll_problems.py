"""Bad CoNLL lines (issue 16): every problem is listed at once with its line, the file is refused unchanged
unless the lines are repaired or skipped (each reported), and nothing a file holds is a 500."""

import io
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from annotations.interchange.conll import ConllError, read_conll, sentences, tokens
from annotations.interchange.formats import FORMATS
from annotations.interchange.loading import AnnotationImportError, document_from_file, import_document
from annotations.interchange.selection import build_query
from annotations.models import Span, TokenLayout
from corpus.models import Article
from tests.utils import add_span, annotation_snapshot, corpus_snapshot, make_article


def problems_of(text, **kwargs):
    with pytest.raises(ConllError) as error:
        read_conll(text, **kwargs)
    return error.value.problems


def state():
    return corpus_snapshot(), annotation_snapshot(), list(TokenLayout.objects.values_list())


@pytest.mark.parametrize(
    "text, line, says",
    [
        ("لويد B-PER\n O\nأوستن O\n", 2, "Line 2: no token before the tag 'O'."),
        ("لويد B-PER\n\tB-LOC\n", 2, "Line 2: no token before the tag 'B-LOC'."),
        ("لويد B-PER\n\u200f O\n", 2, "Line 2: the token is only invisible characters (U+200F"),
        ("لويد B-PER\nأوستن\x07 O\n", 2, "Line 2: the token 'أوستن\\x07' holds a control character, U+0007"),
        ("لويد B-PER\nأوستن\n", 2, "Line 2: the token 'أوستن' has no tag."),
        (
            "لويد B-PER\nحزب الله B-ORG\nفي O\n",
            2,
            "Line 2: 3 fields where the file has 2: 'حزب الله B-ORG'. Repairing reads the token as 'حزب الله'.",
        ),
        ("a\tX\tY\tO\nb\tX\tY\tO\nc\tO\n", 3, "Line 3: 2 fields where the file has 4"),
        ("لويد B-PER\nأوستن PER\n", 2, "Line 2: 'PER' is not a BIO tag"),
        ("لويد B-PER\nفي O\nأوستن I-PER\n", 3, "Line 3: 'I-PER': in IOB2 an entity starts with B-, not I-."),
        ("ثابت S-PER\nلويد B-PER\nأوستن O\n", 3, "Line 3: 'O': the entity before it was not closed with E-."),
    ],
)
def test_each_kind_of_problem_is_named_with_its_line(text, line, says):
    problems = problems_of(text)
    assert problems[0].startswith("Detected:")
    assert any(problem.startswith(says) for problem in problems), problems
    assert says.startswith(f"Line {line}:")


def test_every_problem_is_listed_at_once_capped_with_a_count():
    lines = []
    for k in range(100):
        lines += [f"كلمة{k} O", " O", f"اسم{k} PER"]
    problems = problems_of("\n".join(lines) + "\n")
    assert "The file has 200 problems (100 lines with no token; 100 tags that are not BIO tags)" in problems[1]
    assert problems[2] == "Line 2: no token before the tag 'O'."
    assert problems[3].startswith("Line 3: 'PER' is not a BIO tag")
    assert problems[-1] == "… and 175 more."
    assert len(problems) == 2 + 25 + 1


def test_detection_is_said_for_a_four_column_tab_separated_bioes_file():
    text = "-DOCSTART-\t-X-\t-X-\tO\n\nلويد\tNNP\tB-NP\tB-PER\nأوستن\tNNP\tI-NP\tE-PER\n.\t.\tO\tO\n\n"
    reading = read_conll(text)
    assert reading.detected() == (
        "Detected: 4 columns (token first, tag last; the 2 between are not kept); tab-separated; 1 -DOCSTART- line; BIOES tags."
    )


def test_skip_leaves_the_bad_lines_out_and_repair_keeps_their_tokens():
    text = "لويد B-PER\nحزب الله B-ORG\n O\nأوستن per\n"
    skipped = read_conll(text, bad_lines="skip")
    assert [t.text for s in skipped.documents[0].sentences for t in s.tokens] == ["لويد"]
    assert skipped.skipped == [2, 3, 4] and skipped.repaired == []
    repaired = read_conll(text, bad_lines="repair")
    assert [(t.text, t.tag) for s in repaired.documents[0].sentences for t in s.tokens] == [
        ("لويد", "B-PER"),
        ("حزب الله", "B-ORG"),
        ("أوستن", "O"),  # "per" is no tag even in capitals (no B-/I-): read as O, and said
    ]
    assert repaired.repaired == [2, 4] and repaired.skipped == [3]
    assert any("2 bad lines repaired (lines 2, 4)" in note for note in repaired.notes())


def test_a_refused_file_changes_nothing(labels, analyst):
    make_article(["نص قائم"])
    before = state()
    with pytest.raises(AnnotationImportError) as error:
        document_from_file("لويد B-PER\n O\nأوستن I-PER\n".encode(), format="conll", annotator="analyst1")
    assert "Line 2: no token before the tag 'O'." in error.value.problems
    # A file that reads but cannot be written (a label unknown here) also changes nothing.
    document = document_from_file("لويد B-WEAPON\n".encode(), format="conll", annotator="analyst1")
    with pytest.raises(AnnotationImportError):
        import_document(document, user=analyst)
    assert state() == before


@pytest.mark.parametrize(
    "data",
    [b"\xff\xfe\x00bad", b"", b"\n\n\n", b"-DOCSTART- O\n\n", "\u2028 O\n".encode(), b"\x00\x00 O\n", b"O\n"],
)
def test_files_that_hold_nothing_usable_are_refused_with_a_reason(labels, data):
    with pytest.raises(AnnotationImportError) as error:
        document_from_file(data, format="conll", annotator="analyst1", bad_lines="repair")
    assert error.value.problems


def test_random_lines_never_raise_anything_but_an_import_error(labels, analyst):
    rng = random.Random(16)
    pieces = ["لويد", "B-PER", "I-PER", "E-LOC", "S-ORG", "O", "-DOCSTART-", " ", "\t", "\n", "\r\n", ".", "\u202e", "x_y", "B-"]
    for _ in range(300):
        data = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40))).encode()
        for bad_lines in ("refuse", "repair", "skip"):
            try:
                document = document_from_file(data, format="conll", annotator="analyst1", bad_lines=bad_lines)
                import_document(document, user=analyst)
            except AnnotationImportError:
                pass


def test_the_admin_page_lists_the_problems_then_what_was_detected_and_repaired(labels, staff_client):
    url = reverse("admin:annotations_span_import")
    data = "لويد B-PERS\nأوستن I-PERS\n O\nحزب الله B-ORG\n".encode()
    response = staff_client.post(url, {"file": SimpleUploadedFile("aner.conll", data), "unknown_users": "create"})
    page = response.content.decode()
    assert response.status_code == 200 and Article.objects.count() == 0
    assert "Detected: 2 columns (token, tag); space-separated" in page
    assert "Line 3: no token before the tag" in page and "Line 4: 3 fields where the file has 2" in page
    response = staff_client.post(
        url, {"file": SimpleUploadedFile("aner.conll", data), "unknown_users": "create", "bad_lines": "repair"}
    )
    page = response.content.decode()
    assert "Imported." in page and "ANERcorp tag names (PERS is read as PER)" in page
    assert "1 bad line repaired (line 4)." in page and "1 bad line skipped (line 3)." in page
    assert list(Span.objects.order_by("start").values_list("text", "label__name")) == [("لويد أوستن", "PER"), ("حزب الله", "ORG")]


def test_the_command_lists_problems_and_reports_what_it_detected(labels, admin, tmp_path):
    path = tmp_path / "aner.conll"
    path.write_text("لويد B-PER\n O\nأوستن I-PER\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_annotations", str(path), stderr=err, stdout=io.StringIO())
    assert "Line 2: no token before the tag 'O'." in err.getvalue() and "Detected:" in err.getvalue()
    out = io.StringIO()
    call_command("import_annotations", str(path), "--bad-lines", "skip", stdout=out)
    assert "1 bad line skipped (line 2)." in out.getvalue() and "IOB2 tags" in out.getvalue()
    assert Span.objects.get().text == "لويد أوستن"


def test_export_without_progress_says_how_many_articles_it_wrote(labels, admin, tmp_path):
    make_article(["لويد أوستن في بغداد."])
    make_article(["ثابت العباسي."])
    err = io.StringIO()
    call_command("export_annotations", "--format", "conll", "--no-progress", "--out", str(tmp_path / "x.conll"), stderr=err)
    assert "Wrote 2 articles as" in err.getvalue()


# ---- the tokenizer, for articles that did not come from CoNLL ---------------------------------


def test_span_edges_are_token_boundaries_and_no_punctuation_is_peeled_inside_a_span(labels, analyst):
    text = "وصل صالح إلى –صنعاء، ثم الى بي. بي. سي. وبعدها"
    paragraph = make_article([text]).paragraphs.get()
    add_span(paragraph, "–صنعاء", "LOC", author=analyst)
    add_span(paragraph, "بي. بي. سي", "ORG", author=analyst)
    add_span(paragraph, "صال", "PER", author=analyst)  # ends inside a word: the word is cut there
    exported = "".join(FORMATS["conll"].chunks(build_query(None)))
    lines = exported.split("\n")
    assert lines[2:7] == ["وصل O", "صال B-PER", "ح O", "إلى O", "–صنعاء B-LOC"]
    assert lines[7:9] == ["، O", "ثم O"]
    k = lines.index("بي. B-ORG")
    # The entity's dots end no sentence; the "." after it does.
    assert lines[k : k + 5] == ["بي. B-ORG", "بي. I-ORG", "سي I-ORG", ". O", ""]


def test_without_spans_the_tokenizer_is_the_old_rule():
    text = "التقى «لويد أوستن» في واشنطن. ثم غادر 70% ق.م."
    assert [text[a:b] for a, b in tokens(text)] == [
        "التقى", "«", "لويد", "أوستن", "»", "في", "واشنطن", ".", "ثم", "غادر", "70", "%", "ق.م", ".",
    ]  # fmt: skip
    assert len(sentences(text)) == 2
    # A sentence mark inside an entity does not end the sentence.
    start = text.index("واشنطن")
    assert len(sentences(text, [(start, text.index("ثم") + 2)])) == 1


# ---- the import page: CoNLL files are imported in the background job, each with its report line ------------


def test_the_import_page_imports_a_conll_file_and_reports_what_it_detected(labels, staff_client):
    from jobs.models import Job

    form = staff_client.get(reverse("corpus:import")).content.decode()
    assert 'name="bad_lines"' in form and ".conll" in form
    data = "لويد B-PERS\nأوستن I-PERS\n O\nحزب الله B-ORG\n".encode()
    files = [SimpleUploadedFile("aner.conll", data), SimpleUploadedFile("plain.txt", "نص عادي".encode())]
    response = staff_client.post(reverse("corpus:import"), {"files": files, "bad_lines": "repair"})
    job = Job.objects.get()
    assert response.status_code == 302 and job.parameters["bad_lines"] == "repair"
    assert (job.imported, job.rejected) == (2, 0)
    row = job.rows.get(name="aner.conll")
    assert row.status == "imported" and row.article_id == Span.objects.get(text="حزب الله").paragraph.article_id
    assert row.notes[0].startswith("Detected: 2 columns (token, tag)") and "1 bad line repaired (line 4)." in row.notes
    page = staff_client.get(job.get_absolute_url()).content.decode()
    assert "ANERcorp tag names (PERS is read as PER)" in page and "1 bad line skipped (line 3)." in page


def test_a_bad_conll_file_on_the_import_page_is_one_rejected_line_listing_its_problems(labels, staff_client):
    from jobs.models import Job

    before = state()
    data = "لويد B-PER\n O\nأوستن I-PER\nx y B-LOC\n".encode()
    staff_client.post(reverse("corpus:import"), {"files": [SimpleUploadedFile("bad.bio", data)]})
    row = Job.objects.get().rows.get()
    assert row.status == "rejected" and row.message == "Not imported; nothing was changed."
    assert "Line 2: no token before the tag 'O'." in row.notes and any(n.startswith("Line 4: 3 fields") for n in row.notes)
    assert state() == before


@pytest.mark.parametrize("data", [bytes(range(256)), b"\x00" * 100, b"\t\n \n\tO\n O\n", b"B-" * 5000])
def test_garbage_on_the_admin_page_is_a_page_with_reasons_not_a_500(labels, staff_client, data):
    before = state()
    response = staff_client.post(
        reverse("admin:annotations_span_import"),
        {"file": SimpleUploadedFile("x.conll", data), "unknown_users": "create", "bad_lines": "repair"},
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert state() == before
