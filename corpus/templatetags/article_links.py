"""Article URLs in templates: only http(s) addresses ever become links.

The import keeps only http(s) URLs, but an article's URL can also come from the admin or from rows written
before that rule; a javascript: or data: URL in an href runs in the reader's session when clicked.
"""

import re

from django import template

register = template.Library()

# At the very start: browsers drop leading spaces and control characters and tabs or newlines inside the scheme
# ("java\tscript:"), so nothing may come before "http(s)://" and anything else is not a link.
HTTP_URL = re.compile(r"https?://", re.IGNORECASE)


@register.filter
def http_url(value):
    """`value` if it is an http(s) URL, else "" (for an href: render the link only when this is non-empty)."""
    value = str(value or "")
    return value if HTTP_URL.match(value) else ""
