"""The curated vocabulary every reading view needs: labels, boilerplate categories and the entity index.

Admins change it rarely; every page load and every write response reads it. Each server process keeps
one copy, tagged with the Revision token it read first, and loads a new one when the token differs
(signals bump the token on every change: annotations/signals.py). The objects are shared between
requests: read them, never change them.
"""

from .models import BoilerplateCategory, Label, Revision


class Vocabulary:
    def __init__(self):
        self.labels = {label.pk: label for label in Label.objects.all()}  # retired ones too: old spans keep theirs
        self.categories = list(BoilerplateCategory.objects.active())
        self._entity_index = None

    @property
    def active_labels(self):
        return sorted(
            (label for label in self.labels.values() if label.is_active), key=lambda label: (label.position, label.name)
        )

    @property
    def entity_index(self):
        """Built on first use: pages that suggest nothing never pay for it."""
        if self._entity_index is None:
            from .suggestions import EntityIndex

            self._entity_index = EntityIndex.load()
        return self._entity_index


_cached = (None, None)  # (token, Vocabulary) of this process


def current():
    global _cached
    token = Revision.current(Revision.VOCABULARY)  # read before the rows: a change after this shows as a new token
    cached_token, vocabulary = _cached
    if vocabulary is None or cached_token != token:
        vocabulary = Vocabulary()
        _cached = (token, vocabulary)
    return vocabulary
