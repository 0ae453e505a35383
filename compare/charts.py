"""Charts drawn as SVG on the server: no chart library, no script, no style attribute (the CSP forbids both).
Colours are SVG presentation attributes (fill="…"), so a downloaded chart looks the same outside the page.

Right to left: outlets are laid out from the right edge, and Arabic labels carry direction="rtl"; every text
says its direction, so a chart reads the same inside a right-to-left page and downloaded on its own. The words
meant for people (titles, tooltips, the empty-timeline note) are in the interface's language.
"""

from django.utils.html import escape
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _

VERBATIM, REWORDED, ABSENT = "#1b7837", "#a6dba0", "#f2f2f2"
BAR = "#2166ac"
CELL, LABEL_W, HEAD_H = 22, 260, 150


def _text(x, y, text, anchor="end", extra="", direction="rtl"):
    return f'<text x="{x}" y="{y}" text-anchor="{anchor}" direction="{direction}" font-size="12" {extra}>{escape(text)}</text>'


def _svg(width, height, title, body):
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" font-family="sans-serif"><title>{escape(title)}</title>{"".join(body)}</svg>'
    )


def statements_grid(statements, outlets, title):
    """Rows: statements; columns: outlets, the first on the right; the row label (the statement's opening
    words) on the left of the grid, as an RTL page reads it last."""
    width = LABEL_W + CELL * len(outlets) + 10
    height = HEAD_H + CELL * len(statements) + 10
    right = width - 5
    absent, verbatim, reworded = _("absent"), _("verbatim"), _("reworded, %(percent)d%%")
    body = []
    for i, outlet in enumerate(outlets):
        x = right - CELL * i - CELL / 2
        # The name begins at its column and climbs to the upper left (a right-to-left mirror of the usual
        # slanted header), over the empty corner above the row labels: never past the chart's right edge.
        body.append(_text(x, HEAD_H - 6, outlet.name, "start", f'transform="rotate(60 {x} {HEAD_H - 6})"'))
    for row, statement in enumerate(statements):
        y = HEAD_H + CELL * row
        body.append(_text(LABEL_W - 6, y + 15, statement.text[:40], "start"))  # rtl: start is the right end
        for i, outlet in enumerate(outlets):
            cell = statement.cells.get(outlet.pk)
            fill = ABSENT if cell is None else VERBATIM if cell.verbatim else REWORDED
            what = absent if cell is None else verbatim if cell.verbatim else reworded % {"percent": cell.percent}
            x = right - CELL * (i + 1)
            body.append(
                f'<rect x="{x}" y="{y}" width="{CELL - 2}" height="{CELL - 2}" fill="{fill}">'
                f"<title>{escape(outlet.name)}: {escape(what)}</title></rect>"
            )
    return _svg(width, height, title, body)


PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]


def outlet_bars(rows, outlets, title):
    """Stacked horizontal bars, right to left: rows are (label, [value per outlet]); the label on the right,
    each outlet a segment in its colour (the legend above; colours repeat past ten outlets)."""
    top = max((sum(values) for _label, values in rows), default=0) or 1
    width, bar_w, label_w, legend_h = 620, 400, 170, 20 + 18 * ((len(outlets) + 2) // 3)
    height = legend_h + 10 + 22 * len(rows)
    body = []
    for i, outlet in enumerate(outlets):
        x, y = width - 5 - 200 * (i % 3), 6 + 18 * (i // 3)
        body.append(f'<rect x="{x - 12}" y="{y}" width="12" height="12" fill="{PALETTE[i % len(PALETTE)]}"/>')
        body.append(_text(x - 16, y + 11, outlet.name[:24], "start"))
    for row, (label, values) in enumerate(rows):
        y = legend_h + 22 * row
        body.append(_text(width - 5, y + 14, label[:24], "start"))
        edge = width - label_w
        for i, (outlet, value) in enumerate(zip(outlets, values)):
            if not value:
                continue
            length = max(round(bar_w * value / top), 1)
            edge -= length
            body.append(
                f'<rect x="{edge}" y="{y}" width="{length}" height="16" fill="{PALETTE[i % len(PALETTE)]}">'
                f"<title>{escape(label)}, {escape(outlet.name)}: {value}</title></rect>"
            )
        body.append(f'<text x="{edge - 4}" y="{y + 13}" text-anchor="end" direction="ltr" font-size="11">{sum(values)}</text>')
    return _svg(width, height, title, body)


def timeline(outlets, title):
    """A dot per article on a date axis, a row per outlet (those with dates)."""
    dated = [o for o in outlets if o.dates]
    days = sorted({d for o in dated for d in o.dates})
    if not days:
        note = _("No publication dates are known.")
        if get_language_bidi():  # from the right edge, as the page reads
            return _svg(300, 40, title, [_text(290, 25, note, "start", direction="rtl")])
        return _svg(300, 40, title, [_text(10, 25, note, "start", direction="ltr")])
    first, span = days[0], max((days[-1] - days[0]).days, 1)
    width, plot_w, height = 640, 420, 50 + 24 * len(dated)
    body = [_text(width - 170, 14, str(first), "start"), _text(width - 170 - plot_w, 14, str(days[-1]), "end")]
    for i, outlet in enumerate(dated):
        y = 34 + 24 * i
        body.append(_text(width - 5, y + 4, outlet.name[:24], "start"))  # on the right, as the dates run
        for day in outlet.dates:
            x = width - 170 - round(plot_w * (day - first).days / span)  # earliest on the right
            body.append(f'<circle cx="{x}" cy="{y}" r="5" fill="{BAR}"><title>{escape(outlet.name)}: {day}</title></circle>')
    return _svg(width, height, title, body)
