"""Label sets in the admin: defaults, adding, retiring, shortcut rules."""

import pytest
from django.urls import reverse

from annotations.models import Label, Span
from tests.utils import add_span, make_article

pytestmark = pytest.mark.django_db


def test_the_default_labels_follow_conll():
    assert list(Label.objects.values_list("name", "display_name", "shortcut")) == [
        ("PER", "شخص", "p"),
        ("ORG", "منظمة", "o"),
        ("LOC", "مكان", "l"),
        ("MISC", "متفرقات", "m"),
    ]


def add_label(client, **fields):
    data = {
        "name": "GPE",
        "display_name": "كيان جغرافي سياسي",
        "colour": "#8c564b",
        "shortcut": "q",
        "description": "",
        "is_active": "on",
        "position": "5",
    }
    return client.post(reverse("admin:annotations_label_add"), {**data, **fields})


def test_admins_add_a_label(staff_client):
    assert add_label(staff_client).status_code == 302
    assert Label.objects.get(name="GPE").shortcut == "q"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"shortcut": "j"}, "kept for navigation"),
        ({"shortcut": "g"}, "kept for navigation"),  # g y n: suggestions
        ({"shortcut": "p"}, "Another active label already uses this key."),
        ({"colour": "red"}, "#RRGGBB"),
        ({"name": "gpe x"}, "capital Latin letters"),
        ({"name": "PER"}, "already exists"),
    ],
)
def test_bad_labels_are_refused_with_a_reason(staff_client, fields, message):
    before = Label.objects.count()
    response = add_label(staff_client, **fields)
    assert response.status_code == 200 and message in response.content.decode()
    assert Label.objects.count() == before


def test_retiring_a_label_keeps_its_spans_and_frees_its_key(staff_client, analyst):
    paragraph = make_article(["واشنطن والعراق"]).paragraphs.get()
    span = add_span(paragraph, "واشنطن", "MISC", author=analyst)
    misc = Label.objects.get(name="MISC")
    assert staff_client.get(reverse("admin:annotations_label_delete", args=[misc.pk])).status_code == 403
    misc.is_active = False
    misc.save()
    assert Span.objects.get(pk=span.pk).label == misc
    assert add_label(staff_client, name="EVENT", shortcut="m").status_code == 302  # m is free again


def test_analysts_cannot_manage_labels(analyst_client):
    response = analyst_client.get(reverse("admin:annotations_label_changelist"))
    assert response.status_code == 403  # signed in but not staff: refused, not sent to the admin's login page
