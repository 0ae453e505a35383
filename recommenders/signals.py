"""The retrain trigger: every HAMISH_RECOMMENDER_RETRAIN_EVERY new spans in a project, its recommender trains
again in the background. Counted after the span's transaction commits (a rolled back span is not counted, and
the counter row is locked only for its own UPDATE), in two queries (recommenders.runs.count_new_span). Bulk
imports write spans without signals and add their counts in one UPDATE (runs.count_imported_spans).

Each project gets its recommender row (the counter) when it is made."""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from annotations.models import Span
from projects.models import Project

from .models import Recommender


@receiver(post_save, sender=Span, dispatch_uid="recommenders-count-span")
def count_span(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    from .runs import count_new_span

    transaction.on_commit(partial(count_new_span, instance.paragraph_id))


@receiver(post_save, sender=Project, dispatch_uid="recommenders-project-counter")
def make_recommender(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        Recommender.objects.get_or_create(project=instance)
