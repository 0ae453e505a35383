"""Writing CoNLL / BIO: one token and its tag per line, a blank line between sentences, -DOCSTART- between articles.

A line is the token, a space and the tag (a tab instead of the space when the token holds a space). An article
imported from a CoNLL file is written with the file's own tokens, sentence breaks and tag scheme (layouts.py),
so a file in this layout comes back byte for byte (after NFC), and any other layout token for token and tag
for tag. Other articles are tokenized by tokens.py, tagged IOB2, and each paragraph ends a sentence.

BIO cannot nest, so where spans overlap the first (outermost) is kept and the others are counted as left out.
A span that starts or ends inside a token tags the whole token. Tag names are the label names (PER, ORG, LOC,
MISC) or, with the ANERcorp tag set, PERS for PER.
"""

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import islice

from .reader import DOCSTART
from .tokens import sentence_breaks, tokens

TAGSETS = {
    "conll": {},
    "anercorp": {"PER": "PERS"},
}
LAYOUT_BATCH = 200  # articles whose stored token layouts are read in one query


@dataclass
class ConllStats:
    spans: int = 0
    left_out: int = 0  # overlapping spans BIO cannot express


def _tags(paragraph_tokens, spans, tagset, stats):
    """IOB2 tag per token, from the paragraph's spans (sorted outermost first); nested/overlapping left out."""
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


def in_scheme(tags, scheme, before="O"):
    """IOB2 tags rewritten in `scheme`; `before` is the IOB2 tag of the token before the first (IOB1 needs it)."""
    if scheme == "IOB2":
        return tags
    result = list(tags)
    if scheme == "IOB1":
        previous = before
        for k, tag in enumerate(tags):
            # An entity starts with I-, except right after an entity of the same type.
            if tag.startswith("B-") and not (previous != "O" and previous[2:] == tag[2:]):
                result[k] = "I-" + tag[2:]
            previous = tag
        return result
    last, single = ("E-", "S-") if scheme == "BIOES" else ("L-", "U-")
    for k, tag in enumerate(tags):
        if tag == "O":
            continue
        ends = k + 1 == len(tags) or not tags[k + 1].startswith("I-")
        if ends:
            result[k] = (single if tag.startswith("B-") else last) + tag[2:]
    return result


def _line(token, tag):
    return f"{token}{chr(9) if ' ' in token else ' '}{tag}"


def _layout_tokens(layout, text):
    """The stored layout's tokens, if they fit the text (else None: the tokenizer takes over)."""
    boundaries = layout[0]
    if not isinstance(boundaries, list) or len(boundaries) % 2:
        return None
    pairs = list(zip(boundaries[::2], boundaries[1::2]))
    previous = 0
    for start, end in pairs:
        if not (isinstance(start, int) and isinstance(end, int) and previous <= start < end <= len(text)):
            return None
        previous = end
    return pairs


def _article_lines(record, tagset, stats, layouts):
    lines = [f"{DOCSTART} O", ""]
    spans_by_paragraph = {}
    for span in record["spans"]:
        spans_by_paragraph.setdefault(span["paragraph"], []).append(span)
    before = "O"  # the IOB2 tag of the last token written, while no sentence break came after it
    for paragraph in record["paragraphs"]:
        text, spans = paragraph["text"], spans_by_paragraph.get(paragraph["index"], [])
        layout = layouts.get(paragraph["index"])
        paragraph_tokens = _layout_tokens(layout, text) if layout else None
        if paragraph_tokens is not None:
            tags = _tags(paragraph_tokens, spans, tagset, stats)
            lines.extend(map(_line, (text[a:b] for a, b in paragraph_tokens), in_scheme(tags, layout[2], before)))
            if layout[1]:
                lines.append("")
                before = "O"
            else:
                before = tags[-1] if tags else before
            continue
        edges = [(span["start"], span["end"]) for span in spans]
        paragraph_tokens = tokens(text, edges)
        if not paragraph_tokens:
            continue
        tags = _tags(paragraph_tokens, spans, tagset, stats)
        first = 0
        for k in [*sentence_breaks(text, paragraph_tokens, edges), len(paragraph_tokens) - 1]:
            lines.extend(_line(text[a:b], tag) for (a, b), tag in zip(paragraph_tokens[first : k + 1], tags[first : k + 1]))
            lines.append("")
            first = k + 1
        before = "O"
    return "\n".join(lines) + "\n"


def stream_conll(records, *, tagset="conll", stats=None, layouts=None):
    """CoNLL text, a chunk per article, from export records (see records.article_records). `layouts`:
    a function of article ids giving {(article id, paragraph position): (boundaries, break_after, scheme)};
    by default the stored token layouts (records without an "id" have none)."""
    from .layouts import stored_layouts

    stats = stats if stats is not None else ConllStats()
    layouts = layouts or stored_layouts
    records = iter(records)
    while batch := list(islice(records, LAYOUT_BATCH)):
        ids = [record["id"] for record in batch if record.get("id") is not None]
        found = layouts(ids) if ids else {}
        by_article = {}
        for (article_id, position), layout in found.items():
            by_article.setdefault(article_id, {})[position] = layout
        for record in batch:
            yield _article_lines(record, tagset, stats, by_article.get(record.get("id"), {}))
