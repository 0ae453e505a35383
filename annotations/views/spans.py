"""Span writes through htmx: each answers with the re-rendered paragraph (and side panel)."""

from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from corpus.models import Paragraph
from hamish.ids import parse_id
from projects.scope import allowed_for_request
from projects.scope import refusal as project_refusal

from ..conflicts import Conflict, parse_version
from ..forms import SpanCreateForm, SpanUpdateForm
from ..history import UNDO_WINDOW, describe, has_older_undoable, last_undoable_event, undo_last
from ..lookups import get_paragraph_for_reader, get_span_for_editor, get_span_for_reader
from ..models import Label
from ..spans import create_span, delete_span, update_span
from ..suggestions import EntityIndex
from .reader import card_context, render_paragraph, render_paragraphs

# Side-panel lists a span write can change (the stance list and boilerplate counts never).
ENTITY_PANEL, NO_PANELS = frozenset({"entities"}), frozenset()


def problem(message, status=422):
    """A refusal the analyst reads: plain text, shown by reader.js in the message area."""
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def refused(exc, refresh_url=None):
    """A service's refusal: 404 when the annotation is gone, 409 when it changed since the card was shown
    (with `Hamish-Refresh` naming the current card, which reader.js loads), else 422."""
    response = problem(first_error(exc), status=getattr(exc, "status", 422))
    if isinstance(exc, Conflict) and refresh_url:
        response["Hamish-Refresh"] = refresh_url
    return response


def posted_version(request):
    """The version of the annotation the analyst's card showed (None if the page sent none)."""
    return parse_version(request.POST.get("version"))


def first_error(exc_or_form):
    if isinstance(exc_or_form, ValidationError):
        return " ".join(exc_or_form.messages)
    return " ".join(message for messages in exc_or_form.errors.values() for message in messages)


@require_POST
def create(request, paragraph_id):
    paragraph = get_paragraph_for_reader(request.user, paragraph_id)
    form = SpanCreateForm(request.POST)
    if not form.is_valid():
        return problem(first_error(form))
    refused_label = project_refusal(allowed_for_request(request, paragraph.article_id), label=form.cleaned_data["label"])
    if refused_label:
        return problem(refused_label)
    try:
        span = create_span(user=request.user, paragraph=paragraph, **form.span_arguments())
    except ValidationError as exc:
        return problem(first_error(exc))
    # A new span changes the side panel only if it is linked to an entity.
    return render_paragraph(request, paragraph, extra={"card_span": span}, panels=ENTITY_PANEL if span.entity_id else NO_PANELS)


@require_GET
def card(request, span_id):
    span = get_span_for_reader(request.user, span_id)
    labels = allowed_for_request(request, span.paragraph.article_id).filter("labels", Label.objects.active())
    return render(request, "annotations/span_card.html", {"span": span, **card_context(request.user, span, labels=labels)})


@require_POST
def update(request, span_id):
    span = get_span_for_editor(request.user, span_id)
    form = SpanUpdateForm(request.POST)
    if not form.is_valid():
        return problem(first_error(form))
    refused_label = project_refusal(allowed_for_request(request, span.paragraph.article_id), label=form.cleaned_data["label"])
    if refused_label:
        return problem(refused_label)
    entity_before = span.entity_id
    try:
        update_span(user=request.user, span=span, version=posted_version(request), **form.changes())
    except ValidationError as exc:
        return refused(exc, reverse("annotations:span_card", args=[span_id]))
    span = get_span_for_reader(request.user, span_id)
    paragraphs = [span.paragraph]
    if span.entity_id and span.entity_id != entity_before:
        # A newly linked entity's other mentions in the article become suggestions at once, not after a reload.
        index = EntityIndex([span.entity])
        paragraphs += [
            p
            for p in Paragraph.objects.filter(article_id=span.paragraph.article_id)
            .exclude(pk=span.paragraph_id)
            .select_related("article")
            if index.find(p.text)
        ]
    return render_paragraphs(request, paragraphs, extra={"card_span": span}, panels=ENTITY_PANEL)


@require_POST
def delete(request, span_id):
    span = get_span_for_editor(request.user, span_id)
    paragraph, linked = span.paragraph, span.entity_id is not None
    try:
        delete_span(user=request.user, span=span, version=posted_version(request))
    except ValidationError as exc:
        return refused(exc, reverse("annotations:span_card", args=[span_id]))
    deleted = _("Span deleted: %(label)s «%(text)s». u undoes it.") % {
        "label": span.label.name,
        "text": f"\u2068{span.text}\u2069",
    }
    return render_paragraph(
        request, paragraph, extra={"clear_card": True, "flash": deleted}, panels=ENTITY_PANEL if linked else NO_PANELS
    )


def nothing_to_undo(user, article_id):
    """The refusal when undo finds nothing: 'recent' when older actions exist beyond history.UNDO_WINDOW."""
    if has_older_undoable(user, article_id):
        hours = int(UNDO_WINDOW.total_seconds() // 3600)
        message = ngettext(
            "Nothing recent to undo: undo takes back only your actions of the last hour.",
            "Nothing recent to undo: undo takes back only your actions of the last %(hours)s hours.",
            hours,
        ) % {"hours": hours}
    else:
        message = _("Nothing to undo in this article.") if article_id else _("Nothing to undo.")
    return problem(message, status=409)


@require_GET
def undo_preview(request):
    """What undo would take back now, for the page to show before the analyst confirms (JSON: the event's
    id, to send back with the undo, and a description)."""
    raw_article = request.GET.get("article", "")
    article_id = parse_id(raw_article)
    if raw_article and article_id is None:
        return problem(_("Unknown article."))
    event = last_undoable_event(request.user, article_id)
    if event is None:
        return nothing_to_undo(request.user, article_id)
    return JsonResponse({"event": event.pk, "description": describe(event)})


@require_POST
def undo(request):
    raw_article = request.POST.get("article", "")
    article_id = parse_id(raw_article)
    if raw_article and article_id is None:
        return problem(_("Unknown article."))
    raw_event = request.POST.get("event", "")
    expected = parse_id(raw_event)
    if raw_event and expected is None:
        return problem(_("Unknown action to undo."))
    try:
        event = undo_last(request.user, article_id, expected=expected)
    except ValidationError as exc:
        return problem(first_error(exc), status=409)
    if event is None:
        return nothing_to_undo(request.user, article_id)
    paragraphs = undone_paragraphs(request.user, event)
    if not paragraphs:
        return problem(_("Undone."), status=200)
    undone = _("Undone: %(what)s.") % {"what": describe(event)}
    response = render_paragraphs(request, paragraphs, extra={"clear_card": True, "flash": undone})
    response["HX-Retarget"] = f"#{paragraphs[0].anchor}"
    response["HX-Reswap"] = "outerHTML"
    return response


def undone_paragraphs(user, event):
    """The paragraphs an undone event touched: its own, and for a stance every evidence paragraph."""
    ids = [event.paragraph_id]
    for data in (event.before, event.after):
        ids += [item[0] for item in (data or {}).get("evidence", [])]
    ids = [pk for pk in dict.fromkeys(ids) if pk is not None]
    found = {p.pk: p for p in Paragraph.objects.filter(pk__in=ids).select_related("article")}
    return [found[pk] for pk in ids if pk in found]
