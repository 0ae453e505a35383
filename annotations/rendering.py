"""Paragraph text with its spans and stance evidence, as HTML segments.

Spans may nest and overlap, which nested elements cannot express, so the text
is cut at every span boundary into segments; each segment lists the spans that
cover it (outermost first) and gets one colour band per covering span. The
segments are plain inline <span>s with no padding or margin, so Arabic letters
stay joined across highlight boundaries.
"""

from html import escape

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

MAX_LAYERS = 4  # bands drawn per segment; deeper spans are still listed in data-spans
SPAN, EVIDENCE, SUGGESTION = "span", "evidence", "suggestion"


def segments(text, spans):
    """[(start, end, [covering spans, outermost first])] covering the whole text, in order."""
    ordered = sorted(spans, key=lambda s: (s.start, -s.end, s.pk or 0))
    boundaries = sorted({0, len(text), *(s.start for s in ordered), *(s.end for s in ordered)})
    result, active, next_span = [], [], 0
    for left, right in zip(boundaries, boundaries[1:]):
        active = [s for s in active if s.end > left]
        while next_span < len(ordered) and ordered[next_span].start <= left:
            if ordered[next_span].end > left:
                active.append(ordered[next_span])
            next_span += 1
        result.append((left, right, list(active)))
    return result


def paragraph_html(text, spans, evidence=(), suggestions=(), *, annotators=None):
    """The paragraph's inner HTML. Text is escaped; class names come from validated label names.

    With `annotators` ({author id: (colour mark 1-8, name)}: everyone's spans are shown), each band also
    carries its author's mark (a{layer}-{mark}: a thin line of the annotator's colour under the label's band)
    and the title names whose span each band is, so two analysts' identical spans do not read as nesting.

    Spans draw colour bands; stance evidence (objects with a .stance_id) is underlined, and its segments
    carry data-stances so that a click can open the stance; suggestions (objects with a .reason) get a
    dashed outline and data-suggestions (their keys).
    """
    # Words of the highlights' titles (shown on hover, and reader.js says a suggestion's), translated once.
    evidence_word, suggested_words = _("stance evidence"), _("suggested %(label)s: %(reason)s")
    kinds = {id(item): SPAN for item in spans}
    kinds.update((id(item), EVIDENCE) for item in evidence)
    kinds.update((id(item), SUGGESTION) for item in suggestions)
    parts = []
    for left, right, covering in segments(text, [*spans, *evidence, *suggestions]):
        # The stdlib's escape, which Django's wraps: the same output without a lazy wrapper per segment.
        piece = escape(text[left:right])
        if not covering:
            parts.append(piece)
            continue
        covering_spans, stance_ids, suggested = [], [], []
        for item in covering:
            kind = kinds[id(item)]
            if kind is SPAN:
                covering_spans.append(item)
            elif kind is EVIDENCE:
                if str(item.stance_id) not in stance_ids:
                    stance_ids.append(str(item.stance_id))
            else:
                suggested.append(item)
        classes = ["seg"]
        if covering_spans:
            classes.append(f"depth-{min(len(covering_spans), MAX_LAYERS)}")
            classes += [f"c{layer}-{span.label.name}" for layer, span in enumerate(covering_spans[-MAX_LAYERS:])]
            if annotators is not None:
                classes += [
                    f"a{layer}-{annotators[span.author_id][0]}"
                    for layer, span in enumerate(covering_spans[-MAX_LAYERS:])
                    if span.author_id in annotators
                ]
        if stance_ids:
            classes.append("evidence")
        if suggested:
            classes += ["suggestion", f"s-{suggested[-1].label.name}"]
        ids = " ".join(str(span.pk) for span in covering_spans)
        entity_ids = " ".join(str(span.entity_id) for span in covering_spans if span.entity_id)
        title = " / ".join(
            [
                f"{span.label.name} · {annotators[span.author_id][1]}"
                if annotators and span.author_id in annotators
                else span.label.name
                for span in covering_spans
            ]
            + [evidence_word] * bool(stance_ids)
            + [suggested_words % {"label": s.label.name, "reason": s.reason} for s in suggested]
        )
        suggestion_keys = f' data-suggestions="{escape(" ".join(s.key for s in suggested))}"' if suggested else ""
        parts.append(
            f'<span class="{" ".join(classes)}" data-spans="{ids}" data-entities="{entity_ids}" '
            f'data-stances="{" ".join(stance_ids)}"{suggestion_keys} title="{escape(title)}">{piece}</span>'
        )
    return mark_safe("".join(parts))
