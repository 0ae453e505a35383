"""Spelling variants that letter-by-letter folding (corpus.arabic.fold) does not meet, for search and suggestions.

Three kinds, each applied to words already folded (fold(word, ta_marbuta=True)):

- Loan letters: ڤ ڥ (v), پ (p), چ (ch), گ (g), ڨ (Maghrebi g), ژ (zh) are read as the Arabic letters outlets also
  write for those sounds (ف ب ج غ ق ز), always: no Arabic word is spelled with them. (Not part of fold itself:
  near-duplicate fingerprints are built on fold and stay as they were.)
- Compound names written joined or apart: عبدالعزيز / عبد العزيز, أبوظبي / أبو ظبي, نورالدين / نور الدين.
  compound_parts splits a joined word into its two words; joined_terms joins two adjacent words. The search
  index holds both shapes, so either spelling finds the other.
- The foreign g written ج غ ك or ق (بنجلاديش / بنغلاديش, البنتاغون / البنتاجون, الكونغرس / الكونجرس). Folding
  those four letters together everywhere would merge ordinary words (قلب كلب جلب غلب, سجن سكن), so it is a
  weaker match, ranked below the others, and only for words that look like names: at least VARIANT_LETTERS
  letters without a conjunction or article, and none of their forms in COMMON_WORDS (frequent words of news text
  that have such a double; bench/spellings.py measures what is left).
"""

from functools import lru_cache

from .arabic import PREFIXES, loan_fold, stems

# Loan letters: corpus.arabic.LOAN_LETTERS and loan_fold (match_forms applies them).

# ---- compound names -----------------------------------------------------------------------------------

HEADS = ("عبد", "ابو")  # first words that outlets join to the next: عبدالله, ابوظبي
TAILS = ("الدين", "الله")  # second words joined to the one before: نورالدين, نصرالله
MIN_PART = 3  # letters on the other side of a head (ابواب is not ابو + اب) ...
MIN_TAIL_HEAD = 2  # ... and before a tail (بالله is ب + الله: a clitic, not a name)
HEAD_WORDS = frozenset(HEADS)
TAIL_WORDS = frozenset(TAILS)


@lru_cache(maxsize=100_000)
def compound_parts(folded_word):
    """(first, second) when `folded_word` is a compound name written joined (عبدالعزيز -> عبد, العزيز;
    ابوظبي -> ابو, ظبي; نورالدين -> نور, الدين), else None. A clitic before it is not split here: the caller
    asks for each of the word's stems (لعبدالعزيز has the stem عبدالعزيز)."""
    for head in HEADS:
        if folded_word.startswith(head) and len(folded_word) - len(head) >= MIN_PART:
            return head, folded_word[len(head) :]
    for tail in TAILS:
        if folded_word.endswith(tail):
            first = folded_word[: -len(tail)]
            if len(first) >= MIN_TAIL_HEAD and first not in _CLITICS and first not in HEAD_WORDS:
                return first, tail
    return None


def _clitic_sequences():
    return frozenset(PREFIXES) | {p[:-1] for p in PREFIXES if p.endswith("ل")}  # وب, ول, فب ...


_CLITICS = _clitic_sequences()


def split_forms(forms):
    """The words a joined compound among `forms` (a word's stems) stands for, each with its stems:
    {عبدالعزيز, لعبدالعزيز} gives {عبد, العزيز, عزيز}. Empty for other words."""
    found = set()
    for form in forms:
        parts = compound_parts(form)
        if parts:
            found.update(stems(parts[0]))
            found.update(stems(parts[1]))
    return found


# A head with a clitic in front (وعبد, لابو ...) and the tails: the words joined_terms pairs with a neighbour.
HEAD_TOKENS = frozenset(prefix + head for head in HEADS for prefix in ("", "و", "ف", "ب", "ل", "ك", "وب", "ول", "فب", "فل", "وك"))
JOINING_WORDS = HEAD_TOKENS | TAIL_WORDS


def joined_terms(folded_words):
    """The joined spelling of each compound written apart in this run of folded words: عبد العزيز gives
    عبدالعزيز (and لعبد العزيز too: the head may carry a clitic), نور الدين gives نورالدين. Looks only
    around the words in JOINING_WORDS: most paragraphs have none, and it is called for every one indexed."""
    terms, last = [], len(folded_words) - 1
    for i in [i for i, word in enumerate(folded_words) if word in JOINING_WORDS]:
        word = folded_words[i]
        if word in TAIL_WORDS and i > 0:
            before = stems(loan_fold(folded_words[i - 1]))
            terms.extend(form + word for form in before if len(form) >= MIN_TAIL_HEAD and form not in _CLITICS)
        if word in HEAD_TOKENS and i < last and len(folded_words[i + 1]) >= MIN_PART:
            after = loan_fold(folded_words[i + 1])
            terms.extend(head + after for head in HEADS if head in stems(word))
    return terms


