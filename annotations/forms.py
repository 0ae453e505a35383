from django import forms

from .models import Entity, Label
from .notes import NOTE_MAX

MAX_QUOTE = 10_000


class SpanCreateForm(forms.Form):
    """A selection as the browser reports it: UTF-16 offsets into the paragraph text and the quoted text."""

    start = forms.IntegerField(min_value=0)
    end = forms.IntegerField(min_value=0)
    quote = forms.CharField(strip=False, max_length=MAX_QUOTE)
    label = forms.ModelChoiceField(
        queryset=Label.objects.all(), to_field_name="name", error_messages={"invalid_choice": "Unknown label."}
    )
    entity = forms.ModelChoiceField(
        queryset=Entity.objects.all(), required=False, error_messages={"invalid_choice": "Unknown entity."}
    )

    def span_arguments(self):
        data = self.cleaned_data
        return {
            "utf16_start": data["start"],
            "utf16_end": data["end"],
            "quote": data["quote"],
            "label": data["label"],
            "entity": data["entity"],
        }


class SpanUpdateForm(forms.Form):
    """Any of: a new label, a note, an entity to link (empty unlinks), or a new entity's name."""

    label = forms.ModelChoiceField(
        queryset=Label.objects.all(), to_field_name="name", required=False, error_messages={"invalid_choice": "Unknown label."}
    )
    note = forms.CharField(required=False, strip=False, max_length=NOTE_MAX)
    entity = forms.ModelChoiceField(
        queryset=Entity.objects.all(), required=False, error_messages={"invalid_choice": "Unknown entity."}
    )
    new_entity = forms.CharField(required=False, max_length=200)  # the autocomplete box's text
    create_entity = forms.BooleanField(required=False)  # "New entity" pressed: link to new_entity by name

    def changes(self):
        data, changes = self.cleaned_data, {}
        if data["label"] is not None:
            changes["label"] = data["label"]
        if "note" in self.data:
            changes["note"] = data["note"]
        name = " ".join(data["new_entity"].split())
        if data["create_entity"]:
            if not name:
                raise forms.ValidationError("Type the entity's name first.")
            changes["new_entity_name"] = name
        elif "entity" in self.data:
            changes["entity"] = data["entity"]
        return changes
