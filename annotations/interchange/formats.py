"""The export formats by name: how to stream each, its media type and file extension."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .conll import stream_conll
from .doccano import stream_doccano
from .hamish_json import stream_hamish_json
from .records import article_records
from .w3c import stream_w3c


@dataclass(frozen=True)
class ExportFormat:
    name: str
    title: str
    media_type: str
    extension: str

    def chunks(self, query, *, user=None, on_article=None, stats=None):
        """The export as str chunks; on_article(article id) is called as each article is written."""
        if self.name == "hamish":
            return stream_hamish_json(query, exported_by=user, on_article=on_article)
        records = article_records(query)
        if on_article:
            records = _tap(records, on_article)
        if self.name in ("conll", "anercorp"):
            return stream_conll(records, tagset=self.name, stats=stats)
        if self.name == "doccano":
            return stream_doccano(records)
        return stream_w3c(records)


def _tap(records, callback):
    for record in records:
        callback(record["id"])
        yield record


FORMATS = {
    f.name: f
    for f in [
        ExportFormat("hamish", _("Hamish JSON (everything, exact offsets)"), "application/json", "json"),
        ExportFormat("conll", _("CoNLL / BIO (PER, ORG, LOC, MISC)"), "text/plain", "conll"),
        ExportFormat("anercorp", _("CoNLL / BIO with ANERcorp tags (PERS, ORG, LOC, MISC)"), "text/plain", "conll"),
        ExportFormat("doccano", _("doccano JSONL (sequence labelling)"), "application/jsonl", "jsonl"),
        ExportFormat("w3c", _("W3C Web Annotation (JSON-LD)"), "application/ld+json", "jsonld"),
    ]
}


def export_filename(export_format, query):
    """An ASCII file name made only from ids, the format and the date: nothing a user typed can reach it."""
    scope = query.description.get("articles", "corpus")
    if scope.startswith("article:"):
        scope = "article-" + scope.split(":", 1)[1]
    elif scope.startswith("source:"):
        scope = f"source-{query.articles.values_list('source_id', flat=True).first() or 0}"
    parts = ["hamish", scope]
    if query.description.get("layer") == "curated":
        parts.append("curated")
    elif query.annotator is not None:
        parts.append(f"user-{query.annotator.pk}")
    if query.clean:
        parts.append("clean")
    parts.append(timezone.now().strftime("%Y%m%d-%H%M%S"))
    return "-".join(parts) + "." + export_format.extension
