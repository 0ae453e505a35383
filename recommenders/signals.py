"""The retrain trigger: every HAMISH_RECOMMENDER_RETRAIN_EVERY new spans in a project, its recommender trains
again in the background (after the span's transaction commits). Bulk imports write spans without signals and
do not count; a manager's "Train now" covers them."""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from annotations.models import Span
from corpus.models import Paragraph


def _enqueue(project_ids):
    from .tasks import train_recommender

    for project_id in project_ids:
        train_recommender.enqueue(project_id)


@receiver(post_save, sender=Span, dispatch_uid="recommenders-count-span")
def count_span(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    from .training import count_new_span

    cached = instance._state.fields_cache.get("paragraph")
    if cached is not None:
        article_id = cached.article_id
    else:
        article_id = Paragraph.objects.filter(pk=instance.paragraph_id).values_list("article_id", flat=True).first()
    due = count_new_span(article_id)
    if due:
        transaction.on_commit(partial(_enqueue, due))
