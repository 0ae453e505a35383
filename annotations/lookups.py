"""Fetch what a request names, scoped to the user: by its key, then whether its article is readable (no
query when no closed project shuts the user out)."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from corpus.models import Article, Paragraph

from .models import Span, Stance, StanceEvidence


def _readable_or_404(user, article_id):
    # By id, after the row is fetched by its key: a join on every readable article would cost a scan of them.
    if not Article.objects.readable_by(user, article_id):
        raise Http404(_("No such article."))


def get_article_for_reader(user, article_id):
    article = get_object_or_404(Article.objects.select_related("source"), pk=article_id)
    _readable_or_404(user, article.pk)
    return article


def get_paragraph_for_reader(user, paragraph_id):
    paragraph = get_object_or_404(Paragraph.objects.select_related("article"), pk=paragraph_id)
    _readable_or_404(user, paragraph.article_id)
    return paragraph


def get_span_for_reader(user, span_id):
    span = get_object_or_404(Span.objects.select_related("label", "author", "entity", "paragraph"), pk=span_id)
    _readable_or_404(user, span.paragraph.article_id)
    return span


def get_span_for_editor(user, span_id):
    """A span the user may change: 404 if they cannot see it, 403 if it is someone else's."""
    span = get_span_for_reader(user, span_id)
    span.check_editable_by(user)
    return span


def get_stance_for_reader(user, stance_id):
    stance = get_object_or_404(Stance.objects.for_display(), pk=stance_id)
    _readable_or_404(user, stance.article_id)
    return stance


def get_stance_for_editor(user, stance_id):
    """A stance the user may change: 404 if they cannot see it, 403 if it is someone else's."""
    stance = get_stance_for_reader(user, stance_id)
    stance.check_editable_by(user)
    return stance


def get_evidence_for_editor(user, evidence_id):
    evidence = get_object_or_404(StanceEvidence.objects.select_related("stance", "paragraph"), pk=evidence_id)
    _readable_or_404(user, evidence.stance.article_id)
    evidence.stance.check_editable_by(user)
    return evidence
