from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=100, help_text=gettext_lazy("What the token is for, e.g. “nightly export script”.")
    )

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if "\x00" in name or not name:
            raise forms.ValidationError(_("Give the token a name you will recognise."))
        return name
