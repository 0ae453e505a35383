"""Boilerplate marks through htmx: the b key's toggle, choosing the category, unmarking."""

import json

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from projects.scope import allowed_for_request
from projects.scope import refusal as project_refusal

from ..boilerplate import kept_warning, mark_boilerplate, toggle_boilerplate, unmark_boilerplate
from ..forms import BoilerplateForm
from ..lookups import get_paragraph_for_reader
from ..models import BoilerplateCategory, BoilerplateMark
from .reader import render_paragraph
from .spans import first_error, posted_version, problem, refused


def card_context(user, paragraph, request=None):
    marks = list(BoilerplateMark.objects.filter(paragraph=paragraph).select_related("category", "author").order_by("pk"))
    own = next((mark for mark in marks if mark.author_id == user.pk), None)
    return {
        "marked_paragraph": paragraph,
        "own_mark": own,
        "other_marks": [mark for mark in marks if mark.author_id != user.pk],
        "categories": (
            allowed_for_request(request, paragraph.article_id).filter("categories", BoilerplateCategory.objects.active())
            if request is not None
            else BoilerplateCategory.objects.active()
        ),
    }


@require_GET
def card(request, paragraph_id):
    paragraph = get_paragraph_for_reader(request.user, paragraph_id)
    return render(request, "annotations/boilerplate_card.html", card_context(request.user, paragraph, request))


@require_POST
def change(request, paragraph_id):
    """Answers with the paragraph (collapsed or not), the panel's counts, the card, and a warning when the
    paragraph holds annotations (they are kept)."""
    paragraph = get_paragraph_for_reader(request.user, paragraph_id)
    form = BoilerplateForm(request.POST)
    if not form.is_valid():
        return problem(first_error(form))
    action, category = form.cleaned_data["action"], form.cleaned_data["category"]
    refused_category = project_refusal(allowed_for_request(request, paragraph.article_id), category=category)
    if refused_category and action != "unmark":
        return problem(refused_category)
    try:
        if action == "toggle":
            mark = toggle_boilerplate(user=request.user, paragraph=paragraph, category=category)
        elif action == "mark":
            mark = mark_boilerplate(user=request.user, paragraph=paragraph, category=category, version=posted_version(request))
        else:
            own = BoilerplateMark.objects.filter(paragraph=paragraph, author=request.user).first()
            if own is None:
                return problem(_("You have not marked this paragraph as boilerplate."), status=409)
            unmark_boilerplate(user=request.user, mark=own, version=posted_version(request))
            mark = None
    except ValidationError as exc:
        return refused(exc, reverse("annotations:boilerplate_card", args=[paragraph_id]))
    extra = {"card_boilerplate": True, **card_context(request.user, paragraph, request)}
    warning = kept_warning(paragraph) if mark is not None else ""
    if mark is not None:
        marked = _("Marked as boilerplate (%(category)s).") % {"category": mark.category.shown_name}
        extra["flash"] = f"{marked} {warning}".strip()
    else:
        extra["flash"] = _("No longer boilerplate.")
    response = render_paragraph(request, paragraph, extra=extra)
    if warning:
        # Shown as a warning, not as news: the analyst should notice that annotations sit in the paragraph.
        response["HX-Trigger"] = json.dumps({"hamish:flash": {"message": extra["flash"], "kind": "warning"}})
    return response
