"""The audit trail of an import: one 'imported' AnnotationEvent per annotation the import wrote.

`after` is the annotation's snapshot as history.snapshot takes it, plus {"imported_from": file name}; the
actor is the importing account. Events are written with bulk_create, an article's at a time. Stance
snapshots are built from the evidence in hand (history's StanceKind reads it back, a query per stance) in
the same shape: its fields, version, and evidence as [paragraph id, start, end, text] sorted.
"""

from ..history import KINDS, snapshot
from ..models import AnnotationEvent

FILE_NAME_MAX = 255


def stance_snapshot(stance, passages):
    """history.snapshot(stance), from `passages` [(paragraph id, start, end, text)] instead of a query."""
    data = {**{field: getattr(stance, field) for field in KINDS["stance"].fields}, "version": stance.version}
    data["evidence"] = [list(passage) for passage in sorted(passages, key=lambda p: p[:3])]
    return data


class ImportTrail:
    """Collects the events of one import; `write()` stores those collected so far."""

    def __init__(self, actor, filename):
        self.actor, self.imported_from, self.pending = actor, (filename or "")[-FILE_NAME_MAX:], []

    def _add(self, kind, obj, paragraph_id, after, before=None):
        self.pending.append(
            AnnotationEvent(
                actor=self.actor,
                action=AnnotationEvent.IMPORTED,
                kind=kind,
                object_id=obj.pk,
                paragraph_id=paragraph_id,
                before=before,
                after={**after, "imported_from": self.imported_from},
            )
        )

    def span(self, span):
        self._add("span", span, span.paragraph_id, snapshot(span))

    def mark(self, mark, before=None):
        """A mark the import created, or (with the snapshot from before) whose category it changed."""
        self._add("boilerplate", mark, mark.paragraph_id, snapshot(mark), before)

    def stance(self, stance, passages):
        self._add("stance", stance, passages[0][0], stance_snapshot(stance, passages))

    def write(self):
        AnnotationEvent.objects.bulk_create(self.pending, batch_size=500)
        written, self.pending = len(self.pending), []
        return written
