"""Hamish's tokenizer, for the CoNLL export of articles that did not come from a CoNLL file.

Tokens are whitespace-separated runs with leading and trailing punctuation split off, one token per mark;
sentences end after a token that is . ! ? ؟ or … and at paragraph ends. Two rules keep the annotations whole:

- Every span edge is a token boundary, and inside a span the text is split at whitespace only: no
  punctuation is peeled off there, so "–صنعاء" annotated whole stays one token (never "–" B-LOC + "صنعاء"),
  and "بي. بي. سي" stays three tokens with their dots.
- No sentence ends inside a span: a sentence mark inside an entity does not break it.

Articles imported from a CoNLL file keep the file's own tokens instead (see layouts.py).
"""

import unicodedata
from bisect import bisect_right

SENTENCE_ENDS = {".", "!", "?", "؟", "…"}


def _punctuation(ch):
    return unicodedata.category(ch).startswith("P")


def _chunks(text, start, end):
    """(start, end) of the whitespace-free runs of text[start:end]."""
    i = start
    while i < end:
        if text[i].isspace():
            i += 1
            continue
        j = i
        while j < end and not text[j].isspace():
            j += 1
        yield i, j
        i = j


def _peeled(text, start, end, result):
    """Append the tokens of text[start:end] (free text): chunks with punctuation peeled off both ends."""
    for i, j in _chunks(text, start, end):
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


def _covered(spans, length):
    """The union of the spans, as sorted disjoint (start, end) ranges inside 0..length."""
    ranges = []
    for start, end in sorted((max(0, s), min(length, e)) for s, e in spans):
        if start >= end:
            continue
        if ranges and start <= ranges[-1][1]:
            if end > ranges[-1][1]:
                ranges[-1] = (ranges[-1][0], end)
        else:
            ranges.append((start, end))
    return ranges


def tokens(text, spans=()):
    """[(start, end)] code point offsets of the tokens of `text`; `spans`: (start, end) pairs to keep whole."""
    result = []
    if not spans:
        _peeled(text, 0, len(text), result)
        return result
    edges = sorted({edge for start, end in spans for edge in (start, end) if 0 < edge < len(text)})
    covered = _covered(spans, len(text))
    cover_starts = [start for start, _end in covered]
    points = [0, *edges, len(text)]
    for a, b in zip(points, points[1:]):
        k = bisect_right(cover_starts, a) - 1
        inside = k >= 0 and a < covered[k][1]
        if inside:
            result.extend(_chunks(text, a, b))
        else:
            _peeled(text, a, b, result)
    return result


def sentence_breaks(text, paragraph_tokens, spans=()):
    """Indices of the tokens a sentence ends after (the last token of the paragraph not included)."""
    covered = _covered(spans, len(text)) if spans else []
    cover_starts = [start for start, _end in covered]
    breaks = []
    for k, (start, end) in enumerate(paragraph_tokens[:-1]):
        if text[start:end] not in SENTENCE_ENDS:
            continue
        if covered:
            j = bisect_right(cover_starts, end) - 1
            if j >= 0 and covered[j][0] < end < covered[j][1]:
                continue  # inside an entity: the sentence goes on
        breaks.append(k)
    return breaks


def sentences(text, spans=()):
    """Token offsets grouped into sentences."""
    paragraph_tokens = tokens(text, spans)
    result, first = [], 0
    for k in sentence_breaks(text, paragraph_tokens, spans):
        result.append(paragraph_tokens[first : k + 1])
        first = k + 1
    if first < len(paragraph_tokens):
        result.append(paragraph_tokens[first:])
    return result
