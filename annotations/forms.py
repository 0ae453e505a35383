from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import BoilerplateCategory, Entity, Label, Polarity
from .notes import NOTE_MAX

MAX_QUOTE = 10_000


class SpanCreateForm(forms.Form):
    """A selection as the browser reports it: UTF-16 offsets into the paragraph text and the quoted text."""

    start = forms.IntegerField(min_value=0)
    end = forms.IntegerField(min_value=0)
    quote = forms.CharField(strip=False, max_length=MAX_QUOTE)
    label = forms.ModelChoiceField(
        queryset=Label.objects.all(), to_field_name="name", error_messages={"invalid_choice": _("Unknown label.")}
    )
    entity = forms.ModelChoiceField(
        queryset=Entity.objects.all(), required=False, error_messages={"invalid_choice": _("Unknown entity.")}
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
        queryset=Label.objects.all(), to_field_name="name", required=False, error_messages={"invalid_choice": _("Unknown label.")}
    )
    note = forms.CharField(required=False, strip=False, max_length=NOTE_MAX)
    entity = forms.ModelChoiceField(
        queryset=Entity.objects.all(), required=False, error_messages={"invalid_choice": _("Unknown entity.")}
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
                raise forms.ValidationError(gettext("Type the entity's name first."))
            changes["new_entity_name"] = name
        elif "entity" in self.data:
            changes["entity"] = data["entity"]
        return changes


class SelectionForm(forms.Form):
    """A passage as the browser reports it (UTF-16 offsets and the quote), for stance evidence."""

    start = forms.IntegerField(min_value=0)
    end = forms.IntegerField(min_value=0)
    quote = forms.CharField(strip=False, max_length=MAX_QUOTE)

    def selection(self, paragraph):
        from .stances import EvidenceSelection

        data = self.cleaned_data
        return EvidenceSelection(paragraph, data["start"], data["end"], data["quote"])


class StanceForm(forms.Form):
    """Holder, target, polarity and note. Holder and target come from a select ('entity:12', 'span:3',
    'topic:7') or, when typed, by name; a typed name wins over the select."""

    holder = forms.CharField(required=False, max_length=40)
    holder_name = forms.CharField(required=False, max_length=200)
    holder_label = forms.ModelChoiceField(
        queryset=Label.objects.all(), to_field_name="name", required=False, error_messages={"invalid_choice": _("Unknown label.")}
    )
    target = forms.CharField(required=False, max_length=40)
    target_name = forms.CharField(required=False, max_length=300)
    polarity = forms.ModelChoiceField(
        queryset=Polarity.objects.all(),
        to_field_name="name",
        error_messages={"invalid_choice": _("Unknown polarity."), "required": _("Choose the polarity.")},
    )
    note = forms.CharField(required=False, strip=False, max_length=NOTE_MAX)

    def clean(self):
        from .stances import Choice

        data = super().clean()
        try:
            data["holder_choice"] = Choice.parse(data.get("holder"), name=data.get("holder_name"), label=data.get("holder_label"))
            data["target_choice"] = Choice.parse(data.get("target"), name=data.get("target_name"))
        except forms.ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None
        if data["holder_choice"] is None:
            raise forms.ValidationError(gettext("Choose who holds the stance, or type a name."))
        if data["target_choice"] is None:
            raise forms.ValidationError(gettext("Choose what the stance is about, or type a topic."))
        return data

    def stance_arguments(self):
        data = self.cleaned_data
        return {
            "holder": data["holder_choice"],
            "target": data["target_choice"],
            "polarity": data["polarity"],
            "note": data["note"],
        }


class StanceCreateForm(StanceForm, SelectionForm):
    pass


class BoilerplateForm(forms.Form):
    """toggle (the b key: with the guessed category unless one is given), mark (set or change the category)
    or unmark."""

    action = forms.ChoiceField(choices=[("toggle", "toggle"), ("mark", "mark"), ("unmark", "unmark")])
    category = forms.ModelChoiceField(
        queryset=BoilerplateCategory.objects.all(),
        to_field_name="name",
        required=False,
        error_messages={"invalid_choice": _("Unknown boilerplate category.")},
    )

    def clean(self):
        data = super().clean()
        if data.get("action") == "mark" and not data.get("category"):
            raise forms.ValidationError(gettext("Choose a boilerplate category."))
        return data


class AnnotationImportForm(forms.Form):
    """The admin's annotation import: a Hamish JSON export, CoNLL/BIO or doccano JSONL file."""

    file = forms.FileField(help_text=_("A Hamish JSON export (.json), CoNLL/BIO (.conll, .bio, .txt) or doccano JSONL (.jsonl)."))
    format = forms.ChoiceField(choices=[("", _("from the file name"))], required=False)
    create_missing = forms.BooleanField(
        required=False,
        label=_("Create missing labels"),
        help_text=_("Create labels, polarities and boilerplate categories the file uses but this Hamish lacks."),
    )
    unknown_users = forms.ChoiceField(
        choices=[("create", _("create them as inactive accounts")), ("map", _("attribute their work to the account below"))],
        initial="create",
        label=_("Annotators unknown here"),
    )
    map_to = forms.ModelChoiceField(queryset=None, required=False, label=_("Account for unknown annotators"))
    annotator = forms.ModelChoiceField(
        queryset=None, required=False, help_text=_("CoNLL and doccano files: whose spans these are (default: you).")
    )
    source = forms.CharField(
        required=False, max_length=200, help_text=_("CoNLL and doccano files: the outlet of the new articles.")
    )
    bad_lines = forms.ChoiceField(
        choices=[
            ("refuse", _("refuse the file and list them")),
            ("repair", _("repair them (each repair is reported)")),
            ("skip", _("skip them (each is reported)")),
        ],
        initial="refuse",
        required=False,
        label=_("Bad lines in a CoNLL file"),
    )

    def __init__(self, *args, **kwargs):
        from django.contrib.auth import get_user_model

        from .interchange.loading import IMPORT_FORMATS

        super().__init__(*args, **kwargs)
        users = get_user_model().objects.order_by("username")
        self.fields["map_to"].queryset = users
        self.fields["annotator"].queryset = users
        self.fields["format"].choices += list(IMPORT_FORMATS.items())

    def clean(self):
        data = super().clean()
        if data.get("unknown_users") == "map" and not data.get("map_to"):
            raise forms.ValidationError(gettext("Choose the account that unknown annotators' work is attributed to."))
        upload = data.get("file")
        if upload is not None and upload.size > settings.HAMISH_ANNOTATION_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                gettext(
                    "The file is %(size)s bytes; an annotation import may be at most %(max)s bytes."
                    " Use manage.py import_annotations for larger files."
                )
                % {"size": f"{upload.size:,}", "max": f"{settings.HAMISH_ANNOTATION_IMPORT_MAX_BYTES:,}"}
            )
        return data

    def run(self, user):
        """Import the file; return (report, None) or (None, [problems]). Nothing changes on problems."""
        from .interchange.loading import AnnotationImportError, ImportOptions, document_from_file, guess_format, import_document

        data = self.cleaned_data
        upload = data["file"]
        annotator = data["annotator"] or user
        try:
            document = document_from_file(
                upload.read(),
                format=data["format"] or guess_format(upload.name),
                annotator=annotator.get_username(),
                source_name=" ".join(data["source"].split()),
                filename=upload.name,
                bad_lines=data.get("bad_lines") or "refuse",
            )
            options = ImportOptions(
                create_missing=data["create_missing"], unknown_users=data["unknown_users"], map_to=data["map_to"]
            )
            return import_document(document, user=user, options=options), None
        except AnnotationImportError as exc:
            return None, exc.problems
