"""Which words two versions of a paragraph share, in order, at a cost bounded whatever the text.

Words are compared by their canonical form (corpus.duplicates.canonical: folded, clitics split off), so
والعراق and العراق are the same word. difflib's SequenceMatcher with autojunk off took 11.7 s on two
67 KB near-duplicates, and minutes on repetitive text (its work grows with how often words repeat). Here:

- only the first MAX_WORDS words (within MAX_CHARS characters) of each version are compared; `Compared.cut`
  tells the caller to say that the rest was not;
- the common beginning and end are matched word by word;
- the middle is a longest common subsequence by Hunt-Szymanski over the pairs of equal words (i in one
  version, j in the other): O((n + r) log n) for r pairs. Natural text of 3,000 words has some 100,000 pairs.
  Where r passes MAX_PAIRS (repetitive text: و a thousand times in each), the words with the most pairs are
  left out of the subsequence until it fits, then equal runs around every matched word are taken back, which
  recovers most of them (a left-out في next to matched words is matched too).
"""

from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass

from .arabic import WORD
from .duplicates import canonical

MAX_WORDS = 3_000  # words of each version compared
MAX_CHARS = 40_000  # characters of each version compared (a few very long "words" must not pass the cap)
MAX_PAIRS = 150_000  # pairs of equal words the subsequence is computed over


@dataclass(frozen=True)
class Compared:
    words_a: list  # [(start, end, word)]: the compared words of the first version, code point offsets
    words_b: list
    pairs: dict  # {index in words_a: index in words_b} of the words both share, in order
    end_a: int  # where the compared stretch of each version ends (its length when all of it was compared)
    end_b: int
    cut_a: bool  # words after end_a were not compared
    cut_b: bool
    exact: bool  # False: the texts were too repetitive for a longest subsequence (MAX_PAIRS), this one is shorter

    @property
    def cut(self):
        return self.cut_a or self.cut_b


def compare(text_a, text_b):
    words_a, end_a, cut_a = leading_words(text_a)
    words_b, end_b, cut_b = leading_words(text_b)
    pairs, exact = common_words([canonical(w) for *_x, w in words_a], [canonical(w) for *_x, w in words_b])
    return Compared(words_a, words_b, pairs, end_a, end_b, cut_a, cut_b, exact)


def leading_words(text, *, max_words=MAX_WORDS, max_chars=MAX_CHARS):
    """([(start, end, word)] of the first words of `text`, where the compared stretch ends, whether words
    follow it). Reads no further than max_chars: a 5 MB paragraph costs no more than a 40 KB one."""
    found = []
    for match in WORD.finditer(text, 0, max_chars):
        if len(found) == max_words:
            break
        if match.end() == max_chars < len(text):
            break  # the word may go on past the limit: not compared
        found.append((match.start(), match.end(), match.group()))
    if len(found) < max_words and len(text) <= max_chars:
        return found, len(text), False
    end = found[-1][1] if found else 0
    return found, end, WORD.search(text, end) is not None


def common_words(a, b, *, max_pairs=MAX_PAIRS):
    """({i: j}, exact): a common subsequence of the lists a and b as index pairs, and whether it is a longest
    one (it is unless their equal words make more than max_pairs pairs)."""
    pairs, start, exact = {}, 0, True
    while start < len(a) and start < len(b) and a[start] == b[start]:
        pairs[start] = start
        start += 1
    end_a, end_b = len(a), len(b)
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a, end_b = end_a - 1, end_b - 1
        pairs[end_a] = end_b
    if start < end_a and start < end_b:
        middle, exact = _middle(a, b, start, end_a, start, end_b, max_pairs)
        pairs.update(middle)
    return dict(sorted(pairs.items())), exact


def _middle(a, b, a_start, a_end, b_start, b_end, max_pairs):
    positions = {}
    for j in range(b_start, b_end):
        positions.setdefault(b[j], []).append(j)
    counts = Counter(a[a_start:a_end])
    pair_counts = {word: n * len(positions[word]) for word, n in counts.items() if word in positions}
    total, left_out = sum(pair_counts.values()), set()
    for word in sorted(pair_counts, key=pair_counts.get, reverse=True):
        if total <= max_pairs:
            break
        left_out.add(word)
        total -= pair_counts[word]
    # Hunt-Szymanski: tails[k] is the smallest j ending a common subsequence of length k + 1 so far; links[k]
    # its last pair, chained to the one before. Each i takes its j from the highest down, so one i extends once.
    tails, links = [], []
    for i in range(a_start, a_end):
        word = a[i]
        if word in left_out or word not in positions:
            continue
        for j in reversed(positions[word]):
            k = bisect_left(tails, j)
            if k == len(tails):
                tails.append(j)
                links.append((i, j, links[k - 1] if k else None))
            elif j < tails[k]:
                tails[k] = j
                links[k] = (i, j, links[k - 1] if k else None)
    found, node = {}, links[-1] if links else None
    while node is not None:
        found[node[0]] = node[1]
        node = node[2]
    if left_out:
        _extend_runs(a, b, found, a_start, a_end, b_start, b_end)
    return found, not left_out


def _extend_runs(a, b, found, a_start, a_end, b_start, b_end):
    """Match the equal words next to each matched pair (and the middle's ends), up to the next matched pair."""
    anchors = [(a_start - 1, b_start - 1), *sorted(found.items()), (a_end, b_end)]
    for (i, j), (next_i, next_j) in zip(anchors, anchors[1:]):
        i, j = i + 1, j + 1
        while i < next_i and j < next_j and a[i] == b[j]:
            found[i] = j
            i, j = i + 1, j + 1
        last_i, last_j = next_i - 1, next_j - 1
        while last_i >= i and last_j >= j and a[last_i] == b[last_j]:
            found[last_i] = last_j
            last_i, last_j = last_i - 1, last_j - 1
