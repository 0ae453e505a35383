"""Rows whose change makes a cached derivation stale bump its Revision token (see models.Revision).

Labels, entities, aliases and categories are only ever written one by one (model save and delete,
cascades included), so these signals see every change; a bulk path that bypasses them must call
Revision.bump itself.
"""

from django.db.models.signals import post_delete, post_save

from .models import BoilerplateCategory, Entity, EntityAlias, Label, Revision


def vocabulary_changed(sender, **kwargs):
    Revision.bump(Revision.VOCABULARY)


def connect():
    for model in (Label, Entity, EntityAlias, BoilerplateCategory):
        post_save.connect(vocabulary_changed, sender=model, dispatch_uid=f"revision-{model.__name__}-save")
        post_delete.connect(vocabulary_changed, sender=model, dispatch_uid=f"revision-{model.__name__}-delete")
