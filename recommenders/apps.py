from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecommendersConfig(AppConfig):
    name = "recommenders"
    verbose_name = _("Recommenders")

    def ready(self):
        from . import signals  # noqa: F401  (the retrain trigger)
