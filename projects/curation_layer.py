"""A project's curated layer: the annotations whose author is the project's own layer identity.

The identity is an ordinary user account that nobody can sign in with (inactive, unusable password), one per
project, made on first use. Because the layer is just another author, every annotation service, export filter
and audit entry works on it unchanged; what differs is who may write it (the project's curators and managers,
never anyone else, not even an administrator outside the project's roles) and when (not while the article's
curation is marked curated).
"""

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import CAN_CURATE, Curation, CurationStatus, Project

NOT_A_LAYER = object()  # layer_refusal's answer for an annotation of an ordinary author
READ_ONLY = gettext_lazy(
    "This article's curation is marked curated, so its curated layer is read-only: reopen the curation to change it."
)


def layer_identity(project):
    """The project's layer identity, made (once, under the project's row lock) if it has none yet."""
    if project.curated_identity_id:
        return project.curated_identity
    with transaction.atomic():
        locked = Project.objects.select_for_update(of=("self",)).select_related("curated_identity").get(pk=project.pk)
        if locked.curated_identity_id is None:
            User = get_user_model()
            name = f"curated-{project.pk}"
            if User.objects.filter(**{User.USERNAME_FIELD: name}).exists():  # a real account took the name first
                name = f"{name}-{secrets.token_hex(4)}"
            identity = User(**{User.USERNAME_FIELD: name}, is_active=False)
            identity.set_unusable_password()
            identity.save()
            Project.objects.filter(pk=project.pk).update(curated_identity=identity)
            locked.curated_identity = identity
    project.curated_identity = locked.curated_identity
    return project.curated_identity


def project_of_layer(author_id):
    """The project whose curated layer `author_id` is, or None."""
    return Project.objects.filter(curated_identity_id=author_id).first()


def article_id_of(annotation):
    """The article of a span, stance or boilerplate mark."""
    if hasattr(annotation, "article_id"):
        return annotation.article_id
    from corpus.models import Paragraph

    return Paragraph.objects.filter(pk=annotation.paragraph_id).values_list("article_id", flat=True).first()


def is_curated(project, article_id):
    return Curation.objects.filter(project=project, article_id=article_id, status=CurationStatus.CURATED).exists()


def write_refusal(project, user, article_id):
    """Why `user` may not write the project's curated layer in this article, or None if they may."""
    if project.role_of(user) not in CAN_CURATE:
        return _("Only the project's curators and managers may change its curated layer.")
    if is_curated(project, article_id):
        return str(READ_ONLY)
    return None


def layer_refusal(annotation, user):
    """For Authored.edit_refusal: NOT_A_LAYER when the annotation's author is no layer identity, else why
    `user` may not change it (None: they may)."""
    project = project_of_layer(annotation.author_id)
    if project is None:
        return NOT_A_LAYER
    return write_refusal(project, user, article_id_of(annotation))
