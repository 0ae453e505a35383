# Labels, spans, canonical entities, stances and boilerplate marks arrive with
# the annotation issues; they all hang off corpus.Paragraph.
