"""What the pages call the codes the data uses, in the reader's language: the kinds of annotation, and the
default polarities (a polarity an administrator added shows its own name). Lazy: translated when shown."""

from django.utils.translation import gettext_lazy as _

KIND_NAMES = {"span": _("span"), "stance": _("stance"), "boilerplate": _("boilerplate")}
# "mixed" is also what the comparison page calls a holder of more than one position toward a target.
POLARITY_WORDS = {"supports": _("supports"), "opposes": _("opposes"), "neutral": _("neutral"), "mixed": _("mixed")}


def label_name(kind, label, categories=None):
    """A version's label as the reader reads it: a stance's polarity in words, a boilerplate mark's category by
    its display name (from `categories`, {name: display name}, when given), a span's label code as it is."""
    if kind == "stance":
        return POLARITY_WORDS.get(label, label)
    if kind == "boilerplate" and categories:
        return categories.get(label, label)
    return label
