"""Boilerplate marks: an analyst's judgement that a paragraph is web chrome, not the article.

A mark never touches the paragraph's spans or stance evidence: they are kept, and the analyst is
told they are there. The "clean text" of an article is its paragraphs without the marked ones.
"""

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from corpus.arabic import fold
from corpus.duplicates import outlet_lines
from corpus.importing.news import CHROME_CATEGORY, LIST_LINE_WORDS, chrome_rule
from corpus.models import PARAGRAPH_SEPARATOR, Paragraph

from .conflicts import Gone, lock_for_change, save_change
from .history import delete_logged, log, snapshot
from .models import AnnotationEvent, BoilerplateCategory, BoilerplateMark, Span, StanceEvidence

SHORT_LINE = 40  # characters: a cue phrase anywhere in a line this short still names its category


def guess_category(paragraph, *, title="", categories=None):
    """The category a paragraph most likely belongs to: the one whose cue phrase starts it (or appears in a
    short line), "title" if it repeats the article's title, "related" for a bulleted line in the list under a
    related-links heading (مقالات مشابهة, then • …), else "other"."""
    cues = _Cues(_categories(categories))
    category, reason = _guess(paragraph.text, fold(title) if title else "", cues)
    if reason is None and is_bullet(paragraph.text) and RELATED in cues.by_name:
        earlier = (
            Paragraph.objects.filter(
                article_id=paragraph.article_id,
                position__lt=paragraph.position,
                position__gte=paragraph.position - LIST_LOOKBACK,
            )
            .order_by("-position")
            .values_list("text", flat=True)
        )
        heading = next((text for text in earlier if not is_bullet(text)), None)
        if heading is not None and _guess(heading, "", cues)[0] == cues.by_name[RELATED]:
            return cues.by_name[RELATED]
    return category


RELATED = "related"
LIST_LOOKBACK = 30  # paragraphs: how far up a bulleted line looks for the heading of its list
# A list item as outlets print related links: a bullet or dash, or a number with . ) or -, then text.
BULLET = re.compile(r"^\s*(?:[-–—•·▪◦●○■□►▸‣⁃*]|[0-9٠-٩]{1,2}[.)\-])\s*\S")


def is_bullet(text):
    return bool(BULLET.match(text))


def _categories(categories):
    return list(categories if categories is not None else BoilerplateCategory.objects.active())


class _Cues:
    """The categories with their cue phrases folded once, not once per paragraph."""

    def __init__(self, categories):
        self.categories = categories
        self.by_name = {category.name: category for category in categories}
        self.folded = [(category, cue, fold(cue)) for category in categories for cue in category.cues]
        self.folded = [(category, cue, folded) for category, cue, folded in self.folded if folded]

    @property
    def fallback(self):
        return self.by_name.get("other") or (self.categories[0] if self.categories else None)


def _guess(text, folded_title, cues, rules=True):
    """(category, reason) where a rule names one, else (other, None)."""
    folded = fold(text)
    if folded_title and folded == folded_title and "title" in cues.by_name:
        return cues.by_name["title"], _("repeats the title")
    short = len(folded) <= SHORT_LINE
    for category, cue, folded_cue in cues.folded:
        if folded.startswith(folded_cue) or (short and folded_cue in folded):
            # Translatable for the quotes: an Arabic caption quotes with «», which mirror right in RTL text.
            return category, _("“%(cue)s”") % {"cue": cue}
    return _by_rule(text, cues) if rules else (cues.fallback, None)


def _by_rule(text, cues):
    rule = chrome_rule(text)
    if rule is None:
        return cues.fallback, None
    category = next((cues.by_name[name] for name in RULE_CATEGORIES[rule] if name in cues.by_name), cues.fallback)
    return category, str(RULE_REASONS[rule])


# Page chrome that no cue phrase names (corpus.importing.news.chrome_rule, which the import uses too): the
# categories to guess, the first that exists, and the reason shown.
RULE_CATEGORIES = {
    "copyright": ("masthead", "chrome"),
    "link row": ("navigation", "chrome"),
    "comment policy": ("comments", "chrome"),
    "dateline": ("byline", "chrome"),
    "most read": ("related", "chrome"),
}
RULE_REASONS = {
    "copyright": gettext_lazy("a copyright or footer line"),
    "link row": gettext_lazy("a row of links separated by |"),
    "comment policy": gettext_lazy("a comment policy notice"),
    "dateline": gettext_lazy("a dateline (“آخر تحديث”)"),
    "most read": gettext_lazy("the heading of a “most read” list"),
}


