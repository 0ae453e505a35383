from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .importing import FORMATS, MODEL_NAME_MAX


def max_bytes():
    """The largest predictions file read (the page's upload or the API's content), in bytes."""
    return getattr(settings, "HAMISH_PREDICTIONS_MAX_BYTES", settings.HAMISH_ANNOTATION_IMPORT_MAX_BYTES)


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

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_bytes():
            raise forms.ValidationError(
                gettext("The file holds %(size)s; a predictions file may hold at most %(max)s.")
                % {"size": filesizeformat(upload.size), "max": filesizeformat(max_bytes())}
            )
        return upload


class FilterForm(forms.Form):
    model_name = forms.CharField(max_length=MODEL_NAME_MAX, required=False)
    min_score = forms.FloatField(min_value=0, max_value=1)
    article = forms.IntegerField(min_value=1)
