"""W3C Web Annotation (JSON-LD): each span as an Annotation on its article, found by both a
TextQuoteSelector (the exact text with some context) and a TextPositionSelector (code point offsets
in the article text, as the Web Annotation model counts characters).

Articles are named urn:hamish:article:<content hash>, so the same text has the same name in every
Hamish instance; entities are urn:hamish:entity:<id> of the exporting instance.
"""

import json

from django.utils import timezone

from ..notes import render_note

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
CONTEXT_CHARS = 32  # prefix and suffix length of the quote selector


def annotation(record, span):
    text = record["text"]
    start, end = span["article_start"], span["article_end"]
    body = [{"type": "TextualBody", "purpose": "classifying", "value": span["label"]}]
    if span["entity"]:
        body.append({"type": "SpecificResource", "purpose": "identifying", "source": f"urn:hamish:entity:{span['entity']}"})
    if span.get("note"):
        # Notes are stored as Markdown: the body says text/html, so it carries the note as the app shows it.
        body.append({"type": "TextualBody", "purpose": "commenting", "value": render_note(span["note"]), "format": "text/html"})
    return {
        "id": f"urn:hamish:span:{span['id']}",
        "type": "Annotation",
        "motivation": "classifying",
        "creator": {"type": "Person", "nickname": span["annotator"]},
        "created": span.get("created_at"),
        "modified": span.get("updated_at"),
        "body": body,
        "target": {
            "source": f"urn:hamish:article:{record['content_hash']}",
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": span["text"],
                    "prefix": text[max(0, start - CONTEXT_CHARS) : start],
                    "suffix": text[end : end + CONTEXT_CHARS],
                },
                {"type": "TextPositionSelector", "start": start, "end": end},
            ],
        },
    }


def stream_w3c(records, *, label="Hamish annotations"):
    head = {
        "@context": CONTEXT,
        "id": f"urn:hamish:export:{timezone.now().isoformat()}",
        "type": "AnnotationCollection",
        "label": label,
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ',"first":{"type":"AnnotationPage","startIndex":0,"items":['
    first = True
    for record in records:
        for span in record["spans"]:
            yield ("" if first else ",") + "\n" + json.dumps(annotation(record, span), ensure_ascii=False)
            first = False
    yield "\n]}}\n"
