"""{{ note|note_html }}: a note's Markdown rendered and sanitised again as it is shown. Notes are cleaned when written, but a note
that reached the database another way (an import, the admin, a bug) must not run in a reader's browser."""

from django import template
from django.utils.safestring import mark_safe

from ..notes import render_note

register = template.Library()


@register.filter
def note_html(note):
    return mark_safe(render_note(note))  # Markdown rendered, then bleach output: only the allowed tags and attributes remain
