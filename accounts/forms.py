from django import forms

from .models import Preference


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = Preference
        fields = ["language", "arabic_digits"]
        widgets = {"language": forms.RadioSelect}
