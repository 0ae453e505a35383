"""doccano JSONL (sequence labelling): one article per line, {"text": ..., "label": [[start, end, "LABEL"], ...]}.

Offsets are code points of the article text (paragraphs joined by a newline), end exclusive: the
indices doccano's Python side uses. Export adds title, source, url and content_hash, which doccano
keeps as metadata; import reads them back when present. Import splits the text into paragraphs at
newlines (dropping blank lines and surrounding whitespace, with offsets moved to match); a label
that crosses a newline is refused, as Hamish spans stay inside one paragraph.
"""

import json
import unicodedata

from django.utils.translation import gettext as _

from . import reading
from .hamish_json import spans_document


def stream_doccano(records):
    for record in records:
        line = {
            "id": record["id"],
            "text": record["text"],
            "label": [[span["article_start"], span["article_end"], span["label"]] for span in record["spans"]],
            "title": record["title"],
            "source": record["source"]["name"],
            "url": record["url"],
            "content_hash": record["content_hash"],
        }
        yield json.dumps(line, ensure_ascii=False) + "\n"


class DoccanoError(ValueError):
    pass


def _paragraphs(text):
    """[(start in the doccano text, NFC paragraph, the raw stripped line)] for the non-blank lines."""
    result, position = [], 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            result.append((position + (len(line) - len(line.lstrip())), unicodedata.normalize("NFC", stripped), stripped))
        position += len(line) + 1
    return result


def doccano_to_document(data, *, annotator, source_name, filename="", first_line=1):
    """A Hamish JSON document (for loading.import_document) from doccano JSONL bytes. `first_line` is the
    number problems give the first line (a caller reading a file line by line passes each line's own)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DoccanoError(_("The file is not UTF-8 text.")) from None
    articles = []
    for number, raw in enumerate(text.splitlines(), start=first_line):
        if not raw.strip():
            continue
        try:
            line = reading.loads(raw)
        except json.JSONDecodeError as exc:
            raise DoccanoError(
                _("Line %(line)s is not valid JSON: %(problem)s.") % {"line": number, "problem": exc.msg}
            ) from None
        except reading.UnsafeJson as exc:
            raise DoccanoError(_("Line %(line)s: %(problem)s") % {"line": number, "problem": exc.problems[0]}) from None
        if not isinstance(line, dict) or not isinstance(line.get("text"), str):
            raise DoccanoError(_('Line %(line)s has no "text".') % {"line": number})
        pieces = _paragraphs(line["text"])
        if not pieces:
            raise DoccanoError(_("Line %(line)s: the text is empty.") % {"line": number})
        annotations = line.get("label", line.get("labels", []))
        if not isinstance(annotations, list):
            raise DoccanoError(_('Line %(line)s: "label" must be a list of [start, end, "LABEL"].') % {"line": number})
        spans = []
        for item in annotations:
            if not (
                isinstance(item, list)
                and len(item) >= 3
                and all(isinstance(v, int) for v in item[:2])
                and isinstance(item[2], str)
            ):
                raise DoccanoError(
                    _('Line %(line)s: each label must be [start, end, "LABEL"], found %(found)s.')
                    % {"line": number, "found": str(item)[:60]}
                )
            start, end, name = item[0], item[1], item[2]
            if not 0 <= start < end <= len(line["text"]):
                raise DoccanoError(
                    _("Line %(line)s: label %(start)s-%(end)s is outside the text.")
                    % {"line": number, "start": start, "end": end}
                )
            for index, (base, paragraph, raw_paragraph) in enumerate(pieces):
                if base <= start and end <= base + len(raw_paragraph):
                    # Offsets in the NFC paragraph: the NFC length of what precedes each end.
                    a = len(unicodedata.normalize("NFC", raw_paragraph[: start - base]))
                    b = len(unicodedata.normalize("NFC", raw_paragraph[: end - base]))
                    quote = unicodedata.normalize("NFC", raw_paragraph[start - base : end - base])
                    if paragraph[a:b] != quote or not quote.strip():
                        raise DoccanoError(
                            _("Line %(line)s: label %(start)s-%(end)s cuts a character apart or covers only spaces.")
                            % {"line": number, "start": start, "end": end}
                        )
                    spans.append((index, a, b, name))
                    break
            else:
                raise DoccanoError(
                    _(
                        "Line %(line)s: label %(start)s-%(end)s crosses a line break or covers only blank space; "
                        "Hamish spans stay in one paragraph."
                    )
                    % {"line": number, "start": start, "end": end}
                )
        meta = line.get("meta") if isinstance(line.get("meta"), dict) else {}
        value = lambda key, line=line, meta=meta: str(line.get(key) or meta.get(key) or "")  # noqa: E731
        articles.append(
            {
                "texts": [paragraph for _base, paragraph, _raw in pieces],
                "spans": spans,
                "filename": filename,
                "source_name": value("source")[:200] or source_name,
                "title": value("title")[:1000],
                "url": value("url")[:2000],
            }
        )
    if not articles:
        raise DoccanoError(_("The file holds no lines of text."))
    return spans_document(articles, annotator=annotator)