# ---- patronymic chains ---------------------------------------------------------------------------------

PATRONYMIC = frozenset({"بن", "ابن", "بنت"})  # يوسف بن سليمان: سليمان is the father, not يوسف


# ---- the foreign g ----------------------------------------------------------------------------------------

G_LETTERS = "جغكق"
G_KEY = "ڨ"  # stands for any of them in a variant key; loan_fold turns the letter itself into ق, so a key
# never equals a folded word
_G_TABLE = str.maketrans(dict.fromkeys(G_LETTERS, G_KEY))
# On the labelled set of bench/spellings.py, 5 letters let 7 of its 14 unlisted pairs of ordinary words meet
# (تقليد / تجليد, كتيبة / قتيبة ...) and 6 let 2 (البرتغال / البرتقال, اقتراح / اجتراح), for 2 of 15 names lost
# (الكونغو, غينيا when spelled with گ).
VARIANT_LETTERS = 6

# Frequent words of Arabic news with a g-letter and VARIANT_LETTERS letters or more (folded, ta marbuta as ha,
# clitics off) that have, or nearly have, a double under the g key: قانون / كانون, غالبا / قالبا ...
# Their forms get no variant key, so they only ever match as spelled.
COMMON_WORDS = frozenset(
    """
    قانون قانوني قانونيه قوانين كانون كوانين قريبا غريبا قريبه غريبه قريبين غريبين غرامه كرامه قادره غادره
    قادرين غادرين غالبا قالبا غالبيه غالبيته جريمه جرائم جرايم كريمه كرائم مقرره مكرره مقررات مكررات يقولون يجولون
    تقولون تجولون سيقرر سيكرر يقررون يكررون قررت كررت جمعيه جمعيات اجتماع اجتماعات اجتماعي اجتماعيه
    شرقيه شركيه شركات شركه شرقيين اقتصاد اقتصادي اقتصاديه حكومه حكومي حكوميه حكومات عسكري عسكريه عسكريين
    مكافحه مشاركه مشاركت مجموعه مجموعات مجتمع مجتمعات قاهره جامعه جامعات جامعي جديده جديدا قديمه قديما
    قرارات قرارا غرارا قيادي قياده قيادات مقاتلين مقاتلون كبيره كبيرا اكبرت تقرير تقارير تقريبا مجلسه غربيه
    غربيين جنوبيه جنوبي شمالي كلمته كلمات قطاعات قطاع مناطق منطقه كويت كويتي كويتيه خارجيه داخليه
    جمهوريه جمهور مؤتمر مؤتمرات تجاره تجاري قطريه قطري جزائر جزائري مغرب مغربي مغربيه اغلبيه اقليه
    اقليم اقليمي اقليميه قرابه غرابه قرائن غرائب قضايا قضيه قضاء قاضي قوانينه قائمه قايمه قائمين قيامه
    كيانات مراقبه مراقبين مقابل مقابله مقابلات متقاعد متقاعدين قاعده قواعد جماعه جماعات جماعي
    تشكيل تشكيله تشكيلات تشغيل تشغيله تفجير تفجيرات تفجيري تفكير مجالات مقالات تفريغ تفريق اغلاق اقلاق
    مغربي مقربين مغربيه مقربه
    """.split()
)


def variant_key(form):
    """The g key of one folded form: the form with ج غ ك ق as G_KEY (البنتاجون and البنتاغون share one).
    Not of its skeleton: on the SaudiNewsNet sample, skeleton keys met 54 pairs of different words that
    nothing else joined (تجارب / تغريب, المواقع / الموجوع), form keys 10, at 5 letters (bench/spellings.py)."""
    return form.translate(_G_TABLE)


def _core(forms):
    """The word without a conjunction or article (والبنتاجون: بنتاجون), keeping a ب ك ل that may be its own
    letter (كينيا, لندن): what VARIANT_LETTERS counts."""
    core = max(forms, key=len)
    for prefix in ("و", "ف", "ال"):
        if core.startswith(prefix) and core[len(prefix) :] in forms:
            core = core[len(prefix) :]
    return core


@lru_cache(maxsize=200_000)
def variant_keys(forms):
    """The g keys of a word given its stems (a frozenset), or an empty set when the word is too short or too
    common to be matched that way. Only forms holding one of the four letters have a key."""
    if not any(letter in form for form in forms for letter in G_LETTERS):
        return frozenset()
    if len(_core(forms)) < VARIANT_LETTERS or not COMMON_WORDS.isdisjoint(forms):
        return frozenset()
    return frozenset(variant_key(form) for form in forms if any(letter in form for letter in G_LETTERS))
