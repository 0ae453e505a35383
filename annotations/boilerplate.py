"""Boilerplate marks: an analyst's judgement that a paragraph is web chrome, not the article.

A mark never touches the paragraph's spans or stance evidence: they are kept, and the analyst is
told they are there. The "clean text" of an article is its paragraphs without the marked ones.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from corpus.arabic import fold
from corpus.duplicates import outlet_lines
from corpus.models import PARAGRAPH_SEPARATOR, Paragraph

from .conflicts import Gone, lock_for_change, save_change
from .history import delete_logged, log, snapshot
from .models import AnnotationEvent, BoilerplateCategory, BoilerplateMark, Span, StanceEvidence

SHORT_LINE = 40  # characters: a cue phrase anywhere in a line this short still names its category


def guess_category(paragraph, *, title="", categories=None):
    """The category a paragraph most likely belongs to: the one whose cue phrase starts it (or appears in a
    short line), "title" if it repeats the article's title, else "other"."""
    return _guess(paragraph.text, fold(title) if title else "", _Cues(_categories(categories)))[0]


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


def _guess(text, folded_title, cues):
    """(category, reason) where a rule names one, else (other, None)."""
    folded = fold(text)
    if folded_title and folded == folded_title and "title" in cues.by_name:
        return cues.by_name["title"], "repeats the title"
    short = len(folded) <= SHORT_LINE
    for category, cue, folded_cue in cues.folded:
        if folded.startswith(folded_cue) or (short and folded_cue in folded):
            return category, f"“{cue}”"
    return cues.fallback, None


SHORT_LINE_WORDS = 5
# A line in this many of an outlet's articles (this one included) is hinted, before it is frequent enough to be
# the outlet's chrome (corpus.duplicates.CHROME_*), which keeps it out of families too.
REPEATED_LINE_ARTICLES = 3
SENTENCE_END = (".", "!", "؟", "?", ":", "…", "»", "”", '"')


def boilerplate_hints(article, paragraphs, categories=None):
    """{paragraph id: (category, reason)} for paragraphs that look like web chrome: a category's cue phrase,
    the title repeated, the outlet's chrome (corpus.duplicates: a line in many of its articles), the same line in
    other articles of the outlet, or a short line that is no sentence.
    Two queries (categories, the outlet's line counts) whatever the number of paragraphs or the outlet's size:
    the line counts come from the near-duplicate pass (corpus.duplicates.outlet_lines), keyed by outlet and
    line, where counting the same text in the outlet's other articles scanned all of their paragraphs."""
    cues, folded_title = _Cues(_categories(categories)), fold(article.title)
    lines = outlet_lines(article.source_id, paragraphs)
    hints = {}
    for paragraph in paragraphs:
        category, reason = _guess(paragraph.text, folded_title if paragraph.position else "", cues)
        articles, chrome = lines.get(paragraph.pk, (0, False))
        if reason is None and (chrome or articles >= REPEATED_LINE_ARTICLES):
            reason = f"repeated in {articles} articles of this outlet"
        words_in_line = paragraph.text.split()
        if (
            reason is None
            and paragraph.position
            and len(words_in_line) <= SHORT_LINE_WORDS
            and not paragraph.text.endswith(SENTENCE_END)
        ):
            reason = "a short line that is no sentence, like a link or a label"
        if reason and category is not None:
            hints[paragraph.pk] = (category, reason)
    return hints


def annotations_in(paragraph):
    """How many spans and stance evidence passages (anyone's) the paragraph holds."""
    return (
        Span.objects.filter(paragraph=paragraph).count(),
        StanceEvidence.objects.filter(paragraph=paragraph).values("stance").distinct().count(),
    )


def kept_warning(paragraph):
    """The message for marking a paragraph that holds annotations, or "" if it holds none."""
    spans, stances = annotations_in(paragraph)
    held = []
    if spans:
        held.append(f"{spans} span{'s' if spans != 1 else ''}")
    if stances:
        held.append(f"evidence of {stances} stance{'s' if stances != 1 else ''}")
    if not held:
        return ""
    if spans + stances == 1:
        return f"This paragraph holds {held[0]}. It is kept, and stays in the full export."
    return f"This paragraph holds {' and '.join(held)}. They are kept, and stay in the full export."


def _check_category(category, current=None):
    if category is None:
        raise ValidationError("Choose a boilerplate category.")
    if not category.is_active and category.pk != getattr(current, "pk", None):
        raise ValidationError(f"The category {category.display_name} is retired; choose another.")


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
        raise Gone("Your mark on this paragraph was removed in another tab; nothing was saved. Reload the page.")
    _check_category(category)
    try:
        with transaction.atomic():
            mark = BoilerplateMark.objects.create(paragraph=paragraph, category=category, author=author)
    except IntegrityError:
        raise ValidationError("You marked this paragraph at the same moment elsewhere; reload the page.") from None
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