SHORT_LINE_WORDS = 5
# A line in this many of an outlet's articles (this one included) is hinted, before it is frequent enough to be
# the outlet's chrome (corpus.duplicates.CHROME_*), which keeps it out of families too.
REPEATED_LINE_ARTICLES = 3
SENTENCE_END = (".", "!", "؟", "?", ":", "…", "»", "”", '"')


def boilerplate_hints(article, paragraphs, categories=None):
    """{paragraph id: (category, reason)} for paragraphs that look like web chrome: a category's cue phrase,
    the title repeated, a chrome rule (corpus.importing.news.chrome_rule: copyright and footer lines, `|` rows of
    links, comment-policy notices, datelines with آخر تحديث, a "most read" heading and the headlines under it),
    a paragraph the import kept as page chrome (marked by the importer, whose marks this reader may not see),
    the outlet's chrome (corpus.duplicates: a line in many of its articles), the same line in other articles of
    the outlet, or a short line that is no sentence.
    Two queries (categories, the outlet's line counts), and one for the import's page-chrome marks when an
    account imported the article, whatever the number of paragraphs or the outlet's size:
    the line counts come from the near-duplicate pass (corpus.duplicates.outlet_lines), keyed by outlet and
    line, where counting the same text in the outlet's other articles scanned all of their paragraphs."""
    cues, folded_title = _Cues(_categories(categories)), fold(article.title)
    lines = outlet_lines(article.source_id, paragraphs)
    kept_as_chrome = _kept_as_chrome(article, paragraphs)
    hints = {}
    related = cues.by_name.get(RELATED)
    list_heading = None  # (position of the last line of a list so far, its heading, plain headlines?, category)
    for paragraph in sorted(paragraphs, key=lambda p: p.position):
        category, reason = _guess(paragraph.text, folded_title if paragraph.position else "", cues, rules=False)
        by_rule = False
        if reason is None:
            category, reason = _by_rule(paragraph.text, cues)
            by_rule = reason is not None
        if (
            reason is None
            and list_heading
            and list_heading[0] == paragraph.position - 1
            and (is_bullet(paragraph.text) or (list_heading[2] and len(paragraph.text.split()) <= LIST_LINE_WORDS))
        ):
            # A bulleted line right under مقالات مشابهة, or a short line (a headline) under الأكثر قراءة (or
            # under the list's previous line): a related link.
            category, reason = list_heading[3], _("in the list under “%(cue)s”") % {"cue": list_heading[1]}
            list_heading = (paragraph.position, *list_heading[1:])
        elif reason is not None and ((related is not None and category == related) or chrome_rule(paragraph.text) == "most read"):
            # (position, heading, whether its list is of plain headlines, the category of its lines)
            most_read = chrome_rule(paragraph.text) == "most read"
            list_heading = (paragraph.position, paragraph.text.strip()[:40], most_read, category)
        else:
            list_heading = None
        if reason is None and paragraph.pk in kept_as_chrome:
            # The category as offered here (a project may offer other categories only): page chrome, else other.
            category = cues.by_name.get(CHROME_CATEGORY) or cues.fallback
            reason = _("kept as page chrome when the page was imported")
        articles, chrome = lines.get(paragraph.pk, (0, False))
        if (reason is None or by_rule) and (chrome or articles >= REPEATED_LINE_ARTICLES):
            # The outlet's own evidence, said first: the rule still names the category.
            reason = ngettext(
                "repeated in %(count)s article of this outlet", "repeated in %(count)s articles of this outlet", articles
            ) % {"count": articles}
        words_in_line = paragraph.text.split()
        if (
            reason is None
            and paragraph.position
            and len(words_in_line) <= SHORT_LINE_WORDS
            and not paragraph.text.endswith(SENTENCE_END)
        ):
            reason = _("a short line that is no sentence, like a link or a label")
        if reason and category is not None:
            hints[paragraph.pk] = (category, reason)
    return hints


def _kept_as_chrome(article, paragraphs):
    """The ids of the paragraphs the import marked as page chrome (corpus.importing.news):
    the importer's marks of that category. No query for an article nobody imported through the pages."""
    ids = [paragraph.pk for paragraph in paragraphs]
    if not ids or article.imported_by_id is None:
        return set()
    marks = BoilerplateMark.objects.filter(
        paragraph_id__in=ids, author_id=article.imported_by_id, category__name=CHROME_CATEGORY, category__is_active=True
    )
    return set(marks.values_list("paragraph_id", flat=True))


