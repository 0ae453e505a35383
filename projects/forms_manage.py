"""Forms of the manager's page and of the administrators' "new project" page."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from annotations.models import BoilerplateCategory, Label, Polarity
from corpus.models import Source
from hamish.ids import IdModelChoiceField, IdModelMultipleChoiceField

from .models import Project, Role


class SettingsForm(forms.Form):
    description = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}))
    guidelines = forms.CharField(
        required=False,
        max_length=50_000,
        label=gettext_lazy("Guidelines"),
        help_text=Project._meta.get_field("guidelines").help_text,
        widget=forms.Textarea(attrs={"rows": 10, "dir": "auto"}),
    )
    is_open = forms.BooleanField(
        required=False,
        label=gettext_lazy("Open to everyone"),
        help_text=Project._meta.get_field("is_open").help_text,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["description"].label = gettext_lazy("Description")


class MemberForm(forms.Form):
    username = forms.CharField(max_length=150, label=gettext_lazy("User name"), widget=forms.TextInput(attrs={"dir": "auto"}))
    role = forms.ChoiceField(choices=Role.choices, initial=Role.ANNOTATOR, label=gettext_lazy("Role"))


class ArticleFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=200,
        label=gettext_lazy("Words in the text"),
        widget=forms.TextInput(attrs={"dir": "auto", "type": "search"}),
    )
    source = IdModelChoiceField(
        queryset=Source.objects.order_by("name"),
        required=False,
        label=gettext_lazy("Outlet"),
        empty_label=gettext_lazy("any outlet"),
    )
    published_from = forms.DateField(
        required=False, label=gettext_lazy("Published from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    published_to = forms.DateField(
        required=False, label=gettext_lazy("Published to"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("published_from"), data.get("published_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The first date comes after the last."))
        return data

    def to_filter(self):
        from .managing import ArticleFilter

        data = self.cleaned_data
        return ArticleFilter(
            query=data.get("q") or "",
            source=data.get("source"),
            published_from=data.get("published_from"),
            published_to=data.get("published_to"),
        )


class NewProjectForm(forms.Form):
    name = forms.CharField(max_length=200, label=gettext_lazy("Name"), widget=forms.TextInput(attrs={"dir": "auto"}))
    description = forms.CharField(
        required=False,
        max_length=5000,
        label=gettext_lazy("Description"),
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )
    is_open = forms.BooleanField(
        required=False, label=gettext_lazy("Open to everyone"), help_text=Project._meta.get_field("is_open").help_text
    )
    labels = IdModelMultipleChoiceField(
        queryset=Label.objects.none(), required=False, widget=forms.CheckboxSelectMultiple, label=gettext_lazy("Labels")
    )
    polarities = IdModelMultipleChoiceField(
        queryset=Polarity.objects.none(), required=False, widget=forms.CheckboxSelectMultiple, label=gettext_lazy("Polarities")
    )
    categories = IdModelMultipleChoiceField(
        queryset=BoilerplateCategory.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Boilerplate categories"),
    )
    manager = forms.CharField(
        required=False,
        max_length=150,
        label=gettext_lazy("Manager (user name)"),
        help_text=gettext_lazy("Leave empty to run the project yourself; the manager adds the members."),
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["labels"].queryset = Label.objects.active()
        self.fields["polarities"].queryset = Polarity.objects.active()
        self.fields["categories"].queryset = BoilerplateCategory.objects.active()
        if not self.is_bound:  # a new study starts from the whole catalogue; unticking narrows it
            for name in ("labels", "polarities", "categories"):
                self.initial[name] = list(self.fields[name].queryset.values_list("pk", flat=True))

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Give the project a name."))
        if Project.objects.filter(name=name).exists():
            raise forms.ValidationError(_("There is already a project of that name."))
        return name

    def clean_manager(self):
        name = self.cleaned_data.get("manager", "").strip()
        if not name:
            return None
        User = get_user_model()
        user = User.objects.filter(**{User.USERNAME_FIELD: name}, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("There is no user of that name."))
        return user
