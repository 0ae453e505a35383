"""CoNLL / BIO: one token and its tag per line, a blank line between sentences, -DOCSTART- between articles.

Tokens are whitespace-separated runs with leading and trailing punctuation split off; sentences end
after . ! ? ؟ … and at paragraph ends. BIO cannot nest, so where spans overlap the first (outermost)
is kept and the others are counted as left out. A span that starts or ends inside a token tags the
whole token. Tag names are the label names (PER, ORG, LOC, MISC) or, with the ANERcorp tag set,
PERS for PER.

Importing reads the same (also four-column CoNLL-2003 lines: the last column is the tag): each
sentence becomes a paragraph (its tokens joined by spaces) and each B/I run a span.
"""

import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from .hamish_json import spans_document

SENTENCE_ENDS = {".", "!", "?", "؟", "…"}
DOCSTART = "-DOCSTART-"
TAGSETS = {
    "conll": {},
    "anercorp": {"PER": "PERS"},
}


def _punctuation(ch):
    return unicodedata.category(ch).startswith("P")


def tokens(text):
    """[(start, end)] code point offsets of the tokens of `text`."""
    result, i, n = [], 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        j = i
        while j < n and not text[j].isspace():
            j += 1
        # i..j is a whitespace-free chunk: peel punctuation off both ends, one token per mark.
        head, tail = i, j
        while head < tail and _punctuation(text[head]):
            result.append((head, head + 1))
            head += 1
        trailing = []
        while tail > head and _punctuation(text[tail - 1]):
            trailing.append((tail - 1, tail))
            tail -= 1
        if head < tail:
            result.append((head, tail))
        result.extend(reversed(trailing))
        i = j
    return result


def sentences(text):
    """Token offsets grouped into sentences."""
    current, result = [], []
    for start, end in tokens(text):
        current.append((start, end))
        if text[start:end] in SENTENCE_ENDS:
            result.append(current)
            current = []
    if current:
        result.append(current)
    return result


@dataclass
class ConllStats:
    spans: int = 0
    left_out: int = 0  # overlapping spans BIO cannot express


def _tags(paragraph_tokens, spans, tagset, stats):
    """BIO tag per token, from the paragraph's spans (sorted outermost first); nested/overlapping left out."""
    rename = TAGSETS[tagset]
    tags = ["O"] * len(paragraph_tokens)
    # Tokens are in text order and do not overlap, so those a span touches (ending after its start, starting
    # before its end) are one run found by bisection: linear in tokens plus spans. Scanning every token per
    # span took 6 min 45 s for one 820,000-character paragraph with 11,187 spans.
    starts, ends = [a for a, _b in paragraph_tokens], [b for _a, b in paragraph_tokens]
    last_end = -1
    for span in sorted(spans, key=lambda s: (s["start"], -s["end"])):
        stats.spans += 1
        if span["start"] < last_end:
            stats.left_out += 1
            continue
        covered = range(bisect_right(ends, span["start"]), bisect_left(starts, span["end"]))
        if not covered or any(tags[k] != "O" for k in covered):
            stats.left_out += 1
            continue
        last_end = span["end"]
        name = rename.get(span["label"], span["label"])
        for position, k in enumerate(covered):
            tags[k] = ("B-" if position == 0 else "I-") + name
    return tags


def stream_conll(records, *, tagset="conll", stats=None):
    """CoNLL text, a chunk per article, from export records (see records.article_records)."""
    stats = stats if stats is not None else ConllStats()
    for record in records:
        lines = [f"{DOCSTART} O", ""]
        spans_by_paragraph = {}
        for span in record["spans"]:
            spans_by_paragraph.setdefault(span["paragraph"], []).append(span)
        for paragraph in record["paragraphs"]:
            text = paragraph["text"]
            all_tokens = tokens(text)
            tags = dict(zip(all_tokens, _tags(all_tokens, spans_by_paragraph.get(paragraph["index"], []), tagset, stats)))
            for sentence in sentences(text):
                lines.extend(f"{text[a:b]} {tags[(a, b)]}" for a, b in sentence)
                lines.append("")
        yield "\n".join(lines) + "\n"


# ---- import ------------------------------------------------------------------------------------


class ConllError(ValueError):
    pass


@dataclass
class ConllDocument:
    sentences: list = field(default_factory=list)  # [[(token, tag)]]


def parse_conll(text):
    """Documents of sentences of (token, tag) from CoNLL text; ConllError names the first bad line."""
    documents, sentence = [ConllDocument()], []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            if sentence:
                documents[-1].sentences.append(sentence)
                sentence = []
            continue
        fields = line.split()
        if fields[0] == DOCSTART:
            if sentence:
                documents[-1].sentences.append(sentence)
                sentence = []
            documents.append(ConllDocument())
            continue
        if len(fields) < 2:
            raise ConllError(f"Line {number}: expected a token and a tag, found {line[:60]!r}.")
        tag = fields[-1]
        if tag != "O" and not (tag[:2] in ("B-", "I-") and len(tag) > 2):
            raise ConllError(f"Line {number}: {tag!r} is not a BIO tag (O, B-LABEL or I-LABEL).")
        token = unicodedata.normalize("NFC", fields[0])
        sentence.append((token, tag))
    if sentence:
        documents[-1].sentences.append(sentence)
    return [document for document in documents if document.sentences]


def conll_to_document(conll_documents, *, annotator, source_name, filename=""):
    """A Hamish JSON document (for loading.import_document) with one article per CoNLL document."""
    anercorp_names = {value: key for key, value in TAGSETS["anercorp"].items()}
    articles = []
    for conll_document in conll_documents:
        texts, spans = [], []
        for index, sentence in enumerate(conll_document.sentences):
            text, starts = "", []
            for token, _tag in sentence:
                if text:
                    text += " "
                starts.append(len(text))
                text += token
            run = None  # (label, start, end) of the entity being read
            for (token, tag), start in zip(sentence + [("", "O")], starts + [len(text)]):
                kind, _, name = tag.partition("-")
                name = anercorp_names.get(name, name)
                if run and (kind != "I" or name != run[0]):
                    spans.append((index, run[1], run[2], run[0]))
                    run = None
                if kind in ("B", "I") and run is None:
                    run = (name, start, start + len(token))
                elif kind == "I":
                    run = (run[0], run[1], start + len(token))
            texts.append(text)
        articles.append({"texts": texts, "spans": spans, "source_name": source_name, "filename": filename})
    return spans_document(articles, annotator=annotator)
