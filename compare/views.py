"""The event comparison page for a project: statements × outlets, spellings, voices and stances, attention.
Each chart has its SVG and its data as CSV at their own GET address.

The page and the SVG charts speak the interface's language. The CSV files do not: their column headers and
coded values (family, outlet, verbatim, the polarity names) stay the same English words whatever language the
reader chose, because they are read by programs (a notebook's df["outlet"], a script joining two exports);
a header that changed with the reader's language would break the script of a colleague reading in the other.
The data in them (names, texts) is the data, in Arabic as written."""

import csv

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _

from corpus.models import Article
from hamish.ids import parse_id
from projects.lookups import get_project_for_member
from projects.words import POLARITY_WORDS  # the stance matrix names polarities as the board does

from . import charts, grid, queries


def _scope(request, pk):
    """The project (404 to strangers) and its articles this reader may read, as a queryset."""
    project = get_project_for_member(request.user, pk)
    return project, Article.objects.for_reader(request.user).filter(projects=project)


def _outlet_filter(request):
    """The ?outlet= id, None when absent; ValueError when it is not a number."""
    raw = request.GET.get("outlet", "")
    if not raw:
        return None
    outlet_id = parse_id(raw)  # ASCII digits within the id range: "²" or 20 digits are refused, never a 500
    if outlet_id is None:
        raise ValueError(_("The outlet filter must be an outlet's number."))
    return outlet_id


def _statements_svg(statements, outlets):
    return charts.statements_grid(statements, outlets, _("Statements × outlets"))


def _timeline_svg(outlets):
    return charts.timeline(outlets, _("Publication dates per outlet"))


def _data(articles):
    outlets, outlet_total = queries.outlets_of(articles)
    statements, family_total = queries.statements(articles, outlets)
    return outlets, outlet_total, statements, family_total


@login_required
def event(request, pk):
    project, articles = _scope(request, pk)
    try:
        outlet_id = _outlet_filter(request)
    except ValueError as error:
        return HttpResponseBadRequest(str(error))
    outlets, outlet_total, statements, family_total = _data(articles)
    named = queries.spellings(articles)
    holders, targets, positions, voices = queries.stance_matrix(articles, outlet_id)
    for entity in named:
        entity.counts = [entity.mentions(outlet.pk) for outlet in outlets]
        entity.row = [(outlet, sorted(entity.spellings.get(outlet.pk, {}).items(), key=lambda t: -t[1])) for outlet in outlets]
    for position in positions.values():
        position.polarity_name = POLARITY_WORDS.get(position.polarity, position.polarity)
    matrix = [(holder, name, [(key, positions.get((holder, key))) for key, _n in targets]) for holder, name in holders]
    voice_rows = [
        (name, [voices[holder].get(o.pk, 0) for o in outlets], sum(voices[holder].values())) for holder, name in holders
    ]
    context = {
        "project": project,
        "outlets": outlets,
        "outlet_total": outlet_total,
        "statements": statements,
        "family_total": family_total,
        "families_shown": queries.FAMILIES_SHOWN,
        "named": named,
        "targets": targets,
        "matrix": matrix,
        "voice_rows": voice_rows,
        "outlet_id": outlet_id,
        "statement_rows": grid.statement_rows(statements, outlets, project.pk),
        "statements_svg": _statements_svg(statements, outlets),
        "attention_svg": _attention_svg(named, outlets),
        "timeline_svg": _timeline_svg(outlets),
    }
    return render(request, "compare/event.html", context)


ENTITIES_DRAWN = 30  # bars in the attention chart (the table lists every entity)


def _attention_svg(named, outlets):
    rows = [(entity.name, [entity.mentions(o.pk) for o in outlets]) for entity in named[:ENTITIES_DRAWN]]
    return charts.outlet_bars(rows, outlets, _("Mentions of each entity per outlet"))


def _svg_response(svg, name):
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.svg"'
    return response


def _csv_response(header, rows, name):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response.write("\ufeff")  # so that spreadsheet programs read the Arabic as UTF-8
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


@login_required
def statements_svg(request, pk):
    _project, articles = _scope(request, pk)
    outlets, _t, statements, _f = _data(articles)
    return _svg_response(_statements_svg(statements, outlets), "statements")


@login_required
def statements_csv(request, pk):
    _project, articles = _scope(request, pk)
    outlets, _t, statements, _f = _data(articles)
    rows = []
    for statement in statements:
        cells = [statement.cells.get(o.pk) for o in outlets]
        rows.append(
            [statement.family_id, statement.carried, statement.text]
            + ["" if c is None else "verbatim" if c.verbatim else f"{c.similarity:.2f}" for c in cells]
        )
    return _csv_response(["family", "outlets", "text"] + [o.name for o in outlets], rows, "statements")


@login_required
def spellings_csv(request, pk):
    _project, articles = _scope(request, pk)
    outlets, _t = queries.outlets_of(articles)
    names = {o.pk: o.name for o in outlets}
    rows = [
        [entity.name, names.get(source, source), text, count]
        for entity in queries.spellings(articles)
        for source, texts in sorted(entity.spellings.items())
        for text, count in sorted(texts.items())
    ]
    return _csv_response(["entity", "outlet", "spelling", "mentions"], rows, "spellings")


@login_required
def attention_svg(request, pk):
    _project, articles = _scope(request, pk)
    outlets, _t = queries.outlets_of(articles)
    return _svg_response(_attention_svg(queries.spellings(articles), outlets), "attention")


@login_required
def attention_csv(request, pk):
    _project, articles = _scope(request, pk)
    outlets, _t = queries.outlets_of(articles)
    rows = [[entity.name] + [entity.mentions(o.pk) for o in outlets] + [entity.total] for entity in queries.spellings(articles)]
    return _csv_response(["entity"] + [o.name for o in outlets] + ["total"], rows, "attention")


@login_required
def stances_csv(request, pk):
    _project, articles = _scope(request, pk)
    holders, targets, positions, _v = queries.stance_matrix(articles)
    holder_names, target_names = dict(holders), dict(targets)
    rows = [
        [holder_names[holder], target_names[key], position.polarity, position.count]
        for (holder, key), position in positions.items()
    ]
    return _csv_response(["holder", "target", "polarity", "stances"], rows, "stances")


@login_required
def timeline_svg(request, pk):
    _project, articles = _scope(request, pk)
    outlets, _t = queries.outlets_of(articles)
    return _svg_response(_timeline_svg(outlets), "timeline")
