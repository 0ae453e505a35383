from django import forms
from django.utils.translation import gettext_lazy as _

from .importing import FORMATS, MODEL_NAME_MAX


class PredictionUploadForm(forms.Form):
    file = forms.FileField(label=_("Predictions file"))
    model_name = forms.CharField(
        label=_("Model"), max_length=MODEL_NAME_MAX, help_text=_("Shown beside each of its suggestions, e.g. camelbert-ner.")
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("", _("From the file's extension")), *FORMATS.items()],
        required=False,
    )
    default_score = forms.FloatField(
        label=_("Score when the file gives none"),
        min_value=0,
        max_value=1,
        initial=1.0,
        help_text=_("CoNLL files hold no scores."),
    )


class FilterForm(forms.Form):
    model_name = forms.CharField(max_length=MODEL_NAME_MAX, required=False)
    min_score = forms.FloatField(min_value=0, max_value=1)
    article = forms.IntegerField(min_value=1)
