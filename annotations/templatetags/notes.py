"""{{ note|note_html }}: a note sanitised again as it is shown. Notes are cleaned when written, but a note
that reached the database another way (an import, the admin, a bug) must not run in a reader's browser."""

from django import template
from django.utils.safestring import mark_safe

from ..notes import clean_note

register = template.Library()


@register.filter
def note_html(note):
    return mark_safe(clean_note(note))  # bleach output: only the allowed tags and attributes remain