def annotations_in(paragraph):
    """How many spans and stance evidence passages (anyone's) the paragraph holds."""
    return (
        Span.objects.filter(paragraph=paragraph).count(),
        StanceEvidence.objects.filter(paragraph=paragraph).values("stance").distinct().count(),
    )


def kept_warning(paragraph):
    """The message for marking a paragraph that holds annotations, or "" if it holds none."""
    spans, stances = annotations_in(paragraph)
    # Whole sentences for each case: Arabic counts agree with their nouns and the verbs with the count.
    if spans and stances:
        return _("This paragraph holds %(spans)s and %(stances)s. They are kept, and stay in the full export.") % {
            "spans": ngettext("%(count)s span", "%(count)s spans", spans) % {"count": spans},
            "stances": ngettext("evidence of %(count)s stance", "evidence of %(count)s stances", stances) % {"count": stances},
        }
    if spans:
        return ngettext(
            "This paragraph holds %(count)s span. It is kept, and stays in the full export.",
            "This paragraph holds %(count)s spans. They are kept, and stay in the full export.",
            spans,
        ) % {"count": spans}
    if stances:
        return ngettext(
            "This paragraph holds evidence of %(count)s stance. It is kept, and stays in the full export.",
            "This paragraph holds evidence of %(count)s stances. They are kept, and stay in the full export.",
            stances,
        ) % {"count": stances}
    return ""


def _check_category(category, current=None):
    if category is None:
        raise ValidationError(_("Choose a boilerplate category."))
    if not category.is_active and category.pk != getattr(current, "pk", None):
        raise ValidationError(_("The category %(category)s is retired; choose another.") % {"category": category.shown_name})


@transaction.atomic
def mark_boilerplate(*, user, paragraph, category, version=None, author=None):
    """Mark the paragraph as boilerplate of `category` for this analyst (or change the category).
    The analyst's mark is re-read under a lock; `version`, when the card sent one, must be current.
    `author`: whose mark it is when not the acting `user` (see spans.create_span)."""
    author = author or user
    mark = (
        BoilerplateMark.objects.select_for_update(of=("self",)).filter(paragraph=paragraph, author=author).order_by("pk").first()
    )
    if mark is not None:
        mark = lock_for_change(BoilerplateMark, mark.pk, user=user, version=version)
        _check_category(category, mark.category)
        if mark.category_id == category.pk:
            return mark
        before = snapshot(mark)
        mark.category = category
        save_change(mark, ("category_id",))
        log(user, AnnotationEvent.CHANGED, mark, mark.pk, paragraph.pk, before=before, after=snapshot(mark))
        return mark
    if version is not None:
        raise Gone(_("Your mark on this paragraph was removed in another tab; nothing was saved. Reload the page."))
    _check_category(category)
    try:
        with transaction.atomic():
            mark = BoilerplateMark.objects.create(paragraph=paragraph, category=category, author=author)
    except IntegrityError:
        raise ValidationError(_("You marked this paragraph at the same moment elsewhere; reload the page.")) from None
    log(user, AnnotationEvent.CREATED, mark, mark.pk, paragraph.pk, after=snapshot(mark))
    return mark


@transaction.atomic
def unmark_boilerplate(*, user, mark, version=None):
    delete_logged(user, mark, version=version)


@transaction.atomic
def toggle_boilerplate(*, user, paragraph, category=None):
    """The b key: remove the analyst's own mark, or add one (of `category`, else the guessed one), decided
    on the mark as it is now (re-read under a lock), not as the page showed it.
    Returns the new mark, or None when the mark was removed."""
    # Two toggles at once (two tabs) find no mark to lock and would both create one; the paragraph's row
    # is the lock they share, so the second sees the first's mark and removes it, on every database.
    list(Paragraph.objects.select_for_update(of=("self",)).filter(pk=paragraph.pk).order_by("pk").values_list("pk"))
    mark = BoilerplateMark.objects.select_for_update(of=("self",)).filter(paragraph=paragraph, author=user).order_by("pk").first()
    if mark is not None:
        unmark_boilerplate(user=user, mark=mark)
        return None
    category = category or guess_category(paragraph, title=paragraph.article.title)
    return mark_boilerplate(user=user, paragraph=paragraph, category=category)


def clean_paragraphs(paragraphs, marked_paragraph_ids):
    return [paragraph for paragraph in paragraphs if paragraph.pk not in marked_paragraph_ids]


def clean_text(paragraphs, marked_paragraph_ids):
    """The article without its boilerplate: the remaining paragraphs joined by the corpus separator."""
    return PARAGRAPH_SEPARATOR.join(p.text for p in clean_paragraphs(paragraphs, marked_paragraph_ids))
