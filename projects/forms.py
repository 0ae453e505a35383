from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from corpus.models import Source
from hamish.ids import IdModelChoiceField, IdModelMultipleChoiceField

MODES = [
    ("round_robin", gettext_lazy("One annotator per article, taking turns")),
    ("overlap", gettext_lazy("Each article to k annotators")),
]
WHICH = [
    ("unassigned", gettext_lazy("Articles nobody has yet")),
    ("source", gettext_lazy("Articles of one outlet")),
    ("all", gettext_lazy("Every article of the project")),
]


class AssignForm(forms.Form):
    which = forms.ChoiceField(choices=WHICH, initial="unassigned", label=gettext_lazy("Articles"))
    source = IdModelChoiceField(
        queryset=Source.objects.order_by("name"),
        required=False,
        label=gettext_lazy("Outlet"),
        empty_label=gettext_lazy("- Choose an outlet -"),
    )
    annotators = IdModelMultipleChoiceField(
        queryset=get_user_model().objects.none(), widget=forms.CheckboxSelectMultiple, label=gettext_lazy("Annotators")
    )
    mode = forms.ChoiceField(choices=MODES, initial="round_robin", widget=forms.RadioSelect, label=gettext_lazy("Mode"))
    overlap = forms.IntegerField(
        min_value=2, max_value=10, initial=2, required=False, label=gettext_lazy("k (annotators per article)")
    )
    share = forms.IntegerField(
        min_value=1, max_value=100, initial=100, required=False, label=gettext_lazy("Share of articles with overlap, %")
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["annotators"].queryset = (
            get_user_model().objects.filter(memberships__project=project, is_active=True).order_by("username")
        )

    def clean(self):
        data = super().clean()
        if data.get("which") == "source" and not data.get("source"):
            self.add_error("source", _("Choose the outlet whose articles to assign."))
        if data.get("mode") == "overlap":
            if not data.get("overlap"):
                self.add_error("overlap", _("Say how many annotators each article goes to."))
            elif data.get("annotators") is not None and data["overlap"] > len(data["annotators"]):
                self.add_error("overlap", _("k cannot be more than the number of annotators chosen."))
        return data

    def articles(self):
        articles = self.project.articles.order_by("source__name", "title", "pk")
        which = self.cleaned_data["which"]
        if which == "unassigned":
            articles = articles.exclude(assignments__project=self.project)
        elif which == "source":
            articles = articles.filter(source=self.cleaned_data["source"])
        return articles

    def overlap_and_share(self):
        if self.cleaned_data["mode"] != "overlap":
            return 1, 1.0
        return self.cleaned_data["overlap"], (self.cleaned_data.get("share") or 100) / 100
