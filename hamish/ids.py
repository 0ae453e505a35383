"""Database ids as people and URLs give them: one parser for every id parameter and URL segment.

`str.isdigit()` accepts "²" and "①" and `int()` accepts Arabic-Indic digits, and a 26-digit number
overflows SQLite's integers: each was a 500. An id here is ASCII digits only, no sign, no leading
zeros beyond "0", and at most the largest value both databases store (a signed 64-bit integer).
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.urls import register_converter

ID_MAX = 2**63 - 1
_ID = re.compile(r"[0-9]{1,19}")


def parse_id(value):
    """The id `value` names, or None when it is not an id (empty, non-ASCII digits, signs, too large)."""
    if not isinstance(value, str):
        value = "" if value is None else str(value)
    value = value.strip()
    if not _ID.fullmatch(value):
        return None
    number = int(value)
    return number if 0 < number <= ID_MAX else None


class IdConverter:
    """`<id:pk>` in URL patterns: like `<int:pk>`, but an id too large for the database is a 404, not a 500."""

    regex = "[0-9]{1,19}"

    def to_python(self, value):
        number = parse_id(value)
        if number is None:
            raise ValueError("not an id")  # the URL resolver treats this as no match: 404
        return number

    def to_url(self, value):
        return str(value)


register_converter(IdConverter, "id")


class IdModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField whose value must be an id before the database sees it (10^26 overflowed SQLite)."""

    def to_python(self, value):
        if value not in self.empty_values and self.to_field_name is None and parse_id(value) is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class IdModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """The same for several choices: every value an id, or the whole field is refused with the bad one named."""

    def _check_values(self, value):
        if self.to_field_name is None:
            for item in value:
                if parse_id(item) is None:
                    raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": item})
        return super()._check_values(value)
