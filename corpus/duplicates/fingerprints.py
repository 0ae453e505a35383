"""What the near-duplicate pass compares: a paragraph's words, shingles, band keys and line key.

Words are folded (corpus.arabic: hamza and alef forms, ta marbuta, harakat), reduced to their shortest
clitic-free form (والعراق / العراق) and then to their long-vowel skeleton, the weaker form search uses for
spelling variants: الأميركي and الأمريكي both give امرك, so a copy re-spelled by another outlet keeps its
shingles. A shingle is three consecutive words; paragraphs are compared by the Jaccard similarity of
their shingle sets.

A shingle's hash is tabulation hashing over its words: each distinct word gets three random 63-bit keys
once (from BLAKE2b), and the shingle (a, b, c) hashes to first(a) ^ second(b) ^ third(c), computed for a
whole paragraph at C speed. Two different shingles collide with probability 2^-63.

Band keys are one-permutation MinHash: the shingle hashes fall into BANDS bins by their top bits and each
bin's smallest hash is one band (of one row). Two paragraphs with similarity J share a given non-empty bin's
minimum with probability about J, so at J = 0.3 they share at least one of 16 keys with probability about
1 - 0.7^16 = 99.7%; every candidate is then compared exactly. One hash per shingle: as cheap as the
bottom-k sketches this replaces.
"""

import hashlib
from bisect import bisect_left
from functools import lru_cache
from itertools import chain
from operator import itemgetter, xor

from ..arabic import TOKEN_WORDS, TokenCache, fold, skeleton, stems

SHINGLE = 3  # words per shingle
MIN_SHINGLES = 6  # shorter paragraphs (about 8 words) are too short to call copies: captions, links, bylines
MASK = (1 << 63) - 1  # fits a signed 64-bit column
BANDS = 16  # band keys per paragraph (bins of the hash space, by its top 4 bits)
_BIN_SHIFT = 63 - 4
_BIN_STARTS = [b << _BIN_SHIFT for b in range(BANDS + 1)]


def _shortest(forms):
    return min(forms, key=lambda form: (len(form), form))


@lru_cache(maxsize=200_000)  # a word as found in text, folded and reduced once per process
def canonical(word):
    """The word folded, its clitics split off (the shortest form): what the compare view diffs on."""
    return _shortest(stems(fold(word, ta_marbuta=True)))


@lru_cache(maxsize=200_000)
def _skeleton_folded(folded_word):
    return skeleton(_shortest(stems(folded_word)))


TOKEN_SKELETONS = TokenCache(lambda token: tuple(_skeleton_folded(word) for word in TOKEN_WORDS[token]))


def shingle_words(text):
    """The paragraph's words as shingles see them: folded, clitic-free, long-vowel skeletons."""
    return list(chain.from_iterable(map(TOKEN_SKELETONS.__getitem__, text.split())))


def _word_keys(word):
    """A word's three keys: for its place as first, second and third word of a shingle."""
    digest = hashlib.blake2b(word.encode("utf-8"), digest_size=24, person=b"hamish-shingle").digest()
    return tuple(int.from_bytes(digest[i : i + 8], "big") & MASK for i in (0, 8, 16))


WORD_KEYS = TokenCache(_word_keys)
# The keys of each distinct token's words, so a paragraph's keys come from one lookup per token.
TOKEN_KEYS = TokenCache(lambda token: tuple(WORD_KEYS[word] for word in TOKEN_SKELETONS[token]))
_first, _second, _third = itemgetter(0), itemgetter(1), itemgetter(2)


def shingles(text):
    """The paragraph's set of shingle hashes (word 3-grams of its skeleton words)."""
    keys = list(chain.from_iterable(map(TOKEN_KEYS.__getitem__, text.split())))
    if len(keys) < SHINGLE:
        return set()
    return set(map(xor, map(xor, map(_first, keys[:-2]), map(_second, keys[1:-1])), map(_third, keys[2:])))


def band_keys(shingle_set):
    """The smallest shingle hash of each non-empty bin (at most BANDS values)."""
    ordered = sorted(shingle_set)
    keys = []
    for b in range(BANDS):
        i = bisect_left(ordered, _BIN_STARTS[b])
        if i < len(ordered) and ordered[i] < _BIN_STARTS[b + 1]:
            keys.append(ordered[i])
    return keys


def line_key(text):
    """A 63-bit key of the paragraph's skeleton words in order (never 0: OutletLine keeps key 0 for the
    outlet's article count). Lines that differ only in spelling, punctuation or clitics share it."""
    digest = hashlib.blake2b(" ".join(shingle_words(text)).encode("utf-8"), digest_size=8, person=b"hamish-line").digest()
    return (int.from_bytes(digest, "big") & MASK) or 1


def jaccard(a, b):
    return len(a & b) / len(a | b) if a and b else 0.0
