"""Token layouts: the tokens and sentence breaks of paragraphs imported from CoNLL, stored so the export reuses them.

An article imported from a CoNLL file gets a TokenLayout per paragraph (the offsets of the file's tokens in
the paragraph text, whether the file had a blank line after it, and the file's tag scheme). The CoNLL export
writes those tokens, not the tokenizer's, so the file comes back token for token and tag for tag. Written in
the import's transaction; an article matched by content hash keeps a layout it already has.
"""

from ...models import TokenLayout


def stored_layouts(article_ids, chunk=500):
    """{(article id, paragraph position): (boundaries, break_after, scheme)} for these articles."""
    result = {}
    for i in range(0, len(article_ids), chunk):
        rows = TokenLayout.objects.filter(paragraph__article_id__in=article_ids[i : i + chunk]).values_list(
            "paragraph__article_id", "paragraph__position", "boundaries", "break_after", "scheme"
        )
        for article_id, position, boundaries, break_after, scheme in rows:
            result[(article_id, position)] = (boundaries, break_after, scheme)
    return result


def layout_writer(document, layouts, notes):
    """The function import_document calls once the articles are written (in its transaction): it stores
    `layouts` ([(article index, [(boundaries, break_after) per paragraph], scheme)]) and puts `notes` on
    the report."""

    def write(report):
        from corpus.models import Paragraph

        hashes = {document["articles"][index]["content_hash"]: (paragraphs, scheme) for index, paragraphs, scheme in layouts}
        rows = Paragraph.objects.filter(article__content_hash__in=list(hashes)).values_list(
            "pk", "article__content_hash", "position"
        )
        have = set(TokenLayout.objects.filter(paragraph__article__content_hash__in=list(hashes)).values_list("pk", flat=True))
        new = []
        for pk, content, position in rows:
            paragraphs, scheme = hashes[content]
            if pk in have or position >= len(paragraphs):
                continue
            boundaries, break_after = paragraphs[position]
            new.append(TokenLayout(paragraph_id=pk, boundaries=boundaries, break_after=break_after, scheme=scheme))
        TokenLayout.objects.bulk_create(new, batch_size=1000)
        report.counts["token layouts stored"] += len(new)
        report.notes.extend(notes)

    return write
