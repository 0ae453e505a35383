from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .preferences import load_into_session


@receiver(user_logged_in, dispatch_uid="accounts.load_preference")
def load_preference(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        load_into_session(request, user)
