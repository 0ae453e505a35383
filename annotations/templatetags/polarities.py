"""A polarity as the interface shows it. Its name (supports) is the code exports use; its display name is Arabic
(يؤيد). An English interface shows both, an Arabic one only the Arabic: the code would be the one English word
left on the page."""

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language_bidi

register = template.Library()


@register.filter
def polarity_label(polarity):
    """The code and the display name (English interface), or the display name alone (Arabic)."""
    if get_language_bidi():
        return format_html('<span lang="ar" dir="rtl">{}</span>', polarity.display_name)
    return format_html('<bdi>{}</bdi> <span lang="ar" dir="rtl">{}</span>', polarity.name, polarity.display_name)


@register.filter
def polarity_word(polarity):
    """One word for a badge: the code in an English interface, the display name in an Arabic one."""
    return polarity.display_name if get_language_bidi() else polarity.name
