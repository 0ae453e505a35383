"""Arabic folding for matching and search. Never applied to stored text: offsets count the text as stored.

`fold` maps the spellings that news outlets mix for the same word onto one form, so that
الأميركية matches الامريكية's letters and vocalised text matches bare text. It may change the
length of a string (harakat and tatweel are dropped), so folded strings are compared, never indexed into.
"""

import re
import unicodedata

ALEF_FORMS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا"})
YEH_FORMS = str.maketrans({"ى": "ي", "ی": "ي", "ې": "ي", "ک": "ك"})
DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
TATWEEL = "\u0640"
# Harakat, tanwin, shadda, sukun, superscript alef, Quranic marks.
HARAKAT = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed]")
SPACES = re.compile(r"\s+")


def fold(text, *, ta_marbuta=False):
    """The matching form of `text`: NFC, no harakat or tatweel, one alef, one yeh, ASCII digits, lower-case Latin,
    single spaces. With ta_marbuta=True, ة is read as ه too (مدرسة = مدرسه)."""
    text = unicodedata.normalize("NFC", text)
    text = HARAKAT.sub("", text).replace(TATWEEL, "")
    text = text.translate(ALEF_FORMS).translate(YEH_FORMS).translate(DIGITS)
    if ta_marbuta:
        text = text.replace("ة", "ه")
    return SPACES.sub(" ", text).strip().casefold()
