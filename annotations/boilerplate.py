"""Boilerplate marks: an analyst's judgement that a paragraph is web chrome, not the article.

A mark never touches the paragraph's spans or stance evidence: they are kept, and the analyst is
told they are there. The "clean text" of an article is its paragraphs without the marked ones.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from corpus.arabic import fold
from corpus.models import PARAGRAPH_SEPARATOR

from .history import log, snapshot
from .models import AnnotationEvent, BoilerplateCategory, BoilerplateMark, Span, StanceEvidence

SHORT_LINE = 40  # characters: a cue phrase anywhere in a line this short still names its category


def guess_category(paragraph, *, title="", categories=None):
    """The category a paragraph most likely belongs to: the one whose cue phrase starts it (or appears in a
    short line), "title" if it repeats the article's title, else "other"."""
    categories = list(categories if categories is not None else BoilerplateCategory.objects.active())
    by_name = {category.name: category for category in categories}
    text = fold(paragraph.text)
    if title and text == fold(title) and "title" in by_name:
        return by_name["title"]
    for category in categories:
        for cue in category.cues:
            cue = fold(cue)
            if cue and (text.startswith(cue) or (len(text) <= SHORT_LINE and cue in text)):
                return category
    return by_name.get("other") or (categories[0] if categories else None)


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
def mark_boilerplate(*, user, paragraph, category):
    """Mark the paragraph as boilerplate of `category` for this analyst (or change the category)."""
    mark = BoilerplateMark.objects.select_for_update().filter(paragraph=paragraph, author=user).first()
    if mark is not None:
        _check_category(category, mark.category)
        if mark.category_id == category.pk:
            return mark
        before = snapshot(mark)
        mark.category = category
        mark.save()
        log(user, AnnotationEvent.CHANGED, mark, mark.pk, paragraph.pk, before=before, after=snapshot(mark))
        return mark
    _check_category(category)
    try:
        with transaction.atomic():
            mark = BoilerplateMark.objects.create(paragraph=paragraph, category=category, author=user)
    except IntegrityError:
        raise ValidationError("You marked this paragraph at the same moment elsewhere; reload the page.") from None
    log(user, AnnotationEvent.CREATED, mark, mark.pk, paragraph.pk, after=snapshot(mark))
    return mark


@transaction.atomic
def unmark_boilerplate(*, user, mark):
    if not mark.is_editable_by(user):
        raise PermissionDenied("Only the mark's author or an administrator may remove it.")
    before = snapshot(mark)
    mark_id, paragraph_id = mark.pk, mark.paragraph_id
    mark.delete()
    log(user, AnnotationEvent.DELETED, "boilerplate", mark_id, paragraph_id, before=before)


@transaction.atomic
def toggle_boilerplate(*, user, paragraph, category=None):
    """The b key: remove the analyst's own mark, or add one (of `category`, else the guessed one).
    Returns the new mark, or None when the mark was removed."""
    mark = BoilerplateMark.objects.filter(paragraph=paragraph, author=user).first()
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
