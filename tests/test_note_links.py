"""Links in analysts' notes: only http(s) and mailto, and a page they open cannot reach back to Hamish
(rel="noopener noreferrer nofollow"), whether the link was typed as markup or linkified from text."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from annotations.models import Span
from annotations.notes import clean_note
from tests.utils import add_span

REL = {"noopener", "noreferrer", "nofollow"}


class Links(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.links = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(dict(attrs))


def links(html):
    return Links(html).links


@pytest.mark.parametrize(
    "note",
    [
        "see https://example.com/report",
        "see example.com",
        '<a href="https://example.com/report">the report</a>',
        '<a href="https://example.com/report" rel="opener" target="_self">the report</a>',
        '<a href="HTTP://EXAMPLE.COM/">shouting</a>',
    ],
)
def test_it_opens_web_links_in_a_new_tab_without_opener_or_referrer(note):
    [link] = links(clean_note(note))
    assert set(link["rel"].split()) == REL and link["target"] == "_blank"
    assert link["href"].lower().startswith(("http://", "https://"))


def test_it_gives_mailto_links_the_same_rel_and_no_new_tab():
    [link] = links(clean_note('<a href="mailto:desk@example.com">the desk</a>'))
    assert set(link["rel"].split()) == REL and "target" not in link


@pytest.mark.parametrize(
    "note",
    [
        "ftp://example.com/file",
        "ssh://example.com",
        "irc://example.com/room",
        "data://example.com/x",
        "gopher://example.com",
        "webcal://example.com/cal",
        '<a href="ftp://example.com/file">ftp</a>',
        '<a href="javascript:alert(1)">js</a>',
        '<a href="/admin/">relative</a>',
        '<a href="//example.com/">protocol-relative</a>',
        '<a href="http:x">odd</a>',
    ],
)
def test_it_keeps_only_http_and_mailto_hrefs(note):
    """Every link left is an absolute web or mail address (an <a> without href is no link either)."""
    cleaned = clean_note(note)
    for link in links(cleaned):
        href = urlsplit(link.get("href", ""))
        assert href.scheme in {"http", "https", "mailto"} and (href.netloc or href.scheme == "mailto"), cleaned
    assert cleaned  # the words stay, even when the link goes


def test_it_keeps_the_text_of_a_link_it_drops():
    assert clean_note('<a href="ftp://example.com/file">the file</a> here') == "the file here"


def test_it_fixes_links_of_a_note_stored_before_as_it_shows_it(labels, article, analyst, analyst_client):
    """A note saved under the old rules (rel="nofollow" only, an ftp link) is cleaned again when shown."""
    span = add_span(article.paragraphs.get(position=0), "ثابت العباسي", author=analyst)
    stored = '<a href="https://example.com/" rel="nofollow" target="_blank">old</a> <a href="ftp://example.com/">ftp</a>'
    Span.objects.filter(pk=span.pk).update(note=stored)
    html = analyst_client.get(reverse("annotations:span_card", args=[span.pk])).content.decode()
    note_links = [link for link in links(html) if link.get("href", "").startswith(("https://example.com", "ftp:"))]
    assert [link["href"] for link in note_links] == ["https://example.com/"]
    assert set(note_links[0]["rel"].split()) == REL
