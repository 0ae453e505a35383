from django import template
from django.utils.safestring import SafeData, mark_safe

from accounts.numerals import localize_digits

register = template.Library()


@register.filter(name="numerals", is_safe=True)
def numerals(value):
    """{{ count|numerals }}, {{ when|date:"j F Y"|numerals }}: Western digits become Arabic-Indic when the
    analyst asked for them and the interface is Arabic. Only digits change, so safe text stays safe."""
    if value is None or value == "":
        return value
    result = localize_digits(value)
    return mark_safe(result) if isinstance(value, SafeData) else result
