"""Arabic-Indic digits (٠١٢٣٤٥٦٧٨٩) in the interface, for analysts who ask for them.

The middleware records the preference for the request; the `numerals` template filter (and
`localize_digits` in Python) applies it to counts, dates and page numbers of the chrome. Never apply
it to article text, offsets, identifiers or anything a person might copy back into a form."""

from contextvars import ContextVar

from django.utils.translation import get_language

arabic_digits_wanted = ContextVar("arabic_digits_wanted", default=False)

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def active():
    """Whether digits are to be written Arabic-Indic now: asked for, and the interface is Arabic."""
    return arabic_digits_wanted.get() and (get_language() or "").split("-")[0] == "ar"


def localize_digits(value):
    text = str(value)
    return text.translate(ARABIC_INDIC) if active() else text
