"""Accepting and rejecting suggested spans through htmx."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from projects.scope import allowed_for_request
from projects.scope import refusal as project_refusal

from ..lookups import get_article_for_reader, get_paragraph_for_reader
from ..models import Entity, Label
from ..suggestions import accept, accept_all, reject
from .reader import render_paragraph
from .spans import ENTITY_PANEL, NO_PANELS, first_error, problem


class SuggestionForm(forms.Form):
    action = forms.ChoiceField(choices=[("accept", "accept"), ("reject", "reject")])
    start = forms.IntegerField(min_value=0)  # code points: the server made the suggestion
    end = forms.IntegerField(min_value=0)
    label = forms.ModelChoiceField(
        queryset=Label.objects.all(), to_field_name="name", error_messages={"invalid_choice": gettext_lazy("Unknown label.")}
    )
    entity = forms.ModelChoiceField(
        queryset=Entity.objects.all(), required=False, error_messages={"invalid_choice": gettext_lazy("Unknown entity.")}
    )


@require_POST
def decide(request, paragraph_id):
    paragraph = get_paragraph_for_reader(request.user, paragraph_id)
    form = SuggestionForm(request.POST)
    if not form.is_valid():
        return problem(first_error(form))
    data = form.cleaned_data
    if data["action"] == "accept":
        refused_label = project_refusal(allowed_for_request(request, paragraph.article_id), label=data["label"])
        if refused_label:
            return problem(refused_label)
    try:
        if data["action"] == "accept":
            span = accept(
                user=request.user,
                paragraph=paragraph,
                start=data["start"],
                end=data["end"],
                label=data["label"],
                entity=data["entity"],
            )
            return render_paragraph(
                request, paragraph, extra={"card_span": span}, panels=ENTITY_PANEL if span.entity_id else NO_PANELS
            )
        reject(user=request.user, paragraph=paragraph, start=data["start"], end=data["end"], label=data["label"])
    except ValidationError as exc:
        return problem(first_error(exc))
    return render_paragraph(
        request, paragraph, extra={"flash": _("Suggestion rejected; it will not be shown to you again.")}, panels=NO_PANELS
    )


@require_POST
def decide_all(request, pk):
    article = get_article_for_reader(request.user, pk)
    allowed = allowed_for_request(request, article.pk)
    made = accept_all(user=request.user, article=article, project=allowed.project, labels=allowed.labels)
    messages.success(
        request,
        ngettext("%(count)s suggestion accepted as your spans.", "%(count)s suggestions accepted as your spans.", made)
        % {"count": made},
    )
    response = HttpResponse(status=204)
    response["HX-Refresh"] = "true"  # every paragraph may have changed: reload the page
    return response
