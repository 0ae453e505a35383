"""Rows whose change makes a cached derivation stale bump its Revision token (see models.Revision).

Entities and aliases are only ever written one by one (model save and delete, including cascades), so
these signals see every change; a bulk path that bypasses them must call Revision.bump itself.
"""

from django.db.models.signals import post_delete, post_save

from .models import Entity, EntityAlias, Label, Revision


def entities_changed(sender, **kwargs):
    Revision.bump(Revision.ENTITIES)


def connect():
    for model in (Entity, EntityAlias, Label):
        post_save.connect(entities_changed, sender=model, dispatch_uid=f"revision-{model.__name__}-save")
        post_delete.connect(entities_changed, sender=model, dispatch_uid=f"revision-{model.__name__}-delete")
