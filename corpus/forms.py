from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .importing.decoding import describe_size
from .importing.formats import SOURCE_NAME_MAX

ACCEPTED_SUFFIXES = ".txt,.text,.html,.htm,.xhtml,.json,.zip,.conll,.bio,.iob"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ImportForm(forms.Form):
    # Named like the request's FILES on purpose (one name for the HTML input, the command and the docs);
    # templates reach it as form.errors.files / form.fields.files, since form.files is the upload dict.
    files = forms.Field(
        required=False,  # clean_files gives the message a person understands
        widget=MultipleFileInput(attrs={"accept": ACCEPTED_SUFFIXES}),
        label=gettext_lazy("Files"),
        help_text=gettext_lazy("Plain text, HTML or article JSON files, or .zip archives of them."),
    )
    source = forms.CharField(
        required=False,
        max_length=SOURCE_NAME_MAX,
        label=gettext_lazy("Source (outlet)"),
        help_text=gettext_lazy(
            "Optional: file every article under this outlet. Otherwise the files' own source, or «مصدر غير معروف» (unknown source)."
        ),
    )
    bad_lines = forms.ChoiceField(
        choices=[
            ("refuse", gettext_lazy("refuse the file and list them")),
            ("repair", gettext_lazy("repair them (each repair is reported)")),
            ("skip", gettext_lazy("skip them (each is reported)")),
        ],
        initial="refuse",
        required=False,
        label=gettext_lazy("Bad lines in a CoNLL file"),
        help_text=gettext_lazy(
            "CoNLL / BIO files (.conll, .bio, .iob) come in as new articles with their entities, annotated by you, "
            "each file whole or not at all; the report says what was found in each."
        ),
    )

    def clean_files(self):
        # Each file's own problems (empty, binary, too big...) are reported per file by the import
        # service, so one bad file never stops the others; here only the request as a whole is checked.
        uploads = self.files.getlist("files")
        if not uploads:
            raise forms.ValidationError(_("Choose at least one file to import."))
        total = sum(upload.size for upload in uploads)
        if total > settings.HAMISH_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                _("These files come to %(size)s; one upload may hold at most %(limit)s. Import them in several goes.")
                % {"size": describe_size(total), "limit": describe_size(settings.HAMISH_UPLOAD_MAX_BYTES)}
            )
        return uploads

    def clean_source(self):
        return " ".join(self.cleaned_data["source"].split())
