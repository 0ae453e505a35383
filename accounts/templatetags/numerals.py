from django import template
from django.utils.safestring import SafeData, mark_safe

from accounts.numerals import active, localize_digits

register = template.Library()


@register.filter(name="numerals", is_safe=True)
def numerals(value):
    """{{ count|numerals }}, {{ when|date:"j F Y"|numerals }}: Western digits become Arabic-Indic when the
    analyst asked for them and the interface is Arabic. Only digits change, so safe text stays safe."""
    if value is None or value == "":
        return value
    result = localize_digits(value)
    return mark_safe(result) if isinstance(value, SafeData) else result


@register.simple_tag
def numerals_active():
    """{% numerals_active as arabic_digits %}: whether this page writes Arabic-Indic digits (base.html tells the
    page's scripts, through <html data-digits>, so numbers they write follow the same choice)."""
    return active()
