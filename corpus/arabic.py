"""Arabic folding for matching and search. Never applied to stored text: offsets count the text as stored.

`fold` maps the spellings that news outlets mix for the same word onto one form, so that
الأميركية matches الامريكية's letters and vocalised text matches bare text. It may change the
length of a string (harakat and tatweel are dropped), so folded strings are compared, never indexed into.
"""

import re
import unicodedata
from functools import lru_cache
from itertools import chain

ALEF_FORMS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا"})
YEH_FORMS = str.maketrans({"ى": "ي", "ی": "ي", "ې": "ي", "ک": "ك"})
DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
TATWEEL = "\u0640"
# Harakat, tanwin, shadda, sukun, superscript alef, Quranic marks.
HARAKAT = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed]")
SPACES = re.compile(r"\s+")


# One table for every character rule: str.translate walks the text once.
_DROPPED = [
    *range(0x0610, 0x061B),
    *range(0x064B, 0x0660),
    0x0670,
    *range(0x06D6, 0x06DD),
    *range(0x06DF, 0x06E9),
    *range(0x06EA, 0x06EE),
    ord(TATWEEL),
]
FOLD_TABLE = {**ALEF_FORMS, **YEH_FORMS, **DIGITS, **dict.fromkeys(_DROPPED)}
FOLD_TABLE_TA = {**FOLD_TABLE, ord("ة"): "ه"}


# str.translate with a dict looks every character up in Python; a substitution that only stops at the
# characters the table changes (a few in a hundred in news text) gives the same string several times faster.
_REPLACEMENTS = {
    chr(code): "" if value is None else chr(value) if isinstance(value, int) else value for code, value in FOLD_TABLE_TA.items()
}
_FOLD_CHARS = re.compile("[" + "".join(re.escape(chr(code)) for code in FOLD_TABLE) + "]")
_FOLD_CHARS_TA = re.compile("[" + "".join(re.escape(chr(code)) for code in FOLD_TABLE_TA) + "]")


def _replacement(match):
    return _REPLACEMENTS[match.group()]


def fold(text, *, ta_marbuta=False):
    """The matching form of `text`: NFC, no harakat or tatweel, one alef, one yeh, ASCII digits, lower-case Latin,
    single spaces. With ta_marbuta=True, ة is read as ه too (مدرسة = مدرسه)."""
    text = (_FOLD_CHARS_TA if ta_marbuta else _FOLD_CHARS).sub(_replacement, unicodedata.normalize("NFC", text))
    return SPACES.sub(" ", text).strip().casefold()


# ---- words, clitics and skeletons, for matching ----------------------------------------------------

# A word: letters, digits and the marks that sit on them (harakat are category Mn, which \w leaves out).
WORD = re.compile(r"[^\W_][\w\u0610-\u061a\u064b-\u065f\u0670\u0640\u06d6-\u06ed]*")

CONJUNCTIONS = ("", "و", "ف")
PREPOSITIONS = ("", "ب", "ك", "ل")
ARTICLE = "ال"
MIN_STEM = 2  # letters left after a clitic is split off


def _prefixes():
    """Every clitic prefix the light split knows, longest first: و ف, then ب ك ل, then ال (ل + ال = لل)."""
    found = set()
    for conjunction in CONJUNCTIONS:
        for preposition in PREPOSITIONS:
            for article in ("", ARTICLE):
                prefix = conjunction + preposition + article
                if preposition == "ل" and article:
                    prefix = conjunction + "لل"
                if prefix:
                    found.add(prefix)
    return sorted(found, key=len, reverse=True)


PREFIXES = _prefixes()


def words(text):
    """[(start, end, word)] of the words of `text`, with code point offsets into it (not folded)."""
    return [(m.start(), m.end(), m.group()) for m in WORD.finditer(text)]


@lru_cache(maxsize=200_000)  # a corpus has a vocabulary, not a new word per token: most calls are repeats
def stems(folded_word):
    """The word and what is left when a clitic prefix is split off (والعراق -> العراق, عراق; بغداد -> بغداد,
    غداد). Light and generous: matching asks whether two words share a form, so an extra form is harmless."""
    forms = {folded_word}
    for prefix in PREFIXES:
        if folded_word.startswith(prefix) and len(folded_word) - len(prefix) >= MIN_STEM:
            forms.add(folded_word[len(prefix) :])
    return frozenset(forms)


def skeleton(folded_word):
    """The word without its inner long vowels (ا و ي after the first letter): الاميركيه and الامريكيه both
    give امركه, so spelling variants such as أميركي / أمريكي meet. Used as a weaker match."""
    if len(folded_word) < 4:
        return folded_word
    return folded_word[0] + "".join(ch for ch in folded_word[1:] if ch not in "اوي")


# Letters for foreign sounds, read as the Arabic letters outlets also write for them: ڤ ڥ (v) ف, پ (p) ب,
# چ (ch) ج, گ (g) غ (as in بنغلاديش, غوغل), ڨ (g) ق, ژ (zh) ز. In matching only (match_forms): fold, which
# near-duplicate fingerprints are built on, keeps them. The other spelling variants are in corpus.spellings.
LOAN_LETTERS = str.maketrans({"ڤ": "ف", "ڥ": "ف", "پ": "ب", "چ": "ج", "گ": "غ", "ڨ": "ق", "ژ": "ز"})
_LOAN_SET = frozenset("ڤڥپچگڨژ")


def loan_fold(folded_word):
    """The word with its loan letters read as Arabic ones: ڤيتنام -> فيتنام, پاكستان -> باكستان."""
    return folded_word if _LOAN_SET.isdisjoint(folded_word) else folded_word.translate(LOAN_LETTERS)


def match_forms(word):
    """(forms, skeletons) of one word as found in text: folded (ta marbuta as ha, loan letters read as
    Arabic ones), with clitics split off."""
    return folded_match_forms(fold(word, ta_marbuta=True))


@lru_cache(maxsize=200_000)
def folded_match_forms(folded_word):
    forms = stems(loan_fold(folded_word))
    return forms, frozenset(skeleton(form) for form in forms)


def folded_words(text):
    """The words of `text` folded (ta marbuta as ha), without offsets: for indexing, where speed counts."""
    return list(chain.from_iterable(map(TOKEN_WORDS.__getitem__, text.split())))


# ---- per-token caches, for indexing whole corpora ---------------------------------------------------
#
# A word never crosses whitespace, and folding works character by character (NFC never joins across a
# space), so the folded words of a text are those of its whitespace-separated tokens, one after the other:
#     WORD.findall(fold(text, ta_marbuta=True)) == [w for token in text.split() for w in TOKEN_WORDS[token]]
# A corpus repeats its tokens (والعراق، العراق ...), so each distinct token is folded and split once and then
# looked up in a dict from C (map(cache.__getitem__, tokens)): the indexes (corpus.search, corpus.duplicates)
# build on these caches. Each cache is emptied when it grows past CACHE_LIMIT entries, so memory stays bounded.

CACHE_LIMIT = 300_000


class TokenCache(dict):
    """{token: compute(token)}, filled on first lookup; emptied when it grows past CACHE_LIMIT entries."""

    def __init__(self, compute):
        super().__init__()
        self.compute = compute

    def __missing__(self, token):
        if len(self) >= CACHE_LIMIT:
            self.clear()
        value = self[token] = self.compute(token)
        return value


TOKEN_WORDS = TokenCache(lambda token: tuple(WORD.findall(fold(token, ta_marbuta=True))))
