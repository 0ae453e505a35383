from django import template

from hamish.bidi import isolates_to_bdi

register = template.Library()


@register.filter(name="bidi_isolates")
def bidi_isolates(value):
    """{{ row.message|bidi_isolates }}: the text escaped, each isolated run of user data (hamish.bidi) a <bdi>."""
    return isolates_to_bdi(value)
