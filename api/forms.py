from django import forms


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What the token is for, e.g. “nightly export script”.")

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if "\x00" in name or not name:
            raise forms.ValidationError("Give the token a name you will recognise.")
        return name
