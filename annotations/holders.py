"""Guessing a stance's holder from the mentions around its evidence (a preselection the analyst confirms).

News Arabic reports speech as verb, speaker, then the addressee behind a preposition and the quote:
قال أوستن للعباسي إن «…», أكدت الخارجية لـ«الحرة» أن …, أبلغ الوزير إلى نظيره أن …. The speaker is the first
mention after the nearest speech verb before the evidence that no preposition governs; a mention behind
لـ / ل / إلى / مع / عن ... is the one spoken to or about, never the holder. Offsets are code points.
"""

import re

from corpus.arabic import fold

HOLDER_LABELS = ("PER", "ORG")

# Speech and stance verbs, folded (one alef, no harakat), in the past and present forms news uses.
SPEECH_VERBS = frozenset(
    fold(verb)
    for verb in (
        "قال يقول أكد يؤكد أبلغ يبلغ أعلن يعلن صرح يصرح أضاف يضيف أوضح يوضح أشار يشير ذكر يذكر شدد يشدد "
        "اعتبر يعتبر رأى يرى أفاد يفيد نفى ينفي حذر يحذر كشف يكشف أعرب يعرب لفت يلفت تابع يتابع زعم يزعم "
        "وصف يصف طالب يطالب دعا يدعو أبدى يبدي"
    ).split()
)
# Endings of the subject on the verb: قالت، قالوا، قالا، تقول (ت- prefix of the present is a separate form).
VERB_SUFFIXES = ("", "ت", "وا", "ا")
VERB_PREFIXES = ("", "و", "ف")
# Words after which a mention is governed (spoken to, with, about, on behalf of): never the speaker.
GOVERNING_WORDS = frozenset(fold(w) for w in "إلى الى ل لـ مع عن على ضد حول بشأن تجاه نحو باسم أمام بحق".split())
# ... except after these, where لـ names the source: وفقًا لأوستن، طبقًا للوزارة.
SOURCE_WORDS = frozenset(fold(w) for w in "وفقا وفقًا طبقا طبقًا تبعا".split())
# Verbs that relay someone's words, whose عن names the speaker: نقلت رويترز عن أوستن قوله إن ...
RELAY_VERBS = frozenset(fold(verb) for verb in "نقل ينقل روى يروي أورد يورد".split())
WORD = re.compile(r"[\w\u0640\u064b-\u065f\u0670]+")


def is_speech_verb(word, verbs=SPEECH_VERBS):
    folded = fold(word)
    for prefix in VERB_PREFIXES:
        if prefix and not folded.startswith(prefix):
            continue
        rest = folded[len(prefix) :]
        if rest.startswith("ت") and len(rest) > 3 and "ي" + rest[1:] in verbs:
            return True  # تقول، تؤكد: the feminine present
        for suffix in VERB_SUFFIXES:
            if suffix and not rest.endswith(suffix):
                continue
            if rest[: len(rest) - len(suffix)] in verbs:
                return True
    return False


def last_speech_verb_end(text, start, verbs=SPEECH_VERBS):
    """The code point offset where the last speech (or `verbs`) verb before `start` ends, or None."""
    ends = [m.end() for m in WORD.finditer(text, 0, start) if is_speech_verb(m.group(), verbs)]
    return ends[-1] if ends else None


def word_before(span, text):
    """The folded word before the mention's word (the one its attached prefix, if any, belongs to), or ''."""
    word_start = span.start
    while word_start > 0 and not text[word_start - 1].isspace():
        word_start -= 1
    previous = WORD.findall(text, 0, word_start)
    return fold(previous[-1]) if previous else ""


def is_governed(span, text):
    """True if a preposition governs the mention: attached (للعباسي, لـ«الحرة», ولأوستن) or as the word before
    it (إلى العباسي, مع أوستن, باسم البنتاغون)."""
    word_start = span.start
    while word_start > 0 and not text[word_start - 1].isspace():
        word_start -= 1
    attached = fold(text[word_start : span.start]).strip("«\"'(“")
    previous = word_before(span, text)
    if previous in SOURCE_WORDS or (previous[:1] in ("و", "ف") and previous[1:] in SOURCE_WORDS):
        return False  # وفقًا لأوستن: the source, not someone spoken to
    if attached.endswith("ل"):
        return True
    quoted = fold(span.text)
    if quoted.startswith(("لل", "ل«")) or span.text.startswith("لـ"):
        return True  # the analyst tagged the prefix with the name
    if span.entity_id and quoted.startswith("ل") and fold(span.entity.name) in (quoted[1:], "ا" + quoted[1:]):
        return True  # لأوستن tagged whole and linked to أوستن
    previous = WORD.findall(text, 0, word_start)
    return bool(previous) and fold(previous[-1]) in GOVERNING_WORDS


def guess_holder_span(spans, paragraph, start):
    """The mention to preselect as holder of evidence starting at `start` in `paragraph`, or None.

    The mention after عن when a relaying verb reports the words (نقلت رويترز عن أوستن); else the first ungoverned
    person or organisation after the nearest speech verb before the evidence
    (قال أوستن للعباسي إن → أوستن); if the speaker comes before the verb (أوستن قال ...), the last one before
    it; with no speech verb, the last ungoverned mention before the evidence; else the first one inside it."""
    text = paragraph.text
    candidates = sorted(
        (s for s in spans if s.paragraph_id == paragraph.pk and s.label.name in HOLDER_LABELS), key=lambda s: s.start
    )
    verb_end = last_speech_verb_end(text, start)
    relay_end = last_speech_verb_end(text, start, RELAY_VERBS)
    if relay_end is not None and (verb_end is None or relay_end >= verb_end):
        relayed = [s for s in candidates if relay_end <= s.start and s.end <= start and word_before(s, text) == "عن"]
        if relayed:
            return relayed[0]  # نقلت رويترز عن أوستن: أوستن
    before = [s for s in candidates if s.end <= start and not is_governed(s, text)]
    if verb_end is not None:
        after_verb = [s for s in before if s.start >= verb_end]
        if after_verb:
            return after_verb[0]
    if before:
        return before[-1]
    return next((s for s in candidates if s.start >= start), None)


def likely_holder(spans, paragraph, start):
    """The stance form's holder value ('entity:12' or 'span:7') for the guess, or ''."""
    chosen = guess_holder_span(spans, paragraph, start)
    if chosen is None:
        return ""
    return f"entity:{chosen.entity_id}" if chosen.entity_id else f"span:{chosen.pk}"
