"""A read CoNLL file as a Hamish JSON document: an article per -DOCSTART- document, a paragraph per sentence.

A paragraph's text is its tokens joined by one space; each entity (a token that begins one and those that
continue it) becomes a span over its tokens. The tokens themselves are kept as the paragraph's token layout.
"""

from ..hamish_json import spans_document


def conll_to_document(reading, *, annotator, source_name, filename=""):
    """(document, layouts) from a Reading: the document for loading.import_document, the layouts for
    layouts.layout_writer."""
    articles, layouts = [], []
    for number, conll_document in enumerate(reading.documents):
        texts, spans, paragraphs = [], [], []
        for index, sentence in enumerate(conll_document.sentences):
            boundaries = sentence.boundaries()
            run = None  # [label, start, end] of the entity being read
            for k, token in enumerate(sentence.tokens):
                start, end = boundaries[2 * k], boundaries[2 * k + 1]
                if run and (token.label is None or token.begins or token.label != run[0]):
                    spans.append((index, run[1], run[2], run[0]))
                    run = None
                if token.label is not None:
                    if run is None:
                        run = [token.label, start, end]
                    else:
                        run[2] = end
            if run:
                spans.append((index, run[1], run[2], run[0]))
            texts.append(sentence.text)
            paragraphs.append((boundaries, sentence.break_after))
        articles.append({"texts": texts, "spans": spans, "source_name": source_name, "filename": filename})
        layouts.append((number, paragraphs, reading.scheme))
    return spans_document(articles, annotator=annotator), layouts
