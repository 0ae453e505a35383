"""Fetch what a request names, scoped to the user, in one query each."""

from django.shortcuts import get_object_or_404

from corpus.models import Article, Paragraph

from .models import Span, Stance, StanceEvidence


def get_article_for_reader(user, article_id):
    return get_object_or_404(Article.objects.for_reader(user).select_related("source"), pk=article_id)


def get_paragraph_for_reader(user, paragraph_id):
    return get_object_or_404(
        Paragraph.objects.filter(article__in=Article.objects.for_reader(user)).select_related("article"), pk=paragraph_id
    )


def get_span_for_reader(user, span_id):
    return get_object_or_404(
        Span.objects.filter(paragraph__article__in=Article.objects.for_reader(user)).select_related(
            "label", "author", "entity", "paragraph"
        ),
        pk=span_id,
    )


def get_span_for_editor(user, span_id):
    """A span the user may change: 404 if they cannot see it, 403 if it is someone else's."""
    span = get_span_for_reader(user, span_id)
    span.check_editable_by(user)
    return span


def get_stance_for_reader(user, stance_id):
    return get_object_or_404(Stance.objects.filter(article__in=Article.objects.for_reader(user)).for_display(), pk=stance_id)


def get_stance_for_editor(user, stance_id):
    """A stance the user may change: 404 if they cannot see it, 403 if it is someone else's."""
    stance = get_stance_for_reader(user, stance_id)
    stance.check_editable_by(user)
    return stance


def get_evidence_for_editor(user, evidence_id):
    evidence = get_object_or_404(
        StanceEvidence.objects.filter(stance__article__in=Article.objects.for_reader(user)).select_related("stance", "paragraph"),
        pk=evidence_id,
    )
    evidence.stance.check_editable_by(user)
    return evidence
