from django.apps import AppConfig


class HamishConfig(AppConfig):
    name = "hamish"
    verbose_name = "Hamish"
    default_auto_field = "django.db.models.BigAutoField"
